//! Rotary position embeddings (RoPE): position enters attention by rotating
//! queries and keys, not by adding a vector to the input.
//!
//! **Versus multi-head / grouped-query attention:** nothing changes in the
//! heads, the softmax or the output projection. Between projecting and scoring,
//! every query and key row is rotated by an angle proportional to its position;
//! values are left alone. Attention itself stays [`sdpa`](super::sdpa).
//!
//! *RoFormer: Enhanced Transformer with Rotary Position Embedding* (Su et al.,
//! 2021). Cut each head's d = head_dim columns into d/2 pairs; pair i of the
//! row at position m turns by the angle m·θ_i:
//!
//! ```text
//! θ_i = base^(−2i/d),   0 ≤ i < d/2
//! (a, b) -> (a·cos(m·θ_i) − b·sin(m·θ_i),  a·sin(m·θ_i) + b·cos(m·θ_i))
//! ```
//!
//! Why it works: a rotation keeps lengths, and the dot product of a pair of q
//! turned by m·θ with a pair of k turned by n·θ is the unrotated dot product
//! turned by (m − n)·θ. So `q_m·k_n` depends on the positions only through the
//! offset m − n: relative position for free, with no learned parameter. Pair 0
//! spins fastest (θ_0 = 1 rad per position), the last pair barely moves;
//! a larger base (Llama 3 uses 500 000) slows all of them, for longer contexts.
//!
//! **Two pairings, one model.** [`RopeStyle::Interleaved`] pairs columns
//! (2i, 2i+1) of a head (GPT-J, Meta's Llama code, which views them as complex
//! numbers); [`RopeStyle::HalfSplit`] pairs (i, i + d/2) (GPT-NeoX, Hugging
//! Face's `rotate_half`). Let P be the column permutation sending interleaved
//! column 2i to i and 2i+1 to i + d/2. Then `half_split(x·P) = interleaved(x)·P`,
//! and since (q·P)·(k·P)ᵀ = q·P·Pᵀ·kᵀ = q·kᵀ, permuting the columns of W_Q and
//! W_K by P turns one model into the other with identical attention weights.
//! Converting Meta checkpoints to Hugging Face format permutes them just so.
//!
//! Pitfalls:
//! - **Mixing the pairings**: loading Meta weights into `rotate_half` code (or
//!   back) without permuting W_Q, W_K gives garbage that still "runs".
//! - **Rotate per head**, with head_dim, not across the model width: θ restarts
//!   at every head block.
//! - **Never rotate the values**, and rotate keys *before* caching them
//!   ([`kv_cache`](super::kv_cache)): a cached key keeps its own position.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::apply_rope;
//!
//! // With base 1 every θ_i is 1: position 1 turns every pair by 1 radian.
//! let rope = Rope { base: 1.0, style: RopeStyle::Interleaved };
//! let x = Matrix::from_row_slice(1, 4, &[1.0, 0.0, 0.0, 2.0]);
//! let y = apply_rope(&x, &[1], 4, &rope);
//! let (c, s) = (1f32.cos(), 1f32.sin()); // 0.5403, 0.8415
//! // Pair (1, 0) -> (cos 1, sin 1); pair (0, 2) -> (−2·sin 1, 2·cos 1).
//! assert!((y[(0, 0)] - c).abs() < 1e-6 && (y[(0, 1)] - s).abs() < 1e-6);
//! assert!((y[(0, 2)] + 2.0 * s).abs() < 1e-6 && (y[(0, 3)] - 2.0 * c).abs() < 1e-6);
//! // Half-split pairs columns (0, 2) and (1, 3) instead: (1, 0) and (0, 2).
//! let half = apply_rope(&x, &[1], 4, &Rope { style: RopeStyle::HalfSplit, ..rope });
//! assert!((half[(0, 0)] - c).abs() < 1e-6 && (half[(0, 2)] - s).abs() < 1e-6);
//! assert!((half[(0, 1)] + 2.0 * s).abs() < 1e-6 && (half[(0, 3)] - 2.0 * c).abs() < 1e-6);
//! // Position 0 is the identity.
//! assert_eq!(apply_rope(&x, &[0], 4, &rope), x);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::{Rope, RopeStyle};
use crate::prelude::Matrix;
use crate::trace;

