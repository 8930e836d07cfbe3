//! # Exercise: multi-head latent attention (MLA)
//!
//! DeepSeek-V2/V3's attention: the cache holds one small latent per token
//! (after RMSNorm) and one rotary key shared by all heads; every head's keys
//! and values are rebuilt from the latents. One call decodes s ≥ 1 new tokens
//! at positions p..p+s−1, p = `cache.latent.nrows()` before the call.
//!
//! ```text
//! q = x·W_q + b_q                 head h: columns [h·(d_n+d_r), (h+1)·(d_n+d_r))
//!                                 = [q_h^C (d_n) | q_h^R (d_r)], q_h^R rotated
//! [a | b] = x·W_kv_down + b       a: the first d_c columns, b: the last d_r
//! c = a / sqrt(mean(a²) + 1e-6) ⊙ kv_norm      (RMSNorm, row by row)
//! k_rope = RoPE(b)                              (one key for all heads)
//! cache.latent += c,  cache.rope_keys += k_rope
//! head h: keys [C·k_up_h | K_rope], values C·v_up_h   (C, K_rope: all p+s cached rows)
//!         softmax_causal(q_h·keysᵀ / sqrt(d_n + d_r)) · values
//! output = concat(heads)·W_o + b_o
//! ```
//!
//! Shapes: x (s × D); H = `w.num_heads`, d_r = `w.rope_dim` (even),
//! d_c = `w.kv_norm.len()`, d_n = `w.k_up.ncols() / H`, d_v = `w.v_up.ncols() / H`;
//! w.q (D × H·(d_n+d_r)), w.kv_down (D × (d_c+d_r)), w.k_up (d_c × H·d_n),
//! w.v_up (d_c × H·d_v), w.o (H·d_v × D_out); k_up_h, v_up_h are head h's
//! column blocks. -> (output (s × D_out), H weights matrices (s × (p+s))).
//! An empty cache is `Matrix::zeros(0, d_c)` and `Matrix::zeros(0, d_r)`.
//!
//! Conventions:
//! - RoPE as in the rope exercise with head_dim d_r, on q_h^R and on b only,
//!   at the tokens' positions p..p+s−1.
//! - Afterwards `cache.latent` is ((p+s) × d_c) and `cache.rope_keys`
//!   ((p+s) × d_r): nothing else is cached.
//! - Aligned causality: new query i sits at p + i and sees keys j ≤ p + i.
//! - Any split of a sequence into calls gives the same output rows as one call.
//!
//! Pitfalls: the scale is 1/sqrt(d_n + d_r), the width of one head's query;
//! the content parts are not rotated; RMSNorm has a gain (kv_norm); positions
//! continue from the cache.
//!
//! Check your answer:  `attn-quiz check exercises/mla.rs`
//! Stuck?              `attn-quiz hint mla` (one hint at a time)

use attn_quiz::prelude::*;

/// Decodes the new tokens x with multi-head latent attention, appending their
/// latents and rotary keys to the cache: returns (output, one weights matrix per head).
pub fn mla_decode_step(x: &Matrix, cache: &mut MlaCache, w: &MlaWeights, rope: &Rope) -> (Matrix, Vec<Matrix>) {
    todo!("project, RMSNorm the latent, rotate q^R and the shared key at p..p+s−1, append, attend per head")
}
