//! # Exercise: self-attention
//!
//! A sequence attends to itself: queries, keys and values are all projections
//! of the same `x`.
//!
//! ```text
//! SelfAttention(x) = MultiHead(x, x, x)
//! ```
//!
//! Shapes: x (l × D), w as in multi-head attention
//! (q, k: D × H·d_k, v: D × H·d_v, o: H·d_v × D_out), mask (l × l)
//! -> (output (l × D_out), H weights matrices (l × l)).
//!
//! Conventions: the multi-head conventions all hold — linear layers compute
//! `x·W + b`, head h reads the contiguous column block `[h·d_k, (h+1)·d_k)`,
//! scores are scaled by 1 / sqrt(d_k), the mask is `true` where a query may
//! attend, and a fully masked row gives zero head outputs (output row = b_O).
//! With a causal mask this is a decoder's masked self-attention.
//!
//! Pitfall: "Q = K = V = x" means the three *inputs* are x; the three
//! projections are still different matrices.
//!
//! Write it from scratch, or reuse your multi-head attention by pasting it in
//! as a helper.
//!
//! Check your answer:  `attn-quiz check exercises/self_attention.rs`
//! Stuck?              `attn-quiz hint self_attention` (one hint at a time)

use attn_quiz::prelude::*;

/// Multi-head self-attention of `x`: returns (output, one weights matrix per head).
pub fn self_attention(x: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    todo!("multi-head attention with query = key = value = x")
}