/// Rotates every head block of every row of `x` by its row's position.
///
/// Shapes: x (l × n·head_dim), positions (l), head_dim even
/// -> (l × n·head_dim). Positions may be in any order and may repeat.
///
/// # Panics
/// If the shapes do not fit; see [`try_apply_rope`].
#[track_caller]
pub fn apply_rope(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Matrix {
    or_panic(try_apply_rope(x, positions, head_dim, rope))
}

/// [`apply_rope`] that reports bad shapes as an error.
pub fn try_apply_rope(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Result<Matrix, ShapeError> {
    check_shapes(x, positions, head_dim)?;
    let half = head_dim / 2;
    // 1. One frequency per pair: θ_i = base^(−2i/d), from 1 rad/position down.
    let theta = frequencies(head_dim, rope.base); // (d/2)
    report_angles(&theta, positions); // numbers for `attn-quiz trace rope`, else a no-op
    // 2. The angle of every (position, pair), in f64 so that pos·θ keeps its
    //    f32 digits even at large positions.
    let angle = |row: usize, i: usize| positions[row] as f64 * theta[i];
    let cos = Matrix::from_fn(x.nrows(), half, |r, i| angle(r, i).cos() as f32); // (l, d/2)
    let sin = Matrix::from_fn(x.nrows(), half, |r, i| angle(r, i).sin() as f32); // (l, d/2)
    // 3. Rotate pair i of every head block: (a, b) -> (a·cos − b·sin, a·sin + b·cos).
    let mut rotated = x.clone(); // (l, n·d), overwritten pair by pair
    for block in (0..x.ncols()).step_by(head_dim) {
        for i in 0..half {
            let (first, second) = pair_columns(i, head_dim, rope.style);
            let (a, b) = (x.column(block + first), x.column(block + second)); // (l, 1) each
            let (c, s) = (cos.column(i), sin.column(i)); // (l, 1) each
            rotated.set_column(block + first, &(a.component_mul(&c) - b.component_mul(&s))); // (l, 1)
            rotated.set_column(block + second, &(a.component_mul(&s) + b.component_mul(&c))); // (l, 1)
        }
    }
    Ok(rotated)
}

/// Reports, for `attn-quiz trace rope`, the frequencies θ_i and the positions
/// rotated (their angles are pos·θ_i). Not part of the algorithm: outside
/// [`trace::record`] these calls do nothing.
fn report_angles(theta: &[f64], positions: &[usize]) {
    trace::values("theta", theta.iter().copied());
    trace::values("positions", positions.iter().map(|&p| p as f64));
}

/// The rotation frequencies θ_i = base^(−2i/head_dim), 0 ≤ i < head_dim/2,
/// in radians per position.
///
/// Shape: head_dim/2 numbers, θ_0 = 1 and decreasing.
pub fn frequencies(head_dim: usize, base: f32) -> Vec<f64> {
    let (base, d) = (f64::from(base), head_dim as f64);
    (0..head_dim / 2).map(|i| base.powf(-2.0 * i as f64 / d)).collect()
}

/// The two columns, inside one head block, that form pair `i`.
///
/// Interleaved: (2i, 2i+1). Half-split: (i, i + head_dim/2).
pub fn pair_columns(i: usize, head_dim: usize, style: RopeStyle) -> (usize, usize) {
    match style {
        RopeStyle::Interleaved => (2 * i, 2 * i + 1),
        RopeStyle::HalfSplit => (i, i + head_dim / 2),
    }
}

/// Checks one position per row, an even head_dim and whole head blocks.
fn check_shapes(x: &Matrix, positions: &[usize], head_dim: usize) -> Result<(), ShapeError> {
    if head_dim == 0 {
        return Err(ShapeError::Zero { what: "head_dim" });
    }
    expect_eq("head_dim mod 2 (RoPE rotates pairs, head_dim must be even)", 0, head_dim % 2)?;
    expect_eq("width of x mod head_dim (x must be whole head blocks)", 0, x.ncols() % head_dim)?;
    expect_eq("number of positions (must equal rows of x)", x.nrows(), positions.len())
}
