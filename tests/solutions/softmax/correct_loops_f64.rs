//! Explicit loops, computed in f64.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let (rows, cols) = scores.shape();
    let mut weights = Matrix::zeros(rows, cols);
    for i in 0..rows {
        let mut max = f64::NEG_INFINITY;
        for j in 0..cols {
            max = max.max(scores[(i, j)] as f64);
        }
        if max == f64::NEG_INFINITY {
            continue; // a row of -inf: nothing to attend to, the zeros stay
        }
        let exps: Vec<f64> = (0..cols).map(|j| (scores[(i, j)] as f64 - max).exp()).collect();
        let sum: f64 = exps.iter().sum();
        for j in 0..cols {
            weights[(i, j)] = (exps[j] / sum) as f32;
        }
    }
    weights
}
