//! exp of the raw scores: overflows to inf on large logits.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut weights = scores.map(f32::exp);
    for mut row in weights.row_iter_mut() {
        let sum = row.sum();
        row /= sum;
    }
    weights
}
