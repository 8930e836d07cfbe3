//! # Exercise: grouped-query attention
//!
//! H query heads share G key/value heads (G divides H). G = H is multi-head
//! attention; G = 1 is multi-query attention. The KV cache shrinks by H / G.
//!
//! ```text
//! head_h = Attention(Q_h, K_g, V_g)    with  g = h / (H / G)   (integer division)
//! ```
//!
//! Shapes: query (l_q × D), key, value (l_k × D), w.q (D × H·d_k),
//! w.k (D × G·d_k), w.v (D × G·d_v), w.o (H·d_v × D_out), mask (l_q × l_k)
//! -> (output (l_q × D_out), H weights matrices (l_q × l_k), one per *query* head).
//! H = `w.num_heads`, G = `w.num_kv_heads`.
//!
//! Conventions:
//! - Consecutive query heads share a KV head: with H = 4 and G = 2, heads 0
//!   and 1 use KV head 0, heads 2 and 3 use KV head 1 (PyTorch's
//!   `repeat_interleave` / `enable_gqa`).
//! - Otherwise as multi-head attention: `x·W + b` layers, contiguous head
//!   column blocks, 1 / sqrt(d_k) scale, mask `true` = may attend, fully
//!   masked rows give zero head outputs.
//!
//! Pitfall: `h % G` instead of `h / (H / G)` pairs query heads with the wrong
//! keys, and the two agree when G = 1 or G = H, so test with something in
//! between.
//!
//! Check your answer:  `attn-quiz check exercises/gqa.rs`
//! Stuck?              `attn-quiz hint gqa` (one hint at a time)

use attn_quiz::prelude::*;

/// Grouped-query attention: returns (output, one weights matrix per query head).
pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    todo!("H query heads, G key/value heads, head h reads KV head h / (H / G)")
}
