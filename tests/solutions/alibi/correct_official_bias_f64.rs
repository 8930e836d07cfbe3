//! The authors' code adds +m·j (a constant per row away from −m·(i − j)), in f64 loops.

use attn_quiz::prelude::*;

fn get_slopes(n: usize) -> Vec<f64> {
    let power_of_2 = |n: usize| -> Vec<f64> {
        let start = 2f64.powf(-(2f64.powf(-((n as f64).log2() - 3.0))));
        (0..n).map(|i| start * start.powi(i as i32)).collect()
    };
    if n.is_power_of_two() {
        power_of_2(n)
    } else {
        let closest = 2usize.pow((n as f64).log2().floor() as u32);
        let mut out = power_of_2(closest);
        let extra: Vec<f64> = get_slopes(2 * closest).into_iter().step_by(2).collect();
        out.extend(extra.into_iter().take(n - closest));
        out
    }
}

pub fn alibi_self_attention(x: &Matrix, w: &MultiHeadWeights) -> (Matrix, Vec<Matrix>) {
    let (q, k, v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
    let heads = w.num_heads;
    let d = q.ncols() / heads;
    let l = x.nrows();
    let slopes = get_slopes(heads);
    let mut concat = Matrix::zeros(l, heads * d);
    let mut weights = Vec::new();
    for h in 0..heads {
        let mut p = Matrix::zeros(l, l);
        for i in 0..l {
            let score = |j: usize| -> f64 {
                let dot: f64 = (0..d).map(|c| q[(i, h * d + c)] as f64 * k[(j, h * d + c)] as f64).sum();
                dot / (d as f64).sqrt() + slopes[h] * j as f64
            };
            let max = (0..=i).map(score).fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = (0..=i).map(|j| (score(j) - max).exp()).sum();
            for j in 0..=i {
                p[(i, j)] = ((score(j) - max).exp() / total) as f32;
            }
            for c in 0..d {
                let sum: f64 = (0..=i).map(|j| p[(i, j)] as f64 * v[(j, h * d + c)] as f64).sum();
                concat[(i, h * d + c)] = sum as f32;
            }
        }
        weights.push(p);
    }
    (w.o.forward(&concat), weights)
}
