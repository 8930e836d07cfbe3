//! The -inf fill: a fully masked row becomes NaN.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let mut scores = scores;
    if let Some(m) = mask {
        scores.zip_apply(m, |s, allowed| if !allowed { *s = f32::NEG_INFINITY });
    }
    let weights = softmax(&scores);
    (&weights * v, weights)
}

/// Plain row softmax.
fn softmax(scores: &Matrix) -> Matrix {
    let mut weights = scores.clone();
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    weights
}
