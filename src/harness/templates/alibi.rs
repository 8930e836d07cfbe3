//! # Exercise: ALiBi (attention with linear biases)
//!
//! Causal multi-head self-attention without any position embedding: each head
//! h subtracts a penalty proportional to the distance from every score
//! (*Train Short, Test Long*, Press, Smith and Lewis, 2022; BLOOM, MPT):
//!
//! ```text
//! q, k, v = x·W_q + b_q, x·W_k + b_k, x·W_v + b_v      then split into H heads
//! score_ij = q_i·k_jᵀ / sqrt(d_k) − m_h·(i − j)         for keys j ≤ i
//! head h = softmax_causal(scores) · v_h
//! output = concat(heads)·W_o + b_o
//! ```
//!
//! Slopes, as the authors' code computes them:
//! - H a power of two: `m_h = 2^(−8(h+1)/H)`, h = 0..H (8 heads: 1/2, 1/4, ..., 1/256).
//! - Otherwise, with c the largest power of two below H: the c slopes of c
//!   heads, followed by the first H − c of `slopes(2c)[0::2]` (every other
//!   slope of 2c heads). Not sorted: 6 heads give 1/4, 1/16, 1/64, 1/256, 1/2, 1/8.
//!
//! Shapes: x (l × D), w.q, w.k, w.v (D × H·d_k), w.o (H·d_k × D_out)
//! -> (output (l × D_out), H weights matrices (l × l), zero above the diagonal).
//! H = `w.num_heads`, d_k = w.q's width / H.
//!
//! Conventions:
//! - Causal: query i sees keys j ≤ i only (masked weights exactly 0).
//! - The bias is added after the 1/sqrt(d_k) scale and is not scaled.
//! - Head h uses columns [h·d_k, (h+1)·d_k) of the projections, as in mha.
//!
//! Pitfalls: subtract, do not add; keep the slopes' order for H = 3, 6, 12;
//! the mask is still needed (the bias alone rewards future keys).
//!
//! Check your answer:  `attn-quiz check exercises/alibi.rs`
//! Stuck?              `attn-quiz hint alibi` (one hint at a time)

use attn_quiz::prelude::*;

/// Causal multi-head self-attention with ALiBi biases: returns (output, one
/// weights matrix per head).
pub fn alibi_self_attention(x: &Matrix, w: &MultiHeadWeights) -> (Matrix, Vec<Matrix>) {
    todo!("per head: scaled scores − m_h·(i − j), causal softmax, weighted values; concat, w.o")
}
