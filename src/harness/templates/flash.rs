//! # Exercise: flash attention (the forward pass, tile by tile)
//!
//! The output of scaled dot-product attention, computed without ever holding
//! the (l_q × l_k) score matrix (*FlashAttention-2*, Dao 2023). For each block
//! of queries Q_b, stream the key/value blocks K_c, V_c past it, keeping per
//! query a running max m, a running sum l and an unnormalised accumulator:
//!
//! ```text
//! S   = Q_b·K_cᵀ / sqrt(d_k)                 one (b_q × b_k) tile of scores
//! m'  = max(m, rowmax(S))
//! P̃   = exp(S − m')
//! l   = exp(m − m')·l + rowsum(P̃)
//! acc = diag(exp(m − m'))·acc + P̃·V_c
//! ```
//!
//! and after the last key block: `O_b = acc / l` (row by row), `lse = m + ln l`.
//!
//! Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), block_q, block_k ≥ 1
//! -> (output (l_q × d_v), lse (l_q)).
//!
//! Conventions:
//! - One row per position, one column per feature; scores are q·kᵀ / sqrt(d_k).
//! - FA-2 order: query blocks in the outer loop, key blocks in the inner loop;
//!   the accumulator stays unnormalised and is divided by l **once**, at the end.
//! - `lse_i = ln Σ_j exp(s_ij)` over the keys query i may see (the scaled
//!   scores); then `exp(s_ij − lse_i)` are exactly the attention weights.
//! - `causal` is **aligned bottom-right**: query i sits at position
//!   `i + l_k − l_q` and may see key j iff `j ≤ i + l_k − l_q` (l_q ≤ l_k when
//!   causal). With l_q = l_k that is the usual lower triangle.
//! - Block sizes need not divide the lengths (the last block is shorter) and
//!   may be larger than them.
//! - **Memory rule:** never hold more than block_q × block_k scores at once;
//!   working memory O(l·d + block_q·block_k). The checker measures the heap
//!   your call holds at its peak on l = 512 (d = 4): the full score matrix fails.
//! - Scores may be large (1e3 and more): everything must stay finite.
//!
//! Pitfalls: rescale the accumulator as well as l when the max grows, by
//! exp(m − m'), not exp(m' − m); start m at −inf, not 0; divide once, not
//! in every tile; do not drop the last, shorter block; the lse needs m back.
//!
//! Check your answer:  `attn-quiz check exercises/flash.rs`
//! Stuck?              `attn-quiz hint flash` (one hint at a time)

use attn_quiz::prelude::*;

/// Tiled attention with the online softmax: returns (output, lse).
pub fn flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, DVector<f32>) {
    todo!("query blocks outside, key blocks inside, running max/sum/accumulator, divide once")
}
