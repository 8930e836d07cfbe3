//! Averages the keys.
use attn_quiz::prelude::*;

pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    _v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    let q_a = q * &w.w_q; // (l_q, d_a)
    let k_a = k * &w.w_k; // (l_k, d_a)
    let scores = Matrix::from_fn(q.nrows(), k.nrows(), |i, j| (q_a.row(i) + k_a.row(j)).map(f32::tanh).dot(&w.v_a));
    let weights = masked_softmax(&scores, mask);
    (&weights * k, weights)
}

/// Row softmax over the allowed keys; a row with none stays all zero.
fn masked_softmax(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let mut sum = 0.0;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    weights
}
