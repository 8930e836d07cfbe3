//! The column index in the exponent: the cosine of a pair gets its own frequency.

use attn_quiz::prelude::*;

pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    Matrix::from_fn(len, d_model, |p, c| {
        let angle = p as f32 / 10000f32.powf(c as f32 / d_model as f32);
        if c % 2 == 0 { angle.sin() } else { angle.cos() }
    })
}
