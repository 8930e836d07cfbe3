//! Multi-query thinking in a grouped-query layer: every query head reads the first KV head.
use attn_quiz::prelude::*;

pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let (heads, kv_heads) = (w.num_heads, w.num_kv_heads);
    let q = w.q.forward(query); // (l_q, H·d_k)
    let k = w.k.forward(key); // (l_k, G·d_k)
    let v = w.v.forward(value); // (l_k, G·d_v)
    let (d_k, d_v) = (q.ncols() / heads, v.ncols() / kv_heads);
    let mut concat = Matrix::zeros(query.nrows(), heads * d_v);
    let mut weights = Vec::with_capacity(heads);
    for h in 0..heads {
        let g = 0; // the shared key/value head
        let scores = q.columns(h * d_k, d_k) * k.columns(g * d_k, d_k).transpose() / (d_k as f32).sqrt();
        let p = masked_softmax(&scores, mask);
        concat.columns_mut(h * d_v, d_v).copy_from(&(&p * v.columns(g * d_v, d_v)));
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}

/// Row softmax over the allowed keys; a row with none stays all zero.
fn masked_softmax(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let mut sum = 0.0;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    weights
}
