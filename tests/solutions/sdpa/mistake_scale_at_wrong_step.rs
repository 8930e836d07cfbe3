//! softmax(q·kᵀ)·v, and the 1/sqrt(d_k) applied to the result.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose();
    let weights = softmax_masked(&scores, mask);
    let output = (&weights * v) / (q.ncols() as f32).sqrt();
    (output, weights)
}

fn softmax_masked(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    Matrix::from_fn(scores.nrows(), scores.ncols(), |i, j| {
        let allowed = |c: usize| mask.is_none_or(|m| m[(i, c)]);
        if !allowed(j) {
            return 0.0;
        }
        let row = (0..scores.ncols()).filter(|&c| allowed(c));
        let max = row.clone().map(|c| scores[(i, c)]).fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = row.map(|c| (scores[(i, c)] - max).exp()).sum();
        (scores[(i, j)] - max).exp() / sum
    })
}
