//! # Exercise: cross-attention
//!
//! The decoder's "encoder-decoder attention": queries come from `x`, keys and
//! values from `memory` (the encoder output).
//!
//! ```text
//! CrossAttention(x, memory) = MultiHead(x, memory, memory)
//! ```
//!
//! Shapes: x (l_x × D), memory (l_m × D), w as in multi-head attention,
//! mask (l_x × l_m) -> (output (l_x × D_out), H weights matrices (l_x × l_m)).
//! The two lengths usually differ, so the weights are not square.
//!
//! Conventions: the multi-head conventions all hold — linear layers compute
//! `x·W + b`, head h reads the contiguous column block `[h·d_k, (h+1)·d_k)`,
//! scores are scaled by 1 / sqrt(d_k), the mask is `true` where a query may
//! attend, and a fully masked row gives zero head outputs (output row = b_O).
//!
//! Pitfall: which side the queries, keys and values come from. When l_x =
//! l_m a swap still gives matrices of the right shape, just wrong numbers.
//!
//! Check your answer:  `attn-quiz check exercises/cross_attention.rs`
//! Stuck?              `attn-quiz hint cross_attention` (one hint at a time)

use attn_quiz::prelude::*;

/// Multi-head attention of `x` over `memory`: returns (output, one weights matrix per head).
pub fn cross_attention(x: &Matrix, memory: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    todo!("queries from x, keys and values from memory")
}
