//! The -inf fill, with a guard that turns a fully masked row into zeros;
//! heads cut with split_heads-style slicing into separate matrices first.
use attn_quiz::prelude::*;

pub fn self_attention(x: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let split = |m: Matrix| -> Vec<Matrix> {
        let d = m.ncols() / heads;
        (0..heads).map(|h| m.columns(h * d, d).into_owned()).collect()
    };
    let (qs, ks, vs) = (split(w.q.forward(x)), split(w.k.forward(x)), split(w.v.forward(x)));
    let mut outputs = Vec::new();
    let mut weights = Vec::new();
    for ((q, k), v) in qs.iter().zip(&ks).zip(&vs) {
        let mut scores = q * k.transpose() * (1.0 / (q.ncols() as f32).sqrt());
        if let Some(mask) = mask {
            scores.zip_apply(mask, |s, allowed| {
                if !allowed {
                    *s = f32::NEG_INFINITY;
                }
            });
        }
        let p = softmax_guarded(scores);
        outputs.push(&p * v);
        weights.push(p);
    }
    let concat = Matrix::from_fn(x.nrows(), outputs.iter().map(|o| o.ncols()).sum(), |i, c| {
        let d = outputs[0].ncols();
        outputs[c / d][(i, c % d)]
    });
    (w.o.forward(&concat), weights)
}

/// Row softmax; a row that is all -inf becomes all zero instead of NaN.
fn softmax_guarded(mut scores: Matrix) -> Matrix {
    for mut row in scores.row_iter_mut() {
        let max = row.max();
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    scores
}
