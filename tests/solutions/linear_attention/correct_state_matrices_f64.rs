//! φ(K)ᵀ·V with nalgebra in f64 for all keys; causal by rebuilding each prefix state.

use attn_quiz::prelude::*;
use attn_quiz::nalgebra::DMatrix;

pub fn linear_attention(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool) -> Matrix {
    let feature = |m: &Matrix| m.map(|x| if x > 0.0 { x as f64 + 1.0 } else { (x as f64).exp() });
    let (fq, fk) = (feature(q), feature(k));
    let v64: DMatrix<f64> = v.map(|x| x as f64);
    let (l_q, l_k) = (q.nrows(), k.nrows());
    let mut out = Matrix::zeros(l_q, v.ncols());
    let mut state = DMatrix::<f64>::zeros(fk.ncols(), v.ncols());
    let mut z = DMatrix::<f64>::zeros(fk.ncols(), 1);
    let mut added = 0;
    for i in 0..l_q {
        let upto = if causal { i + 1 + l_k - l_q } else { l_k };
        if upto > added {
            let keys = fk.rows(added, upto - added);
            state += keys.transpose() * v64.rows(added, upto - added);
            z += keys.transpose() * DMatrix::<f64>::from_element(upto - added, 1, 1.0);
            added = upto;
        }
        let row = fq.row(i);
        let numerator = row * &state;
        let denominator = (row * &z)[(0, 0)] + 1e-6;
        for c in 0..v.ncols() {
            out[(i, c)] = (numerator[(0, c)] / denominator) as f32;
        }
    }
    out
}
