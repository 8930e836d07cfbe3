//! # Exercise: scaled dot-product attention
//!
//! The core of every Transformer (*Attention Is All You Need*, equation 1):
//!
//! ```text
//! Attention(Q, K, V) = softmax(Q·Kᵀ / sqrt(d_k)) · V
//! ```
//!
//! Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), mask (l_q × l_k)
//! -> (output (l_q × d_v), weights (l_q × l_k)).
//! Return both the output and the weights. l_q ≠ l_k and d_k ≠ d_v happen.
//!
//! Conventions:
//! - One row per position, one column per feature.
//! - `d_k` is the width of q and k (their number of columns).
//! - The mask, when given, is `true` where query i **may** attend to key j.
//!   A masked position gets weight exactly 0.
//! - A **fully masked** query row gets an all-zero weights row and an all-zero
//!   output row: never NaN, never uniform weights.
//! - Scores may be large (1e3 and more): the softmax must stay finite.
//!
//! Pitfalls: the scale is 1 / sqrt(d_k) (which width? which root?); the mask
//! goes in *before* the softmax; a fully masked row is where `-inf` fills turn
//! into NaN and `-1e9` fills into uniform weights.
//!
//! You may write helpers of your own (your softmax, for instance) in this file.
//!
//! Check your answer:  `attn-quiz check exercises/sdpa.rs`
//! Stuck?              `attn-quiz hint sdpa` (one hint at a time)

use attn_quiz::prelude::*;

/// Scaled dot-product attention of one sequence: returns (output, weights).
pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    todo!("scores, scale, masked softmax, weighted sum of values")
}
