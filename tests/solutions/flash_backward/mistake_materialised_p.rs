//! Right numbers, wrong memory: rebuilds the whole P = exp(S − lse) and
//! runs the SDPA backward on full matrices. Block sizes are ignored.

use attn_quiz::prelude::*;

#[allow(clippy::too_many_arguments)]
pub fn flash_attention_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    out: &Matrix,
    lse: &DVector<f32>,
    d_out: &Matrix,
    causal: bool,
    _block_q: usize,
    _block_k: usize,
) -> (Matrix, Matrix, Matrix) {
    let (l_q, l_k) = (q.nrows(), k.nrows());
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let s = q * k.transpose() * scale;
    let p = Matrix::from_fn(l_q, l_k, |i, j| {
        if causal && j + l_q > i + l_k { 0.0 } else { (s[(i, j)] - lse[i]).exp() }
    });
    let dv = p.transpose() * d_out;
    let dp = d_out * v.transpose();
    let d = d_out.component_mul(out).column_sum();
    let ds = Matrix::from_fn(l_q, l_k, |i, j| p[(i, j)] * (dp[(i, j)] - d[i]));
    (&ds * k * scale, ds.transpose() * q * scale, dv)
}
