//! tensor2tensor's layout: all the sines, then all the cosines.

use attn_quiz::prelude::*;

pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    let half = d_model / 2;
    let mut pe = Matrix::zeros(len, d_model);
    for p in 0..len {
        for i in 0..half {
            let angle = p as f32 / 10000f32.powf(2.0 * i as f32 / d_model as f32);
            pe[(p, i)] = angle.sin();
            pe[(p, half + i)] = angle.cos();
        }
    }
    pe
}
