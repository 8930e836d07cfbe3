//! # Exercise: the flash attention backward pass
//!
//! The gradients of the sdpa_backward exercise, tile by tile, from what the
//! flash forward saved: its output `out` and `lse` (one number per query).
//! No softmax and no running max: any tile of P is rebuilt from the lse.
//!
//! ```text
//! D_i = d_out_i · out_i                      one number per query, before the loops
//! for each key block c (outer), each query block b (inner):
//!     P   = exp(S − lse_b),  S = Q_b·K_cᵀ / sqrt(d_k)   (masked entries: 0)
//!     dV_c += Pᵀ·dO_b        dP = dO_b·V_cᵀ        dS = P ⊙ (dP − D_b)
//!     dQ_b += dS·K_c / sqrt(d_k)                   dK_c += dSᵀ·Q_b / sqrt(d_k)
//! ```
//!
//! Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), out (l_q × d_v),
//! lse (l_q), d_out (l_q × d_v), block_q, block_k ≥ 1
//! -> (dq (l_q × d_k), dk (l_k × d_k), dv (l_k × d_v)).
//!
//! Conventions:
//! - The same gradients as sdpa_backward with the aligned causal mask or none.
//! - `causal` is **aligned bottom-right**: query i may see key j iff
//!   `j ≤ i + l_k − l_q` (l_q ≤ l_k when causal).
//! - `lse_i = ln Σ_j exp(s_ij)` over the allowed keys, as the flash exercise returns it.
//! - Block sizes need not divide the lengths and may be larger than them.
//! - **Memory rule:** never hold more than block_q × block_k entries of P
//!   (or of dP, dS) at once. The checker measures the heap your call holds at
//!   its peak on l = 512 (d = 4): the full P matrix fails.
//!
//! Pitfalls: subtract the lse when rebuilding P; mask the tiles on the
//! diagonal (skipping the tiles past it is not enough); D is d_out · out,
//! not a row sum of dP; dk comes from dSᵀ; keep the 1/sqrt(d_k).
//!
//! Check your answer:  `attn-quiz check exercises/flash_backward.rs`
//! Stuck?              `attn-quiz hint flash_backward` (one hint at a time)

use attn_quiz::prelude::*;

/// Gradients (dq, dk, dv) from the saved forward, one (block_q × block_k) tile at a time.
#[allow(clippy::too_many_arguments)]
pub fn flash_attention_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    out: &Matrix,
    lse: &DVector<f32>,
    d_out: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, Matrix, Matrix) {
    todo!("D first; key blocks outside, query blocks inside; rebuild P from lse per tile")
}
