//! Counting positions from 1, as people count tokens.

use attn_quiz::prelude::*;

pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    Matrix::from_fn(len, d_model, |row, c| {
        let position = (row + 1) as f64;
        let angle = position * 10000f64.powf(-2.0 * (c / 2) as f64 / d_model as f64);
        if c % 2 == 0 { angle.sin() as f32 } else { angle.cos() as f32 }
    })
}
