//! The PyTorch idiom: masked_fill(-inf), softmax, then NaN (fully masked rows) replaced by 0.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let mut scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    if let Some(mask) = mask {
        scores.zip_apply(mask, |s, keep| {
            if !keep {
                *s = f32::NEG_INFINITY;
            }
        });
    }
    let mut weights = scores;
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp()); // -inf - -inf = NaN on a fully masked row
        let sum = row.sum();
        row /= sum;
    }
    weights.apply(|w| {
        if w.is_nan() {
            *w = 0.0;
        }
    });
    (&weights * v, weights)
}
