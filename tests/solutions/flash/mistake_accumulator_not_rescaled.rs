//! Rescales the running sum but forgets the accumulator.

use attn_quiz::prelude::*;

pub fn flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, DVector<f32>) {
    let (l_q, l_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let mut out = Matrix::zeros(l_q, d_v);
    let mut lse = DVector::zeros(l_q);
    for q0 in (0..l_q).step_by(block_q) {
        let b_q = block_q.min(l_q - q0);
        let mut m = vec![f32::NEG_INFINITY; b_q];
        let mut l = vec![0.0f32; b_q];
        let mut acc = Matrix::zeros(b_q, d_v);
        for k0 in (0..l_k).step_by(block_k) {
            let b_k = block_k.min(l_k - k0);
            let mut s = q.rows(q0, b_q) * k.rows(k0, b_k).transpose() * scale;
            if causal {
                for r in 0..b_q {
                    for c in 0..b_k {
                        if k0 + c > q0 + r + l_k - l_q {
                            s[(r, c)] = f32::NEG_INFINITY;
                        }
                    }
                }
            }
            for r in 0..b_q {
                let m_new = s.row(r).iter().fold(m[r], |a, &b| a.max(b));
                if m_new == f32::NEG_INFINITY {
                    continue; // nothing visible yet in this row
                }
                let alpha = (m[r] - m_new).exp();
                let p: Vec<f32> = s.row(r).iter().map(|&x| (x - m_new).exp()).collect();
                l[r] = alpha * l[r] + p.iter().sum::<f32>();
                for j in 0..d_v {
                    let pv: f32 = (0..b_k).map(|c| p[c] * v[(k0 + c, j)]).sum();
                    acc[(r, j)] += pv;
                }
                m[r] = m_new;
            }
        }
        for r in 0..b_q {
            for j in 0..d_v {
                out[(q0 + r, j)] = acc[(r, j)] / l[r];
            }
            lse[q0 + r] = m[r] + l[r].ln();
        }
    }
    (out, lse)
}
