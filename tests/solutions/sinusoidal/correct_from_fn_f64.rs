//! One entry at a time, angles in f64.

use attn_quiz::prelude::*;

pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    Matrix::from_fn(len, d_model, |p, c| {
        let i = c / 2;
        let omega = 10000f64.powf(-2.0 * i as f64 / d_model as f64);
        let angle = p as f64 * omega;
        if c % 2 == 0 { angle.sin() as f32 } else { angle.cos() as f32 }
    })
}
