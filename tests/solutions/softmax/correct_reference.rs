//! Row softmax with the row maximum subtracted first.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut weights = scores.clone();
    for mut row in weights.row_iter_mut() {
        let max = row.max(); // exp(s - max) <= 1: no overflow
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    weights
}
