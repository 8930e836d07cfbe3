//! Normalises each column instead of each row.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let mut weights = scores.clone();
    for mut column in weights.column_iter_mut() {
        let max = column.max();
        column.apply(|s| *s = (*s - max).exp());
        let sum = column.sum();
        column /= sum;
    }
    weights
}
