//! Scores in f64, masked ones set to -1e9, fully masked rows zeroed by hand.
use attn_quiz::prelude::*;

pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    let (l_q, l_k, d_a) = (q.nrows(), k.nrows(), w.v_a.len());
    let q_a = q * &w.w_q;
    let k_a = k * &w.w_k;
    let mut weights = Matrix::zeros(l_q, l_k);
    for i in 0..l_q {
        let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
        if !(0..l_k).any(allowed) {
            continue;
        }
        let scores: Vec<f64> = (0..l_k)
            .map(|j| {
                if !allowed(j) {
                    return -1e9;
                }
                (0..d_a).map(|c| w.v_a[c] as f64 * (q_a[(i, c)] as f64 + k_a[(j, c)] as f64).tanh()).sum()
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let sum: f64 = exps.iter().sum();
        for j in 0..l_k {
            weights[(i, j)] = (exps[j] / sum) as f32;
        }
    }
    (&weights * v, weights)
}
