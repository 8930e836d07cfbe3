//! The -1e9 fill of the textbooks, with fully masked rows zeroed explicitly.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let d_k = q.ncols() as f32;
    let mut scores = q * k.transpose() / d_k.sqrt();
    if let Some(mask) = mask {
        scores.zip_apply(mask, |s, allowed| {
            if !allowed {
                *s = -1e9;
            }
        });
    }
    let mut weights = scores.clone();
    for (i, mut row) in weights.row_iter_mut().enumerate() {
        let fully_masked = mask.is_some_and(|m| m.row(i).iter().all(|a| !a));
        if fully_masked {
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
