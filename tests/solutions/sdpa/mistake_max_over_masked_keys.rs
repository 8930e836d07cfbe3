//! Stable softmax over the allowed keys, but the max is taken over the whole row first.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt();
    let (l_q, l_k) = scores.shape();
    let mut weights = Matrix::zeros(l_q, l_k);
    for i in 0..l_q {
        let max = scores.row(i).max();
        let allowed: Vec<usize> = (0..l_k).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let mut sum = 0.0;
        for &j in &allowed {
            weights[(i, j)] = (scores[(i, j)] - max).exp();
            sum += weights[(i, j)];
        }
        for &j in &allowed {
            weights[(i, j)] /= sum;
        }
    }
    (&weights * v, weights)
}
