//! # Exercise: multi-head attention
//!
//! *Attention Is All You Need*, section 3.2.2:
//!
//! ```text
//! MultiHead(query, key, value) = Concat(head_1, ..., head_H) · W_O + b_O
//! head_h = Attention(Q_h, K_h, V_h)
//! Q = query·W_Q + b_Q,  K = key·W_K + b_K,  V = value·W_V + b_V
//! ```
//!
//! Shapes: query (l_q × D), key (l_k × D), value (l_k × D),
//! w.q, w.k (D × H·d_k), w.v (D × H·d_v), w.o (H·d_v × D_out), mask (l_q × l_k)
//! -> (output (l_q × D_out), H weights matrices (l_q × l_k), one per head).
//! H = `w.num_heads`; d_k = (columns of w.q) / H.
//!
//! Conventions:
//! - A linear layer computes `x·W + b` with W stored (in × out): use
//!   `w.q.forward(&query)`, or do it by hand with `w.q.weight` and `w.q.bias`.
//! - Head h uses the **contiguous** column block `[h·d_k, (h+1)·d_k)` of the
//!   projected Q, K and V (`columns(h * d_k, d_k)`); head outputs are
//!   concatenated in head order before the output projection.
//! - Scores are scaled by 1 / sqrt(d_k), the per-head width.
//! - Mask: `true` = may attend; the same mask applies to every head. A fully
//!   masked query row gives a zero row in every head, so its final output row
//!   is just the output bias b_O.
//!
//! Pitfalls: scaling by sqrt(D) instead of sqrt(d_k) (invisible with one
//! head); strided head columns; slicing the *input* into heads before
//! projecting; forgetting W_O or a bias; mixing up which projection goes with
//! key and which with value.
//!
//! Helpers of your own are welcome (your scaled dot-product attention, say).
//!
//! Check your answer:  `attn-quiz check exercises/mha.rs`
//! Stuck?              `attn-quiz hint mha` (one hint at a time)

use attn_quiz::prelude::*;

/// Multi-head attention: returns (output, one weights matrix per head).
pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    todo!("project, split into heads, attend in each head, concatenate, project")
}
