//! Gates each head's output with its own block of the gate before concatenating,
//! with sigmoid written as (1 + tanh(z/2)) / 2.
use attn_quiz::prelude::*;

pub fn gated_self_attention(x: &Matrix, w: &GatedWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.attn.num_heads;
    let gate = w.gate.forward(x).map(|z| 0.5 * (1.0 + (0.5 * z).tanh()));
    let q = w.attn.q.forward(x);
    let k = w.attn.k.forward(x);
    let v = w.attn.v.forward(x);
    let (d_k, d_v) = (q.ncols() / heads, v.ncols() / heads);
    let mut gated_heads = Vec::new();
    let mut weights = Vec::new();
    for h in 0..heads {
        let mut p = q.columns(h * d_k, d_k) * k.columns(h * d_k, d_k).transpose() / (d_k as f32).sqrt();
        for i in 0..p.nrows() {
            let allowed: Vec<bool> = (0..p.ncols()).map(|j| mask.is_none_or(|m| m[(i, j)])).collect();
            let max = (0..p.ncols()).filter(|&j| allowed[j]).map(|j| p[(i, j)]).fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for j in 0..p.ncols() {
                p[(i, j)] = if allowed[j] { (p[(i, j)] - max).exp() } else { 0.0 };
                sum += p[(i, j)];
            }
            for j in 0..p.ncols() {
                p[(i, j)] = if sum > 0.0 { p[(i, j)] / sum } else { 0.0 };
            }
        }
        let head = &p * v.columns(h * d_v, d_v);
        gated_heads.push(head.component_mul(&gate.columns(h * d_v, d_v)));
        weights.push(p);
    }
    let mut concat = Matrix::zeros(x.nrows(), heads * d_v);
    for (h, head) in gated_heads.iter().enumerate() {
        concat.columns_mut(h * d_v, d_v).copy_from(head);
    }
    (w.attn.o.forward(&concat), weights)
}
