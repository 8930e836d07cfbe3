//! Each head projects with its own column block of W (and of b) instead of
//! projecting everything once and splitting: the same numbers, another route.
use attn_quiz::prelude::*;

pub fn cross_attention(x: &Matrix, memory: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let d_k = w.q.weight.ncols() / heads;
    let d_v = w.v.weight.ncols() / heads;
    let mut output = Matrix::zeros(x.nrows(), w.o.weight.ncols());
    let mut weights = Vec::new();
    for h in 0..heads {
        let q = head_projection(x, &w.q, h * d_k, d_k);
        let k = head_projection(memory, &w.k, h * d_k, d_k);
        let v = head_projection(memory, &w.v, h * d_v, d_v);
        let mut p = (q * k.transpose()) / (d_k as f32).sqrt();
        for (i, mut row) in p.row_iter_mut().enumerate() {
            let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
            let max = (0..row.len()).filter(|&j| allowed(j)).map(|j| row[j]).fold(f32::NEG_INFINITY, f32::max);
            for j in 0..row.len() {
                row[j] = if allowed(j) { (row[j] - max).exp() } else { 0.0 };
            }
            let sum = row.sum();
            if sum > 0.0 {
                row /= sum;
            }
        }
        // This head's share of the output projection: its d_v rows of W_o.
        output += &p * v * w.o.weight.rows(h * d_v, d_v);
        weights.push(p);
    }
    for mut row in output.row_iter_mut() {
        row += &w.o.bias;
    }
    (output, weights)
}

/// x · W[:, start..start + width] + b[start..start + width].
fn head_projection(x: &Matrix, layer: &Linear, start: usize, width: usize) -> Matrix {
    let mut y = x * layer.weight.columns(start, width);
    for mut row in y.row_iter_mut() {
        row += layer.bias.columns(start, width);
    }
    y
}
