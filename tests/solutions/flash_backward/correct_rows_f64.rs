//! A correct answer in another style: explicit loops, f64 sums, one
//! (query, key) pair at a time inside each tile; nothing larger than a row.

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
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let scale = 1.0 / (d_k as f64).sqrt();
    let shift = if causal { l_k - l_q } else { 0 };
    let d: Vec<f64> = (0..l_q).map(|i| (0..d_v).map(|c| d_out[(i, c)] as f64 * out[(i, c)] as f64).sum()).collect();
    let mut dq = vec![vec![0.0f64; d_k]; l_q];
    let mut dk = vec![vec![0.0f64; d_k]; l_k];
    let mut dv = vec![vec![0.0f64; d_v]; l_k];
    for kb in (0..l_k).step_by(block_k) {
        for qb in (0..l_q).step_by(block_q) {
            for j in kb..(kb + block_k).min(l_k) {
                for i in qb..(qb + block_q).min(l_q) {
                    if causal && j > i + shift {
                        continue;
                    }
                    let s: f64 = (0..d_k).map(|c| q[(i, c)] as f64 * k[(j, c)] as f64).sum::<f64>() * scale;
                    let p = (s - lse[i] as f64).exp();
                    let dp: f64 = (0..d_v).map(|c| d_out[(i, c)] as f64 * v[(j, c)] as f64).sum();
                    let ds = p * (dp - d[i]);
                    for c in 0..d_v {
                        dv[j][c] += p * d_out[(i, c)] as f64;
                    }
                    for c in 0..d_k {
                        dq[i][c] += ds * k[(j, c)] as f64 * scale;
                        dk[j][c] += ds * q[(i, c)] as f64 * scale;
                    }
                }
            }
        }
    }
    let back = |rows: Vec<Vec<f64>>, width: usize| {
        Matrix::from_fn(rows.len(), width, |i, c| rows[i][c] as f32)
    };
    (back(dq, d_k), back(dk, d_k), back(dv, d_v))
}
