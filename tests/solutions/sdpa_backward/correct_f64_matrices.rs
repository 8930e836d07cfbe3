//! A correct answer in another style: whole matrices, in f64, D from dO ⊙ O.

use attn_quiz::prelude::*;
use attn_quiz::nalgebra::DMatrix;

pub fn sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
) -> (Matrix, Matrix, Matrix) {
    let wide = |m: &Matrix| m.map(f64::from);
    let (q, k, v, d_out) = (wide(q), wide(k), wide(v), wide(d_out));
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let scores = &q * k.transpose() * scale;
    let mut p = DMatrix::<f64>::zeros(scores.nrows(), scores.ncols());
    for i in 0..p.nrows() {
        let allowed: Vec<usize> = (0..p.ncols()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let Some(m) = allowed.iter().map(|&j| scores[(i, j)]).reduce(f64::max) else { continue };
        let sum: f64 = allowed.iter().map(|&j| (scores[(i, j)] - m).exp()).sum();
        for &j in &allowed {
            p[(i, j)] = (scores[(i, j)] - m).exp() / sum;
        }
    }
    let out = &p * &v;
    let dv = p.transpose() * &d_out;
    let dp = &d_out * v.transpose();
    let d = d_out.component_mul(&out).column_sum(); // D_i = dO_i · O_i
    let ds = DMatrix::from_fn(p.nrows(), p.ncols(), |i, j| p[(i, j)] * (dp[(i, j)] - d[i]));
    let dq = &ds * &k * scale;
    let dk = ds.transpose() * &q * scale;
    let narrow = |m: DMatrix<f64>| m.map(|x| x as f32);
    (narrow(dq), narrow(dk), narrow(dv))
}
