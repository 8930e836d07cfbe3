//! A copy-paste slip: the values go through w.k.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let q = w.q.forward(query);
    let k = w.k.forward(key);
    let v = w.k.forward(value);
    let d = q.ncols() / heads;
    let mut concat = Matrix::zeros(query.nrows(), heads * d);
    let mut weights = Vec::with_capacity(heads);
    for h in 0..heads {
        let scores = q.columns(h * d, d) * k.columns(h * d, d).transpose() / (d as f32).sqrt();
        let p = masked_softmax(&scores, mask);
        concat.columns_mut(h * d, d).copy_from(&(&p * v.columns(h * d, d)));
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}

fn masked_softmax(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let sum: f32 = allowed.iter().map(|&j| (scores[(i, j)] - max).exp()).sum();
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp() / sum;
        }
    }
    weights
}
