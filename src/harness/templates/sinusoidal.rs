//! # Exercise: sinusoidal position encodings
//!
//! The original Transformer's positions (*Attention Is All You Need*, 2017,
//! section 3.5): a fixed (len × d_model) table PE that is added to the token
//! embeddings. Column pair i of row p holds the sine and the cosine of one
//! angle:
//!
//! ```text
//! ω_i = 10000^(−2i/d_model),   0 ≤ i < d_model/2
//! PE[p, 2i]   = sin(p·ω_i)
//! PE[p, 2i+1] = cos(p·ω_i)
//! ```
//!
//! Shapes: len, d_model (even) -> (len × d_model), one row per position
//! 0..len.
//!
//! Conventions:
//! - Interleaved, as in the paper: sin in the even columns, cos in the odd
//!   ones. (tensor2tensor's `[sin | cos]` halves are another layout.)
//! - i is the pair index: columns 2i and 2i+1 share the frequency ω_i.
//! - Positions start at 0, and row 0 is [0, 1, 0, 1, ...], not zeros.
//! - The checker keeps p·ω_0 = p below 50; f32 or f64 angles both pass.
//!
//! Pitfalls: the exponent is 2i/d_model, not i/d_model nor c/d_model with c
//! the column; sin first, then cos; interleaved, not halves.
//!
//! Check your answer:  `attn-quiz check exercises/sinusoidal.rs`
//! Stuck?              `attn-quiz hint sinusoidal` (one hint at a time)

use attn_quiz::prelude::*;

/// The sinusoidal position encodings of positions 0..len, (len × d_model).
pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    todo!("PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d_model)")
}
