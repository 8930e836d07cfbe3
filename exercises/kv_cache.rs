//! # Exercise: decoding with a KV cache
//!
//! One call decodes s ≥ 1 new tokens over everything cached so far, with
//! grouped-query attention (H query heads, G key/value heads), and appends
//! the new keys and values to the cache. A prompt is one call on an empty
//! cache (prefill); generation is then one call per token (decode).
//!
//! ```text
//! p = cache.keys.nrows()                    (tokens cached before this call)
//! q, k, v = x·W_q + b_q, x·W_k + b_k, x·W_v + b_v      (new tokens only)
//! rotate q (H heads) and k (G heads) at positions p..p+s−1 (if rope is given)
//! cache.keys   += k   (after RoPE)        -> ((p+s) × G·d_k)
//! cache.values += v                       -> ((p+s) × G·d_k)
//! head h: softmax(q_h·K_gᵀ / sqrt(d_k), causal) · V_g,   g = h / (H / G)
//! output = concat(heads)·W_o + b_o
//! ```
//!
//! Shapes: x (s × D), cache.keys and cache.values (p × G·d_k) before the call,
//! w.q (D × H·d_k), w.k and w.v (D × G·d_k), w.o (H·d_k × D_out)
//! -> (output (s × D_out), H weights matrices (s × (p+s)), one per query head).
//! H = `w.num_heads`, G = `w.num_kv_heads`, d_k = w.q's width / H (d_v = d_k).
//! An empty cache is `Matrix::zeros(0, G·d_k)` for both.
//!
//! Conventions:
//! - Aligned causality: new query i sits at position p + i and may attend to
//!   every cached key j ≤ p + i, its own included (the triangle hangs from
//!   the bottom-right corner of the (s × (p+s)) weights).
//! - RoPE (`rope: Some(..)`): as in the rope exercise, with head_dim = d_k,
//!   on queries and keys, never on values. The cache holds keys *after* RoPE,
//!   each rotated once at its own position.
//! - The cache keeps G kv heads, never repeated to H (that is the point of GQA).
//! - Any split of a sequence into calls gives the same output rows as one
//!   call on all of it: the judge checks several splits on one cache.
//!
//! Pitfalls:
//! - Positions continue from the cache: p, not 0.
//! - `causal_mask(s)` (top-left) hides the whole cache from the first new token.
//! - Append before attending: the new tokens must see themselves.
//! - Write the grown matrices back into `cache` before returning.
//!
//! Check your answer:  `attn-quiz check exercises/kv_cache.rs`
//! Stuck?              `attn-quiz hint kv_cache` (one hint at a time)

use attn_quiz::prelude::*;

/// Decodes the new tokens x over the cache, appending their keys and values:
/// returns (output, one weights matrix per query head).
pub fn decode_step(
    x: &Matrix,
    cache: &mut KvCache,
    w: &GroupedQueryWeights,
    rope: Option<&Rope>,
) -> (Matrix, Vec<Matrix>) {
    todo!("project, rotate at p..p+s−1, append to the cache, attend causally over all p+s rows")
}
