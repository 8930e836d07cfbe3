//! "Linear attention": relu of the scores as weights, no softmax.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let mut weights = (q * k.transpose() / (q.ncols() as f32).sqrt()).map(|s| s.max(0.0));
    if let Some(mask) = mask {
        weights.zip_apply(mask, |w, keep| {
            if !keep {
                *w = 0.0;
            }
        });
    }
    (&weights * v, weights)
}
