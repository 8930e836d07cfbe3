//! Right numbers, wrong memory: the whole l_q × l_k score matrix, then a
//! stable softmax, as in plain SDPA. Block sizes are ignored.

use attn_quiz::prelude::*;

pub fn flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    _block_q: usize,
    _block_k: usize,
) -> (Matrix, DVector<f32>) {
    let (l_q, l_k) = (q.nrows(), k.nrows());
    let mut scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    let mut lse = DVector::zeros(l_q);
    for i in 0..l_q {
        for j in 0..l_k {
            if causal && j + l_q > i + l_k {
                scores[(i, j)] = f32::NEG_INFINITY;
            }
        }
        let m = scores.row(i).max();
        let sum: f32 = scores.row(i).iter().map(|s| (s - m).exp()).sum();
        for j in 0..l_k {
            scores[(i, j)] = (scores[(i, j)] - m).exp() / sum;
        }
        lse[i] = m + sum.ln();
    }
    (scores * v, lse)
}
