//! Each weight as exp(s - logsumexp(row)), built entry by entry with from_fn.
use attn_quiz::prelude::*;

pub fn softmax_rows(scores: &Matrix) -> Matrix {
    let log_sum_exp: Vec<f32> = scores.row_iter().map(|row| log_sum_exp(row.iter().copied())).collect();
    Matrix::from_fn(scores.nrows(), scores.ncols(), |i, j| (scores[(i, j)] - log_sum_exp[i]).exp())
}

/// ln Σ exp(s), computed as max + ln Σ exp(s - max). A row of -inf gets +inf
/// instead of its true -inf, so its weights are exp(-inf - inf) = 0, not NaN.
fn log_sum_exp(row: impl Iterator<Item = f32> + Clone) -> f32 {
    let max = row.clone().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return f32::INFINITY;
    }
    max + row.map(|s| (s - max).exp()).sum::<f32>().ln()
}
