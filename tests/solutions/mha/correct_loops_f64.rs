//! Everything as explicit loops in f64, one head at a time, reading W column by column.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let d_k = w.q.weight.ncols() / heads;
    let d_v = w.v.weight.ncols() / heads;
    let (l_q, l_k) = (query.nrows(), key.nrows());
    let mut concat = vec![vec![0.0f64; heads * d_v]; l_q];
    let mut all_weights = Vec::new();
    for h in 0..heads {
        let q = project(query, &w.q, h * d_k, d_k);
        let k = project(key, &w.k, h * d_k, d_k);
        let v = project(value, &w.v, h * d_v, d_v);
        let mut weights = Matrix::zeros(l_q, l_k);
        for i in 0..l_q {
            let allowed: Vec<usize> = (0..l_k).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
            if allowed.is_empty() {
                continue;
            }
            let score = |j: usize| (0..d_k).map(|c| q[i][c] * k[j][c]).sum::<f64>() / (d_k as f64).sqrt();
            let max = allowed.iter().map(|&j| score(j)).fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = allowed.iter().map(|&j| (score(j) - max).exp()).sum();
            for &j in &allowed {
                let p = (score(j) - max).exp() / sum;
                weights[(i, j)] = p as f32;
                for c in 0..d_v {
                    concat[i][h * d_v + c] += p * v[j][c];
                }
            }
        }
        all_weights.push(weights);
    }
    let d_out = w.o.weight.ncols();
    let output = Matrix::from_fn(l_q, d_out, |i, o| {
        let dot: f64 = (0..heads * d_v).map(|c| concat[i][c] * w.o.weight[(c, o)] as f64).sum();
        (dot + w.o.bias[o] as f64) as f32
    });
    (output, all_weights)
}

/// Columns [start, start + width) of x·W + b, in f64, one row per position.
fn project(x: &Matrix, layer: &Linear, start: usize, width: usize) -> Vec<Vec<f64>> {
    (0..x.nrows())
        .map(|i| {
            (start..start + width)
                .map(|o| {
                    let dot: f64 = (0..x.ncols()).map(|c| x[(i, c)] as f64 * layer.weight[(c, o)] as f64).sum();
                    dot + layer.bias[o] as f64
                })
                .collect()
        })
        .collect()
}
