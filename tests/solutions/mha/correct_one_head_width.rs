//! Multi-head attention read as the SPEC words it: head h takes the column
//! block [h·d_k, (h+1)·d_k) of the projected Q, K *and* V, with one head width
//! d_k for all three, and the mask applied with a -1e9 fill whose fully masked
//! rows are zeroed afterwards.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let (q, k, v) = (w.q.forward(query), w.k.forward(key), w.v.forward(value));
    let d_k = q.ncols() / w.num_heads;
    let mut concat = Matrix::zeros(q.nrows(), q.ncols());
    let mut all_weights = Vec::new();
    for h in 0..w.num_heads {
        let block = |m: &Matrix| m.columns(h * d_k, d_k).into_owned();
        let (q_h, k_h, v_h) = (block(&q), block(&k), block(&v));
        let mut scores = &q_h * k_h.transpose() / (d_k as f32).sqrt();
        let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
        for i in 0..scores.nrows() {
            let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
            if !(0..scores.ncols()).any(allowed) {
                continue; // nothing to attend to: the zero row stays
            }
            for j in 0..scores.ncols() {
                if !allowed(j) {
                    scores[(i, j)] = -1e9;
                }
            }
            let max = scores.row(i).max();
            let exps = scores.row(i).map(|s| (s - max).exp());
            weights.set_row(i, &(&exps / exps.sum()));
        }
        concat.columns_mut(h * d_k, d_k).copy_from(&(&weights * v_h));
        all_weights.push(weights);
    }
    (w.o.forward(&concat), all_weights)
}
