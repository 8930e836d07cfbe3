//! Matrix-wide max and sum: one softmax over every entry.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let max = scores.max();
    let exps = scores.map(|s| (s - max).exp());
    let sum = exps.sum();
    exps / sum
}
