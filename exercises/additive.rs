//! # Exercise: additive (Bahdanau) attention
//!
//! The attention of Bahdanau, Cho and Bengio (2014): a one-layer network
//! scores each (query, key) pair.
//!
//! ```text
//! score_ij = v_a · tanh(q_i·W_q + k_j·W_k)      (no bias, no 1/sqrt(d) scale)
//! weights  = row softmax of the scores (masked)
//! output   = weights · V
//! ```
//!
//! Shapes: q (l_q × d_q), k (l_k × d_k), v (l_k × d_v), w.w_q (d_q × d_a),
//! w.w_k (d_k × d_a), w.v_a (length d_a), mask (l_q × l_k)
//! -> (output (l_q × d_v), weights (l_q × l_k)).
//! d_q and d_k may differ: q and k meet only after projection.
//!
//! Conventions: one row per position; mask `true` = may attend; a masked
//! position gets weight exactly 0; a fully masked row gets zero weights and a
//! zero output row; the softmax must stay finite for large scores.
//!
//! Pitfalls: adding a 1/sqrt(d) scale that does not belong here; applying
//! tanh after the dot with v_a instead of before; projecting q and k for each
//! pair (right answer, l_q·l_k times the work) instead of once.
//!
//! Check your answer:  `attn-quiz check exercises/additive.rs`
//! Stuck?              `attn-quiz hint additive` (one hint at a time)

use attn_quiz::prelude::*;

/// Additive attention of `q` over `k` and `v`: returns (output, weights).
pub fn additive_attention(q: &Matrix, k: &Matrix, v: &Matrix, w: &AdditiveWeights, mask: Option<&Mask>) -> (Matrix, Matrix) {
    todo!("score every pair with v_a · tanh(q_i·W_q + k_j·W_k), softmax, weigh the values")
}
