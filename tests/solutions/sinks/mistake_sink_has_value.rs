//! Treats the sink as an extra token at the front that keeps the first value:
//! its weight flows into the output.
use attn_quiz::prelude::*;

pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    let mut output = Matrix::zeros(q.nrows(), v.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let max = allowed.iter().map(|&j| scores[(i, j)]).fold(sink, f32::max);
        let sink_e = (sink - max).exp();
        let mut sum = sink_e;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
        let row = weights.row(i) * v + v.row(0) * (sink_e / sum);
        output.set_row(i, &row);
    }
    (output, weights)
}
