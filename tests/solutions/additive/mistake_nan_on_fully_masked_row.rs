//! The -inf fill: a fully masked row becomes NaN (exp(-inf - -inf)).
use attn_quiz::prelude::*;

pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    let q_a = q * &w.w_q;
    let k_a = k * &w.w_k;
    let mut weights = Matrix::from_fn(q.nrows(), k.nrows(), |i, j| {
        if mask.is_some_and(|m| !m[(i, j)]) {
            f32::NEG_INFINITY
        } else {
            (q_a.row(i) + k_a.row(j)).map(f32::tanh).dot(&w.v_a)
        }
    });
    for mut row in weights.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    (&weights * v, weights)
}
