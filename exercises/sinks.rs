//! # Exercise: attention with a sink logit
//!
//! gpt-oss gives each head one learned number, the sink, that joins every
//! row's softmax as an extra logit with no key and no value. A query can then
//! put weight "nowhere": the weights of a row sum to at most 1.
//!
//! ```text
//! s_ij = q_i·k_j / sqrt(d_k)
//! w_ij = exp(s_ij) / (exp(sink) + Σ_{allowed j'} exp(s_ij'))     (0 where masked)
//! out_i = Σ_j w_ij · v_j
//! ```
//!
//! Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), sink a number,
//! mask (l_q × l_k) -> (output (l_q × d_v), weights (l_q × l_k)).
//!
//! Conventions:
//! - The sink is not scaled by 1/sqrt(d_k), never masked, and has no value:
//!   its weight, 1 − Σ_j w_ij, adds nothing to the output.
//! - Mask `true` = may attend. A fully masked row leaves only the sink: its
//!   weights and output row are all zero.
//! - Stable for |s| or |sink| ≥ 1e3: subtract the row's maximum over the
//!   allowed scores *and the sink* before exp.
//! - A sink of −∞ takes nothing: plain scaled dot-product attention.
//!
//! Pitfalls:
//! - Renormalising the key weights to sum to 1 throws the sink away.
//! - Adding the sink to every score does nothing (softmax ignores a constant).
//! - `exp(sink)` with a max taken over the keys alone, or with no max at all,
//!   overflows for logits near 1e3.
//!
//! Check your answer:  `attn-quiz check exercises/sinks.rs`
//! Stuck?              `attn-quiz hint sinks` (one hint at a time)

use attn_quiz::prelude::*;

/// One head of attention with a sink logit: returns (output, weights).
pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    todo!("softmax over the allowed scores plus one extra logit, the sink, which has no value")
}
