//! The bias added to q·kᵀ, then everything scaled.

use attn_quiz::prelude::*;

fn power_of_two_slopes(n: usize) -> Vec<f32> {
    (1..=n).map(|h| 2f32.powf(-8.0 * h as f32 / n as f32)).collect()
}

fn slopes(n: usize) -> Vec<f32> {
    if n.is_power_of_two() {
        return power_of_two_slopes(n);
    }
    let c = 1 << n.ilog2();
    let mut slopes = power_of_two_slopes(c);
    slopes.extend(power_of_two_slopes(2 * c).into_iter().step_by(2).take(n - c));
    slopes
}

fn softmax_row(row: &mut [f32]) {
    let max = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in row.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in row.iter_mut() {
        *s /= sum;
    }
}

pub fn alibi_self_attention(x: &Matrix, w: &MultiHeadWeights) -> (Matrix, Vec<Matrix>) {
    let (q, k, v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
    let h = w.num_heads;
    let d_k = q.ncols() / h;
    let l = x.nrows();
    let m = slopes(h);
    let mut concat = Matrix::zeros(l, v.ncols());
    let mut all_weights = Vec::new();
    for (head, &slope) in m.iter().enumerate() {
        let q_h = q.columns(head * d_k, d_k);
        let k_h = k.columns(head * d_k, d_k);
        let v_h = v.columns(head * d_k, d_k);
        let mut scores = q_h * k_h.transpose();
        let scale = (d_k as f32).sqrt();
        for i in 0..l {
            let mut row = vec![0.0; l];
            for j in 0..l {
                row[j] = if j <= i { (scores[(i, j)] - slope * (i as f32 - j as f32)) / scale } else { f32::NEG_INFINITY };
            }
            softmax_row(&mut row);
            for j in 0..l {
                scores[(i, j)] = row[j];
            }
        }
        concat.columns_mut(head * d_k, d_k).copy_from(&(&scores * v_h));
        all_weights.push(scores);
    }
    (w.o.forward(&concat), all_weights)
}
