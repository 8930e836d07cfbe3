//! The naive form: rebuild every head's keys and values from the cached latents.

use attn_quiz::prelude::*;

fn rotate(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Matrix {
    let mut out = x.clone();
    let half = head_dim / 2;
    for (r, &position) in positions.iter().enumerate() {
        for block in (0..x.ncols()).step_by(head_dim) {
            for i in 0..half {
                let theta = rope.base.powf(-2.0 * i as f32 / head_dim as f32);
                let angle = position as f32 * theta;
                let (first, second) = match rope.style {
                    RopeStyle::Interleaved => (block + 2 * i, block + 2 * i + 1),
                    RopeStyle::HalfSplit => (block + i, block + i + half),
                };
                let (a, b) = (x[(r, first)], x[(r, second)]);
                out[(r, first)] = a * angle.cos() - b * angle.sin();
                out[(r, second)] = a * angle.sin() + b * angle.cos();
            }
        }
    }
    out
}

fn rms_norm(a: &Matrix, gain: &RowVector) -> Matrix {
    let mut c = a.clone();
    for mut row in c.row_iter_mut() {
        let rms = (row.norm_squared() / row.len() as f32 + 1e-6).sqrt();
        row /= rms;
        row.component_mul_assign(gain);
    }
    c
}

fn append(old: &Matrix, new: &Matrix) -> Matrix {
    let p = old.nrows();
    Matrix::from_fn(p + new.nrows(), new.ncols(), |r, c| if r < p { old[(r, c)] } else { new[(r - p, c)] })
}

pub fn mla_decode_step(x: &Matrix, cache: &mut MlaCache, w: &MlaWeights, rope: &Rope) -> (Matrix, Vec<Matrix>) {
    let h = w.num_heads;
    let (d_r, d_c) = (w.rope_dim, w.kv_norm.len());
    let (d_n, d_v) = (w.k_up.ncols() / h, w.v_up.ncols() / h);
    let (p, s) = (cache.latent.nrows(), x.nrows());
    let positions: Vec<usize> = (p..p + s).collect();

    let kv = w.kv_down.forward(x);
    let latent = rms_norm(&kv.columns(0, d_c).into_owned(), &w.kv_norm);
    let rope_key = rotate(&kv.columns(d_c, d_r).into_owned(), &positions, d_r, rope);
    cache.latent = append(&cache.latent, &latent);
    cache.rope_keys = append(&cache.rope_keys, &rope_key);

    let keys_content = &cache.latent * &w.k_up;
    let values = &cache.latent * &w.v_up;
    let q = w.q.forward(x);
    let scale = ((d_n + d_r) as f32).sqrt();
    let mut concat = Matrix::zeros(s, h * d_v);
    let mut weights = Vec::new();
    for head in 0..h {
        let start = head * (d_n + d_r);
        let q_content = q.columns(start, d_n).into_owned();
        let q_rope = rotate(&q.columns(start + d_n, d_r).into_owned(), &positions, d_r, rope);
        let k_content = keys_content.columns(head * d_n, d_n);
        let scores = (&q_content * k_content.transpose() + &q_rope * cache.rope_keys.transpose()) / scale;
        let mut probs = Matrix::zeros(s, p + s);
        for i in 0..s {
            let visible = p + i + 1;
            let max = (0..visible).map(|j| scores[(i, j)]).fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = (0..visible).map(|j| (scores[(i, j)] - max).exp()).sum();
            for j in 0..visible {
                probs[(i, j)] = (scores[(i, j)] - max).exp() / sum;
            }
        }
        concat.columns_mut(head * d_v, d_v).copy_from(&(&probs * values.columns(head * d_v, d_v)));
        weights.push(probs);
    }
    (w.o.forward(&concat), weights)
}
