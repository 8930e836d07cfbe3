//! # Exercise: row softmax
//!
//! Turn a matrix of attention scores into attention weights: a softmax over
//! each row, so that every row of the result is a probability distribution
//! over the keys.
//!
//! ```text
//! softmax(s)_j = exp(s_j) / Σ_t exp(s_t)        for each row s of `scores`
//! ```
//!
//! Shapes: scores (l_q × l_k) -> weights (l_q × l_k). One row per query, one
//! column per key. l_k may be 1.
//!
//! Conventions:
//! - The softmax runs along each **row** (over the keys), not down the columns.
//! - It must be numerically stable: scores of magnitude 1e3 or more must give
//!   finite weights, never inf or NaN.
//!
//! Pitfalls: `exp(89.0_f32)` is already infinity. There is a one-line trick
//! that changes nothing mathematically and keeps every exponent ≤ 0.
//!
//! Check your answer:  `attn-quiz check exercises/softmax.rs`
//! Stuck?              `attn-quiz hint softmax` (one hint at a time)

use attn_quiz::prelude::*;

/// Softmax over each row of `scores`: every row of the result sums to 1.
pub fn softmax_rows(scores: &Matrix) -> Matrix {
    todo!("normalise each row of scores into probabilities")
}
