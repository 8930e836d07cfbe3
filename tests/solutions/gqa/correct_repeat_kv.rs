//! Repeats each key/value head H/G times (PyTorch's repeat_interleave), then
//! runs plain multi-head attention over H full heads.
use attn_quiz::prelude::*;

pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let (heads, kv_heads) = (w.num_heads, w.num_kv_heads);
    let repeats = heads / kv_heads;
    let k = repeat_interleave(&w.k.forward(key), kv_heads, repeats); // (l_k, H·d_k)
    let v = repeat_interleave(&w.v.forward(value), kv_heads, repeats); // (l_k, H·d_v)
    let q = w.q.forward(query);
    let (d_k, d_v) = (q.ncols() / heads, v.ncols() / heads);
    let mut outputs = Vec::new();
    let mut weights = Vec::new();
    for h in 0..heads {
        let scores = q.columns(h * d_k, d_k) * k.columns(h * d_k, d_k).transpose() * (d_k as f32).sqrt().recip();
        let mut p = scores.clone();
        for i in 0..p.nrows() {
            let row_allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
            let max = (0..p.ncols()).filter(|&j| row_allowed(j)).map(|j| scores[(i, j)]).fold(f32::MIN, f32::max);
            let sum: f32 = (0..p.ncols()).filter(|&j| row_allowed(j)).map(|j| (scores[(i, j)] - max).exp()).sum();
            for j in 0..p.ncols() {
                p[(i, j)] = if row_allowed(j) { (scores[(i, j)] - max).exp() / sum } else { 0.0 };
            }
        }
        outputs.push(&p * v.columns(h * d_v, d_v));
        weights.push(p);
    }
    let concat = Matrix::from_columns(&outputs.iter().flat_map(|o| o.column_iter().map(|c| c.into_owned())).collect::<Vec<_>>());
    (w.o.forward(&concat), weights)
}

/// Each of the `blocks` column blocks of `x`, repeated `times` times in place.
fn repeat_interleave(x: &Matrix, blocks: usize, times: usize) -> Matrix {
    let d = x.ncols() / blocks;
    let columns: Vec<_> = (0..blocks * times)
        .flat_map(|r| (0..d).map(move |c| (r / times) * d + c))
        .map(|c| x.column(c).into_owned())
        .collect();
    Matrix::from_columns(&columns)
}
