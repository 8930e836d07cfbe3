//! Rotates the whole row as one wide head: θ does not restart per head block.
use attn_quiz::prelude::*;

pub fn apply_rope(x: &Matrix, positions: &[usize], _head_dim: usize, rope: &Rope) -> Matrix {
    let d = x.ncols();
    let half = d / 2;
    let mut out = x.clone();
    for r in 0..x.nrows() {
        for i in 0..half {
            let theta = rope.base.powf(-2.0 * i as f32 / d as f32);
            let angle = positions[r] as f32 * theta;
            let (c0, c1) = match rope.style {
                RopeStyle::Interleaved => (2 * i, 2 * i + 1),
                RopeStyle::HalfSplit => (i, i + half),
            };
            let (a, b) = (x[(r, c0)], x[(r, c1)]);
            out[(r, c0)] = a * angle.cos() - b * angle.sin();
            out[(r, c1)] = a * angle.sin() + b * angle.cos();
        }
    }
    out
}
