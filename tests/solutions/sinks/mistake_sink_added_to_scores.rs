//! The sink treated as a bias added to every score.
use attn_quiz::prelude::*;

pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)] + sink).reduce(f32::max) else {
            continue;
        };
        let mut sum = 0.0;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] + sink - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    (&weights * v, weights)
}
