//! Fills masked scores with 0 (as if zeroing were masking): exp(0 - max) is not 0,
//! so masked keys keep some weight.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let mut weights = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    if let Some(mask) = mask {
        weights.zip_apply(mask, |s, allowed| {
            if !allowed {
                *s = 0.0;
            }
        });
    }
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    (&weights * v, weights)
}
