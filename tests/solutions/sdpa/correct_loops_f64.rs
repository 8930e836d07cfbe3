//! Every product and sum as an explicit loop, in f64.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let scale = 1.0 / (d_k as f64).sqrt();
    let mut weights = Matrix::zeros(l_q, l_k);
    let mut output = Matrix::zeros(l_q, d_v);
    for i in 0..l_q {
        let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
        let scores: Vec<f64> =
            (0..l_k).map(|j| (0..d_k).map(|c| q[(i, c)] as f64 * k[(j, c)] as f64).sum::<f64>() * scale).collect();
        let max = (0..l_k).filter(|&j| allowed(j)).map(|j| scores[j]).fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            continue;
        }
        let exps: Vec<f64> = (0..l_k).map(|j| if allowed(j) { (scores[j] - max).exp() } else { 0.0 }).collect();
        let sum: f64 = exps.iter().sum();
        for j in 0..l_k {
            weights[(i, j)] = (exps[j] / sum) as f32;
        }
        for c in 0..d_v {
            output[(i, c)] = (0..l_k).map(|j| exps[j] / sum * v[(j, c)] as f64).sum::<f64>() as f32;
        }
    }
    (output, weights)
}
