//! Row softmax with the row maximum subtracted, but a row of -inf becomes
//! exp(-inf - -inf) = exp(NaN): a NaN row instead of zeros.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut weights = scores.clone();
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    weights
}
