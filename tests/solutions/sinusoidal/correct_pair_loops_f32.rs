//! A loop over positions and pairs, in f32, writing both columns of a pair.

use attn_quiz::prelude::*;

pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    let mut pe = Matrix::zeros(len, d_model);
    for p in 0..len {
        for i in 0..d_model / 2 {
            let div = 10000f32.powf(2.0 * i as f32 / d_model as f32);
            let angle = p as f32 / div;
            pe[(p, 2 * i)] = angle.sin();
            pe[(p, 2 * i + 1)] = angle.cos();
        }
    }
    pe
}
