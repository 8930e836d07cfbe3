//! A correct answer in another style: one query row at a time inside each
//! query block, f64 running statistics, scores of one tile row at a time.

use attn_quiz::prelude::*;

pub fn flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, DVector<f32>) {
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let scale = 1.0 / (d_k as f64).sqrt();
    let offset = if causal { l_k - l_q } else { 0 };
    let mut out = Matrix::zeros(l_q, d_v);
    let mut lse = DVector::zeros(l_q);
    let mut start_q = 0;
    while start_q < l_q {
        let end_q = (start_q + block_q).min(l_q);
        for i in start_q..end_q {
            let (mut m, mut l) = (f64::NEG_INFINITY, 0.0f64);
            let mut acc = vec![0.0f64; d_v];
            let last_key = if causal { i + offset } else { l_k - 1 };
            let mut start_k = 0;
            while start_k <= last_key {
                let end_k = (start_k + block_k).min(last_key + 1);
                let scores: Vec<f64> = (start_k..end_k)
                    .map(|j| (0..d_k).map(|c| q[(i, c)] as f64 * k[(j, c)] as f64).sum::<f64>() * scale)
                    .collect();
                let m_new = scores.iter().copied().fold(m, f64::max);
                let shrink = (m - m_new).exp();
                l *= shrink;
                acc.iter_mut().for_each(|a| *a *= shrink);
                for (j, s) in (start_k..end_k).zip(&scores) {
                    let p = (s - m_new).exp();
                    l += p;
                    for (c, a) in acc.iter_mut().enumerate() {
                        *a += p * v[(j, c)] as f64;
                    }
                }
                m = m_new;
                start_k = end_k;
            }
            for (c, a) in acc.iter().enumerate() {
                out[(i, c)] = (a / l) as f32;
            }
            lse[i] = (m + l.ln()) as f32;
        }
        start_q = end_q;
    }
    (out, lse)
}
