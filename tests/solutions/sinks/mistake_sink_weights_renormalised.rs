//! Computes the output with the sink, then "fixes" the weights to sum to 1.
use attn_quiz::prelude::*;

pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let max = allowed.iter().map(|&j| scores[(i, j)]).fold(sink, f32::max);
        let mut sum = (sink - max).exp();
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    let output = &weights * v;
    for mut row in weights.row_iter_mut() {
        let total = row.sum();
        if total > 0.0 {
            row /= total;
        }
    }
    (output, weights)
}
