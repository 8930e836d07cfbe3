//! "Scaled" dot product: the scores times sqrt(d_k).
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let d_k = q.ncols() as f32;
    let mut scores = q * k.transpose() * d_k.sqrt();
    if let Some(mask) = mask {
        for (s, &allowed) in scores.iter_mut().zip(mask.iter()) {
            if !allowed {
                *s = f32::NEG_INFINITY;
            }
        }
    }
    let mut weights = scores;
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        row.apply(|s| *s = (*s - max).exp());
        let total = row.sum();
        row /= total;
    }
    (&weights * v, weights)
}
