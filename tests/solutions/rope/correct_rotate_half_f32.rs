//! Hugging Face style in f32: out = x ⊙ cos + rotate(x) ⊙ sin, with the
//! pairing expressed as a "partner" column and a sign.
use attn_quiz::prelude::*;

pub fn apply_rope(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Matrix {
    let half = head_dim / 2;
    // For column c of a head block: its pair index, its partner column and
    // the sign the partner enters with.
    let pair_of = |c: usize| -> (usize, usize, f32) {
        match rope.style {
            RopeStyle::Interleaved if c.is_multiple_of(2) => (c / 2, c + 1, -1.0),
            RopeStyle::Interleaved => (c / 2, c - 1, 1.0),
            RopeStyle::HalfSplit if c < half => (c, c + half, -1.0),
            RopeStyle::HalfSplit => (c - half, c - half, 1.0),
        }
    };
    Matrix::from_fn(x.nrows(), x.ncols(), |r, col| {
        let (block, c) = (col - col % head_dim, col % head_dim);
        let (i, partner, sign) = pair_of(c);
        let inv_freq = 1.0 / rope.base.powf((2 * i) as f32 / head_dim as f32);
        let angle = positions[r] as f32 * inv_freq;
        x[(r, col)] * angle.cos() + sign * x[(r, block + partner)] * angle.sin()
    })
}
