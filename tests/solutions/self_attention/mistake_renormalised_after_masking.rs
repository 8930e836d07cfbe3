//! attn = softmax(scores); attn = attn * mask; attn = attn / attn.sum(-1, keepdim=True)
use attn_quiz::prelude::*;

pub fn self_attention(x: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let (q, k, v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
    let d = q.ncols() / heads;
    let mut concat = Matrix::zeros(x.nrows(), heads * d);
    let mut weights = Vec::new();
    for h in 0..heads {
        let scores = q.columns(h * d, d) * k.columns(h * d, d).transpose() / (d as f32).sqrt();
        let mut attn = scores.clone();
        for mut row in attn.row_iter_mut() {
            let max = row.max();
            row.apply(|s| *s = (*s - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        if let Some(mask) = mask {
            attn = attn.zip_map(mask, |a, keep| if keep { a } else { 0.0 });
            for mut row in attn.row_iter_mut() {
                let sum = row.sum();
                row /= sum;
            }
        }
        concat.columns_mut(h * d, d).copy_from(&(&attn * v.columns(h * d, d)));
        weights.push(attn);
    }
    (w.o.forward(&concat), weights)
}
