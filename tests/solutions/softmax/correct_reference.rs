//! Row softmax with the row maximum subtracted first; a row of -inf has no
//! maximum to subtract and comes out all zero.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut weights = scores.clone();
    for mut row in weights.row_iter_mut() {
        let max = row.max(); // exp(s - max) <= 1: no overflow
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    weights
}
