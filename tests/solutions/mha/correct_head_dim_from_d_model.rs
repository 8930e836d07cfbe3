//! Multi-head attention written the PyTorch way: head_dim = d_model / num_heads,
//! read off the input width, which the SPEC's (D × D) projections make equal to
//! the per-head width of the projections.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let d_model = query.ncols();
    let head_dim = d_model / w.num_heads;
    let (q, k, v) = (w.q.forward(query), w.k.forward(key), w.v.forward(value));
    let mut concat = Matrix::zeros(query.nrows(), d_model);
    let mut all_weights = Vec::with_capacity(w.num_heads);
    for h in 0..w.num_heads {
        let cols = h * head_dim;
        let scores = q.columns(cols, head_dim) * k.columns(cols, head_dim).transpose() / (head_dim as f32).sqrt();
        let weights = Matrix::from_fn(scores.nrows(), scores.ncols(), |i, j| {
            let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
            let row_max = (0..scores.ncols()).filter(|&t| allowed(t)).map(|t| scores[(i, t)]).fold(f32::MIN, f32::max);
            let total: f32 = (0..scores.ncols()).filter(|&t| allowed(t)).map(|t| (scores[(i, t)] - row_max).exp()).sum();
            if allowed(j) { (scores[(i, j)] - row_max).exp() / total } else { 0.0 }
        });
        concat.columns_mut(cols, head_dim).copy_from(&(&weights * v.columns(cols, head_dim)));
        all_weights.push(weights);
    }
    (w.o.forward(&concat), all_weights)
}
