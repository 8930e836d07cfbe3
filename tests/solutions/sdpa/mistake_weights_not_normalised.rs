//! exp of the scaled scores, masked entries zeroed, but never divided by the row's sum.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scale = (k.ncols() as f32).sqrt();
    let mut weights = (q * k.transpose()) / scale;
    for i in 0..weights.nrows() {
        let row_max = (0..weights.ncols())
            .filter(|&j| mask.is_none_or(|m| m[(i, j)]))
            .map(|j| weights[(i, j)])
            .fold(f32::NEG_INFINITY, f32::max);
        for j in 0..weights.ncols() {
            let keep = mask.is_none_or(|m| m[(i, j)]);
            // forgot: / sum of the row
            weights[(i, j)] = if keep { (weights[(i, j)] - row_max).exp() } else { 0.0 };
        }
    }
    let output = &weights * v;
    (output, weights)
}
