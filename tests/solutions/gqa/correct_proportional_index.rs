//! KV head of query head h computed as h·G / H (equal to h / (H / G) when G divides H),
//! one head at a time through a scaled dot-product attention of its own.
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
    let mut concat = Matrix::zeros(q.nrows(), heads * d_v);
    let mut weights = Vec::with_capacity(heads);
    for h in 0..heads {
        let g = h * kv_heads / heads;
        let q_h = q.columns(h * d_k, d_k).into_owned();
        let k_g = k.columns(g * d_k, d_k).into_owned();
        let v_g = v.columns(g * d_v, d_v).into_owned();
        let (out, p) = scaled_dot_product_attention(&q_h, &k_g, &v_g, mask);
        concat.columns_mut(h * d_v, d_v).copy_from(&out);
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}

/// softmax(q·kᵀ / sqrt(d_k))·v over the allowed keys; a row with none stays zero.
fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let mut p = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let sum: f32 = allowed.iter().map(|&j| (scores[(i, j)] - max).exp()).sum();
        for &j in &allowed {
            p[(i, j)] = (scores[(i, j)] - max).exp() / sum;
        }
    }
    (&p * v, p)
}
