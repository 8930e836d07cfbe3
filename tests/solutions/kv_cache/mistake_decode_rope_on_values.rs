//! Rotates the values too.
use attn_quiz::prelude::*;

pub fn decode_step(x: &Matrix, cache: &mut KvCache, w: &GroupedQueryWeights, rope: Option<&Rope>) -> (Matrix, Vec<Matrix>) {
    let (h, g) = (w.num_heads, w.num_kv_heads);
    let p = cache.keys.nrows();
    let s = x.nrows();
    let mut q = w.q.forward(x);
    let mut k = w.k.forward(x);
    let mut v = w.v.forward(x);
    let d_k = q.ncols() / h;
    if let Some(rope) = rope {
        let positions: Vec<usize> = (p..p + s).collect();
        q = rotate(&q, &positions, d_k, rope);
        k = rotate(&k, &positions, d_k, rope);
        v = rotate(&v, &positions, d_k, rope);
    }
    cache.keys = stack(&cache.keys, &k);
    cache.values = stack(&cache.values, &v);
    let (keys, values) = (&cache.keys, &cache.values);
    let mut concat = Matrix::zeros(s, h * d_k);
    let mut weights = Vec::new();
    for head in 0..h {
        let kv = head / (h / g) * d_k;
        let q_h = q.columns(head * d_k, d_k).into_owned();
        let k_h = keys.columns(kv, d_k).into_owned();
        let v_h = values.columns(kv, d_k).into_owned();
        let scores = q_h * k_h.transpose() / (d_k as f32).sqrt();
        let mut p_h = Matrix::zeros(s, scores.ncols());
        for i in 0..s {
            let visible: Vec<usize> = (0..scores.ncols()).filter(|&j| j <= p + i).collect();
            let Some(max) = visible.iter().map(|&j| scores[(i, j)]).reduce(f32::max) else { continue };
            let sum: f32 = visible.iter().map(|&j| (scores[(i, j)] - max).exp()).sum();
            for &j in &visible {
                p_h[(i, j)] = (scores[(i, j)] - max).exp() / sum;
            }
        }
        concat.columns_mut(head * d_k, d_k).copy_from(&(&p_h * v_h));
        weights.push(p_h);
    }
    (w.o.forward(&concat), weights)
}

/// `bottom` under `top` (an empty `top` may have any width).
fn stack(top: &Matrix, bottom: &Matrix) -> Matrix {
    let p = top.nrows();
    Matrix::from_fn(p + bottom.nrows(), bottom.ncols(), |r, c| if r < p { top[(r, c)] } else { bottom[(r - p, c)] })
}

/// RoPE on every head block of `x`, row r at `positions[r]`.
fn rotate(x: &Matrix, positions: &[usize], d: usize, rope: &Rope) -> Matrix {
    let mut out = x.clone();
    for r in 0..x.nrows() {
        for block in (0..x.ncols()).step_by(d) {
            for i in 0..d / 2 {
                let angle = positions[r] as f64 * (rope.base as f64).powf(-2.0 * i as f64 / d as f64);
                let (c0, c1) = match rope.style {
                    RopeStyle::Interleaved => (block + 2 * i, block + 2 * i + 1),
                    RopeStyle::HalfSplit => (block + i, block + i + d / 2),
                };
                let (a, b) = (x[(r, c0)] as f64, x[(r, c1)] as f64);
                out[(r, c0)] = (a * angle.cos() - b * angle.sin()) as f32;
                out[(r, c1)] = (a * angle.sin() + b * angle.cos()) as f32;
            }
        }
    }
    out
}
