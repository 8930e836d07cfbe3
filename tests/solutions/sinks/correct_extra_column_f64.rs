//! The gpt-oss way, in f64: the sink as one more score column (always
//! allowed) whose value row is zero; softmax; drop the column.
use attn_quiz::prelude::*;

pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let mut weights = Matrix::zeros(l_q, l_k);
    let mut output = Matrix::zeros(l_q, d_v);
    for i in 0..l_q {
        // Logits: the allowed keys' scores, then the sink (index l_k).
        let mut logits: Vec<(usize, f64)> = Vec::new();
        for j in 0..l_k {
            if mask.is_none_or(|m| m[(i, j)]) {
                let dot: f64 = (0..d_k).map(|t| q[(i, t)] as f64 * k[(j, t)] as f64).sum();
                logits.push((j, dot / (d_k as f64).sqrt()));
            }
        }
        logits.push((l_k, sink as f64));
        let max = logits.iter().map(|&(_, s)| s).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logits.iter().map(|&(_, s)| (s - max).exp()).sum();
        for &(j, s) in logits.iter().filter(|&&(j, _)| j < l_k) {
            let w = (s - max).exp() / total;
            weights[(i, j)] = w as f32;
            for c in 0..d_v {
                output[(i, c)] += (w * v[(j, c)] as f64) as f32;
            }
        }
    }
    (output, weights)
}
