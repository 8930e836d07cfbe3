//! The "masked softmax" of many codebases: softmax over every key, multiply by
//! the mask, renormalise (with an epsilon against division by zero).
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    let mut weights = scores.clone();
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    if let Some(mask) = mask {
        let keep = mask.map(|m| if m { 1.0f32 } else { 0.0 });
        weights.component_mul_assign(&keep);
        for mut row in weights.row_iter_mut() {
            let sum = row.sum();
            row /= sum + 1e-9;
        }
    }
    (&weights * v, weights)
}
