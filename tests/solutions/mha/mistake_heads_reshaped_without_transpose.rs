//! Ported from numpy: `q.reshape(H, L, d)` and `out.reshape(L, H * d)`, no transposes.
use attn_quiz::prelude::*;

pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let h = w.num_heads;
    let q = split(&w.q.forward(query), h);
    let k = split(&w.k.forward(key), h);
    let v = split(&w.v.forward(value), h);
    let d = q[0].ncols();
    let mut outs = Vec::new();
    let mut weights = Vec::new();
    for head in 0..h {
        let mut s = &q[head] * k[head].transpose() / (d as f32).sqrt();
        if let Some(m) = mask {
            s.zip_apply(m, |x, keep| {
                if !keep {
                    *x = f32::NEG_INFINITY;
                }
            });
        }
        for mut row in s.row_iter_mut() {
            let max = row.max();
            if max == f32::NEG_INFINITY {
                row.fill(0.0);
                continue;
            }
            row.apply(|x| *x = (*x - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        outs.push(&s * &v[head]);
        weights.push(s);
    }
    (w.o.forward(&merge(&outs)), weights)
}

/// Row-major (L, H·d) -> (H, L, d), the way numpy's reshape reads the buffer.
fn split(x: &Matrix, h: usize) -> Vec<Matrix> {
    let (l, width) = x.shape();
    let d = width / h;
    let flat: Vec<f32> = x.row_iter().flat_map(|r| r.iter().copied().collect::<Vec<_>>()).collect();
    (0..h).map(|head| Matrix::from_row_slice(l, d, &flat[head * l * d..(head + 1) * l * d])).collect()
}

/// (H, L, d) -> (L, H·d), again straight through the buffer.
fn merge(heads: &[Matrix]) -> Matrix {
    let (l, d) = heads[0].shape();
    let flat: Vec<f32> = heads.iter().flat_map(|m| m.row_iter().flat_map(|r| r.iter().copied().collect::<Vec<_>>()).collect::<Vec<_>>()).collect();
    Matrix::from_row_slice(l, heads.len() * d, &flat)
}
