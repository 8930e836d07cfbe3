//! The half-precision habit: masked scores filled with -1e4 (fully masked rows zeroed).
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let mut scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    if let Some(mask) = mask {
        scores.zip_apply(mask, |s, allowed| {
            if !allowed {
                *s = -1e4;
            }
        });
    }
    let mut weights = scores;
    for (i, mut row) in weights.row_iter_mut().enumerate() {
        if mask.is_some_and(|m| m.row(i).iter().all(|a| !a)) {
            row.fill(0.0);
            continue;
        }
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    (&weights * v, weights)
}
