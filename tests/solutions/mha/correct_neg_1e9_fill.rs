//! The Annotated Transformer's -1e9 fill, with fully masked rows zeroed afterwards.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let (q, k, v) = (w.q.forward(query), w.k.forward(key), w.v.forward(value));
    let d_k = q.ncols() / heads;
    let mut concat = Matrix::zeros(query.nrows(), v.ncols());
    let mut weights = Vec::new();
    for h in 0..heads {
        let mut p = q.columns(h * d_k, d_k) * k.columns(h * d_k, d_k).transpose() / (d_k as f32).sqrt();
        if let Some(mask) = mask {
            p.zip_apply(mask, |s, keep| {
                if !keep {
                    *s = -1e9;
                }
            });
        }
        for (i, mut row) in p.row_iter_mut().enumerate() {
            let max = row.max();
            row.apply(|s| *s = (*s - max).exp());
            let sum = row.sum();
            row /= sum;
            if mask.is_some_and(|m| m.row(i).iter().all(|&keep| !keep)) {
                row.fill(0.0);
            }
        }
        concat.columns_mut(h * d_k, d_k).copy_from(&(&p * v.columns(h * d_k, d_k)));
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}
