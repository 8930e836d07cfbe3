//! nalgebra's `.max()` and `.sum()` on the scores matrix: one softmax over every entry.
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
    let max = scores.max();
    let exps = scores.map(|s| (s - max).exp());
    let weights = &exps / exps.sum();
    (&weights * v, weights)
}
