//! Two mistakes at once: the scale uses the model width, and the -inf fill
//! is softmaxed as it is (a fully masked row becomes NaN).
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let d_model = query.ncols();
    let heads = w.num_heads;
    let (q, k, v) = (w.q.forward(query), w.k.forward(key), w.v.forward(value));
    let d_k = q.ncols() / heads;
    let mut concat = Matrix::zeros(query.nrows(), v.ncols());
    let mut weights = Vec::new();
    for h in 0..heads {
        let mut scores = q.columns(h * d_k, d_k) * k.columns(h * d_k, d_k).transpose() / (d_model as f32).sqrt();
        if let Some(mask) = mask {
            scores.zip_apply(mask, |s, keep| {
                if !keep {
                    *s = f32::NEG_INFINITY;
                }
            });
        }
        for mut row in scores.row_iter_mut() {
            let max = row.max();
            row.apply(|s| *s = (*s - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        concat.columns_mut(h * d_k, d_k).copy_from(&(&scores * v.columns(h * d_k, d_k)));
        weights.push(scores);
    }
    (w.o.forward(&concat), weights)
}
