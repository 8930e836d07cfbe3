//! φ = exp: positive, but not elu + 1.

use attn_quiz::prelude::*;

fn phi(x: f32) -> f32 {
    x.exp()
}

pub fn linear_attention(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool) -> Matrix {
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let mut s = Matrix::zeros(d_k, d_v);
    let mut z = vec![0.0f32; d_k];
    let mut out = Matrix::zeros(l_q, d_v);
    let mut added = 0;
    for i in 0..l_q {
        let upto = if causal { i + 1 + l_k - l_q } else { l_k };
        while added < upto {
            for a in 0..d_k {
                let f = phi(k[(added, a)]);
                z[a] += f;
                for b in 0..d_v {
                    s[(a, b)] += f * v[(added, b)];
                }
            }
            added += 1;
        }
        let fq: Vec<f32> = (0..d_k).map(|a| phi(q[(i, a)])).collect();
        let denominator: f32 = fq.iter().zip(&z).map(|(f, z)| f * z).sum::<f32>() + 1e-6;
        for b in 0..d_v {
            let numerator: f32 = (0..d_k).map(|a| fq[a] * s[(a, b)]).sum();
            out[(i, b)] = numerator / denominator;
        }
    }
    out
}
