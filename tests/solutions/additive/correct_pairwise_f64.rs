//! One small network evaluation per (query, key) pair, in f64, with explicit loops.
use attn_quiz::prelude::*;

pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    let (l_q, l_k, d_a) = (q.nrows(), k.nrows(), w.v_a.len());
    let project = |x: &Matrix, weight: &Matrix, i: usize, a: usize| -> f64 {
        (0..x.ncols()).map(|c| x[(i, c)] as f64 * weight[(c, a)] as f64).sum()
    };
    let mut weights = Matrix::zeros(l_q, l_k);
    for i in 0..l_q {
        let mut scores = vec![f64::NEG_INFINITY; l_k];
        for (j, score) in scores.iter_mut().enumerate() {
            if mask.is_some_and(|m| !m[(i, j)]) {
                continue;
            }
            *score = (0..d_a).map(|a| w.v_a[a] as f64 * (project(q, &w.w_q, i, a) + project(k, &w.w_k, j, a)).tanh()).sum();
        }
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            continue; // nothing to attend to: zero weights
        }
        let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
        for j in 0..l_k {
            weights[(i, j)] = ((scores[j] - max).exp() / sum) as f32;
        }
    }
    (&weights * v, weights)
}
