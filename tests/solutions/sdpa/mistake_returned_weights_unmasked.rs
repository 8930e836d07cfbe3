//! The output uses the masked weights; the weights returned are the ones from before masking.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    let attn = softmax(&scores);
    let masked = match mask {
        Some(mask) => {
            let filled = scores.zip_map(mask, |s, keep| if keep { s } else { f32::NEG_INFINITY });
            softmax(&filled)
        }
        None => attn.clone(),
    };
    (&masked * v, attn)
}

fn softmax(scores: &Matrix) -> Matrix {
    let mut out = scores.clone();
    for mut row in out.row_iter_mut() {
        let max = row.max();
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
        } else {
            row.apply(|s| *s = (*s - max).exp());
            let sum = row.sum();
            row /= sum;
        }
    }
    out
}
