//! Subtracts the largest entry of the whole matrix, then normalises each row.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let max = scores.max();
    let mut weights = scores.map(|s| (s - max).exp());
    for mut row in weights.row_iter_mut() {
        let sum = row.sum();
        row /= sum;
    }
    weights
}
