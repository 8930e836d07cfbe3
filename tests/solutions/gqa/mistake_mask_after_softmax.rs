//! Softmax over every key, then the masked weights zeroed (and not renormalised).
use attn_quiz::prelude::*;

pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let (h_q, h_kv) = (w.num_heads, w.num_kv_heads);
    let q = w.q.forward(query);
    let k = w.k.forward(key);
    let v = w.v.forward(value);
    let d = q.ncols() / h_q;
    let mut concat = Matrix::zeros(query.nrows(), h_q * d);
    let mut weights = Vec::new();
    for h in 0..h_q {
        let g = h * h_kv / h_q;
        let mut p = q.columns(h * d, d) * k.columns(g * d, d).transpose() / (d as f32).sqrt();
        for mut row in p.row_iter_mut() {
            let max = row.max();
            row.apply(|s| *s = (*s - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        if let Some(mask) = mask {
            p = p.zip_map(mask, |a, keep| if keep { a } else { 0.0 });
        }
        concat.columns_mut(h * d, d).copy_from(&(&p * v.columns(g * d, d)));
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}
