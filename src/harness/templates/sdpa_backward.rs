//! # Exercise: the backward pass of scaled dot-product attention
//!
//! Given `d_out = ∂L/∂output` for `output = scaled_dot_product_attention(q, k, v, mask).0`,
//! return the gradients (dq, dk, dv) of `L = Σ output ⊙ d_out`. With
//! s = 1/sqrt(d_k), S = s·q·kᵀ, P = softmax_rows(S) (masked) and O = P·v:
//!
//! ```text
//! dv = Pᵀ·d_out
//! dP = d_out·vᵀ
//! dS = P ⊙ (dP − D),   D_i = Σ_j dP_ij·P_ij   (one number per query)
//! dq = s·dS·k
//! dk = s·dSᵀ·q
//! ```
//!
//! Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), mask (l_q × l_k),
//! d_out (l_q × d_v) -> (dq (l_q × d_k), dk (l_k × d_k), dv (l_k × d_v)).
//!
//! Conventions:
//! - The forward is the sdpa exercise's: mask `true` = may attend, masked
//!   weights exactly 0, a fully masked row has all-zero weights and output.
//! - Masked entries and fully masked rows contribute no gradient at all.
//! - l_q ≠ l_k and d_k ≠ d_v happen; scores may be of magnitude 1e3.
//!
//! Pitfalls: the softmax is not elementwise (the D term couples a row);
//! D weighs dP by P; dk has one row per key, so it comes from dSᵀ; the
//! 1/sqrt(d_k) of the scores comes back in dq and dk.
//!
//! Check your answer:  `attn-quiz check exercises/sdpa_backward.rs`
//! Stuck?              `attn-quiz hint sdpa_backward` (one hint at a time)

use attn_quiz::prelude::*;

/// Gradients (dq, dk, dv) of `Σ output ⊙ d_out` through scaled dot-product attention.
pub fn sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
) -> (Matrix, Matrix, Matrix) {
    todo!("recompute P, then dv, dP, D, dS, dq and dk")
}
