//! # Exercise: rotary position embeddings (RoPE)
//!
//! Position enters attention by rotating queries and keys, not by adding a
//! vector to the input. Cut each head block of a row into head_dim/2 pairs;
//! pair i of the row at position `pos` turns by the angle `pos·θ_i`:
//!
//! ```text
//! θ_i = base^(−2i/head_dim),   0 ≤ i < head_dim/2
//! (a, b) -> (a·cos(pos·θ_i) − b·sin(pos·θ_i),  a·sin(pos·θ_i) + b·cos(pos·θ_i))
//! ```
//!
//! Shapes: x (L × n·head_dim), one row per position, n head blocks side by
//! side; positions (L), one per row; head_dim even -> (L × n·head_dim).
//!
//! Conventions:
//! - Which two columns of a head block form pair i (`rope.style`):
//!   `Interleaved` pairs (2i, 2i+1) (GPT-J, Meta's Llama code);
//!   `HalfSplit` pairs (i, i + head_dim/2) (GPT-NeoX, Hugging Face `rotate_half`).
//! - θ restarts in every head block: block h is columns
//!   [h·head_dim, (h+1)·head_dim), rotated with the same angles as block 0.
//! - Row r sits at `positions[r]`, which need not be r (a decode step starts
//!   at the cache length; positions may repeat or come in any order).
//! - Position 0 is the identity. Angles may be computed in f32 or f64.
//!
//! Pitfalls:
//! - The exponent is 2i/head_dim, not i/head_dim: the last pair turns by
//!   about base^(−1) per position, not base^(−1/2).
//! - Mixing up the two pairings still "runs"; with head_dim = 2 they agree,
//!   so test with head_dim ≥ 4.
//! - The sign: a positive angle turns a towards b.
//!
//! Check your answer:  `attn-quiz check exercises/rope.rs`
//! Stuck?              `attn-quiz hint rope` (one hint at a time)

use attn_quiz::prelude::*;

/// Rotates every head block of every row of `x` by its row's position.
pub fn apply_rope(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope) -> Matrix {
    todo!("rotate pair i of each head block by positions[r]·base^(−2i/head_dim)")
}
