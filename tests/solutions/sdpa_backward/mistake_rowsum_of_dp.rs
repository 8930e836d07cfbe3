//! Takes D as the plain row sum of dP.

use attn_quiz::prelude::*;

/// Masked row softmax; a fully masked row stays all zero.
fn weights(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut p = scores.clone();
    for i in 0..p.nrows() {
        let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
        let m = (0..p.ncols()).filter(|&j| allowed(j)).map(|j| scores[(i, j)]).fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for j in 0..p.ncols() {
            p[(i, j)] = if allowed(j) { (scores[(i, j)] - m).exp() } else { 0.0 };
            sum += p[(i, j)];
        }
        for j in 0..p.ncols() {
            if sum > 0.0 {
                p[(i, j)] /= sum;
            }
        }
    }
    p
}

pub fn sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
) -> (Matrix, Matrix, Matrix) {
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let p = weights(&(q * k.transpose() * scale), mask);
    let dv = p.transpose() * d_out;
    let dp = d_out * v.transpose();
    let mut ds = dp.clone();
    for i in 0..ds.nrows() {
        let d: f32 = dp.row(i).sum();
        for j in 0..ds.ncols() {
            ds[(i, j)] = p[(i, j)] * (dp[(i, j)] - d);
        }
    }
    let dq = &ds * k * scale;
    let dk = ds.transpose() * q * scale;
    (dq, dk, dv)
}
