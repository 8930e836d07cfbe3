//! Multi-head self-attention; the gate weights are never used.
use attn_quiz::prelude::*;

pub fn gated_self_attention(x: &Matrix, w: &GatedWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.attn.num_heads;
    let (q, k, v) = (w.attn.q.forward(x), w.attn.k.forward(x), w.attn.v.forward(x));
    let d = q.ncols() / heads;
    let mut outs = Vec::new();
    let mut weights = Vec::new();
    for h in 0..heads {
        let s = q.columns(h * d, d) * k.columns(h * d, d).transpose() / (d as f32).sqrt();
        let p = softmax(s, mask);
        outs.push(&p * v.columns(h * d, d));
        weights.push(p);
    }
    let concat = Matrix::from_columns(&outs.iter().flat_map(|o| o.column_iter().map(|c| c.into_owned())).collect::<Vec<_>>());
    (w.attn.o.forward(&concat), weights)
}

fn softmax(mut s: Matrix, mask: Option<&Mask>) -> Matrix {
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
    s
}
