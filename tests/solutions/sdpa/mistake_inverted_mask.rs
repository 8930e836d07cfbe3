//! Reads `true` as blocked.
use attn_quiz::prelude::*;

pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / (q.ncols() as f32).sqrt(); // (l_q, l_k)
    let blocked = mask.map(|m| m.map(|allowed| !allowed));
    let weights = masked_softmax(&scores, blocked.as_ref());
    (&weights * v, weights)
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
