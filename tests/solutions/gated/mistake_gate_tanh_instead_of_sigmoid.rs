//! The gate squashed with tanh (a "gate" in (-1, 1)) instead of the sigmoid.
use attn_quiz::prelude::*;

pub fn gated_self_attention(x: &Matrix, w: &GatedWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let attn = &w.attn;
    let heads = attn.num_heads;
    let q = attn.q.forward(x); // (l, H·d_k)
    let k = attn.k.forward(x); // (l, H·d_k)
    let v = attn.v.forward(x); // (l, H·d_v)
    let (d_k, d_v) = (q.ncols() / heads, v.ncols() / heads);
    let mut concat = Matrix::zeros(x.nrows(), heads * d_v);
    let mut weights = Vec::with_capacity(heads);
    for h in 0..heads {
        let scores = q.columns(h * d_k, d_k) * k.columns(h * d_k, d_k).transpose() / (d_k as f32).sqrt();
        let p = masked_softmax(&scores, mask);
        concat.columns_mut(h * d_v, d_v).copy_from(&(&p * v.columns(h * d_v, d_v)));
        weights.push(p);
    }
    let gate = w.gate.forward(x).map(f32::tanh); // (l, H·d_v)
    (attn.o.forward(&gate.component_mul(&concat)), weights)
}

/// Row softmax over the allowed keys; a row with none stays all zero.
fn masked_softmax(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let mut sum = 0.0;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    weights
}
