//! One attention pattern for the whole layer: the heads' weights averaged, then used by every head.
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
    let d = q.ncols() / heads;
    let mut mean = Matrix::zeros(query.nrows(), key.nrows());
    for h in 0..heads {
        let scores = q.columns(h * d, d) * k.columns(h * d, d).transpose() / (d as f32).sqrt();
        mean += masked_softmax(&scores, mask) / heads as f32;
    }
    let mut concat = Matrix::zeros(query.nrows(), heads * d);
    for h in 0..heads {
        concat.columns_mut(h * d, d).copy_from(&(&mean * v.columns(h * d, d)));
    }
    (w.o.forward(&concat), vec![mean; heads])
}

fn masked_softmax(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    let mut weights = Matrix::zeros(scores.nrows(), scores.ncols());
    for i in 0..scores.nrows() {
        let allowed: Vec<usize> = (0..scores.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(max) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else {
            continue;
        };
        let sum: f32 = allowed.iter().map(|&j| (scores[(i, j)] - max).exp()).sum();
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp() / sum;
        }
    }
    weights
}
