//! The absorbed form, in f64: each query's content part is multiplied by W_UKᵀ
//! and scored against the cached latents themselves; the output is (P·C)·W_UV.

use attn_quiz::nalgebra::DMatrix;
use attn_quiz::prelude::*;

type M64 = DMatrix<f64>;

fn wide(m: &Matrix) -> M64 {
    m.map(|x| x as f64)
}

fn rope_rows(x: &M64, first_position: usize, rope: &Rope) -> M64 {
    let d = x.ncols();
    let mut out = x.clone();
    for r in 0..x.nrows() {
        let position = (first_position + r) as f64;
        for i in 0..d / 2 {
            let angle = position * (rope.base as f64).powf(-2.0 * i as f64 / d as f64);
            let (c0, c1) = if rope.style == RopeStyle::Interleaved { (2 * i, 2 * i + 1) } else { (i, i + d / 2) };
            let (a, b) = (x[(r, c0)], x[(r, c1)]);
            out[(r, c0)] = a * angle.cos() - b * angle.sin();
            out[(r, c1)] = a * angle.sin() + b * angle.cos();
        }
    }
    out
}

fn stack(old: &Matrix, new: &M64) -> Matrix {
    let p = old.nrows();
    Matrix::from_fn(p + new.nrows(), old.ncols(), |r, c| if r < p { old[(r, c)] } else { new[(r - p, c)] as f32 })
}

pub fn mla_decode_step(x: &Matrix, cache: &mut MlaCache, w: &MlaWeights, rope: &Rope) -> (Matrix, Vec<Matrix>) {
    let heads = w.num_heads;
    let (d_r, d_c) = (w.rope_dim, w.kv_norm.len());
    let (d_n, d_v) = (w.k_up.ncols() / heads, w.v_up.ncols() / heads);
    let (p, s) = (cache.latent.nrows(), x.nrows());

    let kv = wide(&w.kv_down.forward(x));
    let mut c = kv.columns(0, d_c).into_owned();
    for mut row in c.row_iter_mut() {
        let mean_square = row.iter().map(|a| a * a).sum::<f64>() / d_c as f64;
        let inverse = 1.0 / (mean_square + 1e-6).sqrt();
        for (j, a) in row.iter_mut().enumerate() {
            *a *= inverse * w.kv_norm[j] as f64;
        }
    }
    let k_rope = rope_rows(&kv.columns(d_c, d_r).into_owned(), p, rope);
    cache.latent = stack(&cache.latent, &c);
    cache.rope_keys = stack(&cache.rope_keys, &k_rope);

    let latents = wide(&cache.latent);
    let rope_keys = wide(&cache.rope_keys);
    let q = wide(&w.q.forward(x));
    let (k_up, v_up) = (wide(&w.k_up), wide(&w.v_up));
    let scale = 1.0 / ((d_n + d_r) as f64).sqrt();
    let mut concat = Matrix::zeros(s, heads * d_v);
    let mut weights = Vec::new();
    for h in 0..heads {
        let base = h * (d_n + d_r);
        let absorbed = q.columns(base, d_n) * k_up.columns(h * d_n, d_n).transpose(); // (s, d_c)
        let q_rope = rope_rows(&q.columns(base + d_n, d_r).into_owned(), p, rope);
        let scores = (absorbed * latents.transpose() + q_rope * rope_keys.transpose()) * scale;
        let mut probs = M64::zeros(s, p + s);
        for i in 0..s {
            let seen = p + i + 1;
            let max = scores.row(i).columns(0, seen).max();
            let total: f64 = scores.row(i).columns(0, seen).iter().map(|z| (z - max).exp()).sum();
            for j in 0..seen {
                probs[(i, j)] = (scores[(i, j)] - max).exp() / total;
            }
        }
        let head = (&probs * &latents) * v_up.columns(h * d_v, d_v);
        concat.columns_mut(h * d_v, d_v).copy_from(&head.map(|a| a as f32));
        weights.push(probs.map(|a| a as f32));
    }
    (w.o.forward(&concat), weights)
}
