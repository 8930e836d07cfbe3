//! v_a·(q·W_q + k·W_k) first, tanh of that.
use attn_quiz::prelude::*;

pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    let (l_q, l_k) = (q.nrows(), k.nrows());
    let wq = q * &w.w_q;
    let wk = k * &w.w_k;
    let mut weights = Matrix::zeros(l_q, l_k);
    for i in 0..l_q {
        let keys: Vec<usize> = (0..l_k).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        if keys.is_empty() {
            continue;
        }
        let e: Vec<f32> = keys.iter().map(|&j| (wq.row(i) + wk.row(j)).dot(&w.v_a).tanh()).collect();
        let top = e.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let z: f32 = e.iter().map(|x| (x - top).exp()).sum();
        for (&j, x) in keys.iter().zip(&e) {
            weights[(i, j)] = (x - top).exp() / z;
        }
    }
    (&weights * v, weights)
}
