//! The popular tutorial's `SelfAttention`, ported as it is written: one
//! `Linear(head_dim, head_dim, bias=False)` per projection, shared by every
//! head's slice of the input; `energy.masked_fill(mask == 0, -1e20)`; softmax
//! of `energy / sqrt(embed_size)`; then `fc_out`. Three mistakes: the per-head
//! projection, the scale, and the -1e20 fill (uniform weights on a fully
//! masked row).
use attn_quiz::prelude::*;

pub fn self_attention(x: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let embed_size = x.ncols();
    let heads = w.num_heads;
    let head_dim = embed_size / heads;
    // nn.Linear(self.head_dim, self.head_dim, bias=False)
    let small = |layer: &Linear| layer.weight.view((0, 0), (head_dim, head_dim)).into_owned();
    let (values, keys, queries) = (small(&w.v), small(&w.k), small(&w.q));
    let mut out = Matrix::zeros(x.nrows(), heads * head_dim);
    let mut attentions = Vec::new();
    for h in 0..heads {
        let x_h = x.columns(h * head_dim, head_dim);
        let (q, k, v) = (x_h * &queries, x_h * &keys, x_h * &values);
        let mut energy = &q * k.transpose();
        if let Some(mask) = mask {
            energy.zip_apply(mask, |e, m| {
                if !m {
                    *e = -1e20;
                }
            });
        }
        let mut attention = energy / (embed_size as f32).sqrt();
        for mut row in attention.row_iter_mut() {
            let max = row.max();
            row.apply(|e| *e = (*e - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        out.columns_mut(h * head_dim, head_dim).copy_from(&(&attention * v));
        attentions.push(attention);
    }
    (w.o.forward(&out), attentions)
}
