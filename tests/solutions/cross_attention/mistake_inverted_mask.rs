//! Written for a padding mask (`true` = padding, `masked_fill(mask, -inf)`),
//! given the SPEC's mask where `true` means "may attend".
use attn_quiz::prelude::*;

pub fn cross_attention(x: &Matrix, memory: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let q = w.q.forward(x);
    let k = w.k.forward(memory);
    let v = w.v.forward(memory);
    let d = q.ncols() / heads;
    let mut concat = Matrix::zeros(x.nrows(), heads * d);
    let mut weights = Vec::new();
    for h in 0..heads {
        let mut scores = q.columns(h * d, d) * k.columns(h * d, d).transpose() / (d as f32).sqrt();
        if let Some(pad) = mask {
            scores.zip_apply(pad, |s, is_pad| {
                if is_pad {
                    *s = f32::NEG_INFINITY;
                }
            });
        }
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
        concat.columns_mut(h * d, d).copy_from(&(&scores * v.columns(h * d, d)));
        weights.push(scores);
    }
    (w.o.forward(&concat), weights)
}
