//! D as the row sums of dP, gathered in a first pass over the tiles.

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
    block_q: usize,
    block_k: usize,
) -> (Matrix, Matrix, Matrix) {
    let (l_q, l_k, d_k) = (q.nrows(), k.nrows(), q.ncols());
    let scale = 1.0 / (d_k as f32).sqrt();
    let mut d = vec![0.0f32; l_q];
    for k0 in (0..l_k).step_by(block_k) {
        let b_k = block_k.min(l_k - k0);
        for q0 in (0..l_q).step_by(block_q) {
            let b_q = block_q.min(l_q - q0);
            let dp = d_out.rows(q0, b_q) * v.rows(k0, b_k).transpose();
            for r in 0..b_q {
                d[q0 + r] += dp.row(r).sum();
            }
        }
    }
    let _ = out;
    let mut dq = Matrix::zeros(l_q, d_k);
    let mut dk = Matrix::zeros(l_k, d_k);
    let mut dv = Matrix::zeros(l_k, v.ncols());
    for k0 in (0..l_k).step_by(block_k) {
        let b_k = block_k.min(l_k - k0);
        let (k_c, v_c) = (k.rows(k0, b_k), v.rows(k0, b_k));
        for q0 in (0..l_q).step_by(block_q) {
            let b_q = block_q.min(l_q - q0);
            if causal && k0 + l_q > q0 + b_q - 1 + l_k {
                continue; // the whole tile is in the future
            }
            let (q_b, do_b) = (q.rows(q0, b_q), d_out.rows(q0, b_q));
            let s = q_b * k_c.transpose() * scale;
            let p = Matrix::from_fn(b_q, b_k, |r, c| {
                if causal && k0 + c + l_q > q0 + r + l_k { 0.0 } else { (s[(r, c)] - lse[q0 + r]).exp() }
            });
            let dp = do_b * v_c.transpose();
            let ds = Matrix::from_fn(b_q, b_k, |r, c| p[(r, c)] * (dp[(r, c)] - d[q0 + r]));
            let mut dv_c = dv.rows_mut(k0, b_k);
            dv_c += p.transpose() * do_b;
            let mut dq_b = dq.rows_mut(q0, b_q);
            dq_b += &ds * k_c * scale;
            let mut dk_c = dk.rows_mut(k0, b_k);
            dk_c += ds.transpose() * q_b * scale;
        }
    }
    (dq, dk, dv)
}
