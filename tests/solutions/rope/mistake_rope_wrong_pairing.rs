//! The two pairings swapped (Llama's interleaved read as rotate_half and back).
use attn_quiz::prelude::*;

pub fn apply_rope(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Matrix {
    let mut out = x.clone();
    let half = head_dim / 2;
    for r in 0..x.nrows() {
        let pos = positions[r] as f64;
        for block in (0..x.ncols()).step_by(head_dim) {
            for i in 0..half {
                let theta = (rope.base as f64).powf(-2.0 * i as f64 / head_dim as f64);
                let (sin, cos) = (pos * theta).sin_cos();
                let (c0, c1) = match rope.style {
                    RopeStyle::HalfSplit => (block + 2 * i, block + 2 * i + 1),
                    RopeStyle::Interleaved => (block + i, block + i + half),
                };
                let (a, b) = (x[(r, c0)] as f64, x[(r, c1)] as f64);
                out[(r, c0)] = (a * cos - b * sin) as f32;
                out[(r, c1)] = (a * sin + b * cos) as f32;
            }
        }
    }
    out
}
