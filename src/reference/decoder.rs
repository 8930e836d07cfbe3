//! A modern decoder's attention, gpt-oss style: grouped-query heads, RoPE, a
//! KV cache, an optional sliding window and a learned sink per head, in one
//! decode call.
//!
//! **Versus grouped-query attention over a KV cache** ([`kv_cache`](super::kv_cache)):
//! two changes, both per layer. The mask may be a sliding window instead of
//! the full causal mask, and every query head h has its own sink logit, so its
//! softmax is the one of [`sinks`](super::sinks). Projections, RoPE, the cache
//! and the `h / (H/G)` sharing are exactly those of [`decode_step`](super::decode_step).
//!
//! gpt-oss (OpenAI, 2025) builds its attention this way: 64 query heads of
//! width 64 share 8 key/value heads; every other layer is banded to a window of
//! 128 tokens and the rest see the whole context; each head learns one sink
//! (its RoPE also uses YaRN scaling for long contexts, left out here). The
//! window keeps the cost of half the layers flat as the text grows, the full
//! layers keep long-range recall, and the sinks give windowed heads somewhere
//! to put attention they do not need once the first tokens are out of reach.
//! For new query i at position a_i = p + i and head h over kv head g(h):
//!
//! ```text
//! allowed(i, j) ⇔ j ≤ a_i  [∧ a_i − window < j]
//! w_ij = exp(s_ij) / (exp(sink_h) + Σ_{allowed j'} exp(s_ij')),   s = RoPE(q_h)·RoPE(k_g)ᵀ / sqrt(d_k)
//! out  = concat_h(Σ_j w_ij·v_j) · W_O + b_O
//! ```
//!
//! Pitfalls:
//! - **One sink per query head**, not per kv head: heads sharing keys still
//!   decide on their own how much to attend.
//! - **The window slides over absolute positions** (aligned to the cache),
//!   not over the rows of the current chunk.
//! - This reference keeps every key in the cache so that one cache type serves
//!   both kinds of layer; a real windowed layer keeps only the last `window`
//!   rows (a ring buffer), which is where its memory saving comes from.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::decoder::{DecoderAttention, decoder_attention_step};
//! use attn_quiz::reference::kv_cache::empty_cache;
//!
//! // D = 2, one head of width 2, W_q = 0: every score is 0 (RoPE cannot change
//! // that), so each key weighs 1 / (exp(0) + number of visible keys).
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let attn = GroupedQueryWeights {
//!     q: Linear::without_bias(Matrix::zeros(2, 2)), k: id.clone(), v: id.clone(), o: id,
//!     num_heads: 1, num_kv_heads: 1,
//! };
//! let rope = Rope { base: 10000.0, style: RopeStyle::HalfSplit };
//! let layer = DecoderAttention { attn, sinks: vec![0.0], rope, window: Some(2) };
//! let mut cache = empty_cache(&layer.attn);
//! let mut outputs = Vec::new();
//! for token in [3.0, 6.0, 9.0] {
//!     let (out, _) = decoder_attention_step(&Matrix::from_row_slice(1, 2, &[token, 0.0]), &mut cache, &layer);
//!     outputs.push(out[(0, 0)]);
//! }
//! // 3/2 = 1.5; (3 + 6)/3 = 3; the window of 2 drops the first token: (6 + 9)/3 = 5.
//! assert!(outputs.iter().zip([1.5, 3.0, 5.0]).all(|(o, e)| (o - e).abs() < 1e-5));
//! assert_eq!(cache.keys.nrows(), 3);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::{GroupedQueryWeights, KvCache, Rope};
use crate::prelude::Matrix;
use crate::reference::gqa::kv_head_for;
use crate::reference::heads::merge_heads;
use crate::reference::kv_cache::project_and_append;
use crate::reference::mask::aligned_causal_mask;
use crate::reference::sinks::try_attention_with_sink;
use crate::reference::sliding_window::try_sliding_window_mask;
use crate::trace;

/// The parameters of one gpt-oss-style attention layer.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderAttention {
    /// Projections: H query heads over G key/value heads of width d_k (even).
    pub attn: GroupedQueryWeights,
    /// One learned sink logit per query head (H numbers).
    pub sinks: Vec<f32>,
    /// Rotary embedding of queries and keys.
    pub rope: Rope,
    /// `Some(w)`: a sliding-window layer seeing the last w keys; `None`: full causal.
    pub window: Option<usize>,
}

/// Decodes s new tokens through one gpt-oss-style attention layer.
///
/// Shapes: x (s × D), cache keys and values (p × G·d_k), layer weights as in
/// [`DecoderAttention`] -> (output (s × D_out), H weights (s × (p+s)), the
/// sinks' share left out); afterwards the cache holds (p+s) rows, keys after RoPE.
///
/// # Panics
/// If the shapes do not fit; see [`try_decoder_attention_step`].
#[track_caller]
pub fn decoder_attention_step(x: &Matrix, cache: &mut KvCache, layer: &DecoderAttention) -> (Matrix, Vec<Matrix>) {
    or_panic(try_decoder_attention_step(x, cache, layer))
}

/// [`decoder_attention_step`] that reports bad shapes as an error, leaving the cache untouched.
pub fn try_decoder_attention_step(
    x: &Matrix,
    cache: &mut KvCache,
    layer: &DecoderAttention,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    check_layer(layer)?;
    let w = &layer.attn;
    // 1–4. Project, RoPE at positions p..p+s−1, append to the cache, split heads.
    let heads = project_and_append(x, cache, w, Some(&layer.rope))?;
    // 5. The layer's mask over the whole cache: causal, or causal and windowed.
    let (s, n) = (x.nrows(), cache.keys.nrows());
    let mask = match layer.window {
        Some(window) => try_sliding_window_mask(s, n, window)?, // (s, p+s)
        None => aligned_causal_mask(s, n),                      // (s, p+s)
    };
    trace::step("layer_mask", &mask);
    // 6. Each query head attends to its kv head with its own sink.
    let per_head = heads.q.iter().enumerate().map(|(h, q)| {
        let g = kv_head_for(h, w.num_heads, w.num_kv_heads);
        // (s, d_k), (p+s, d_k), (p+s, d_v) -> (s, d_v), (s, p+s)
        trace::in_head(h, || try_attention_with_sink(q, &heads.k[g], &heads.v[g], layer.sinks[h], Some(&mask)))
    });
    let (head_outputs, weights): (Vec<Matrix>, Vec<Matrix>) =
        per_head.collect::<Result<Vec<_>, _>>()?.into_iter().unzip();
    // 7. Concatenate and project.
    let concat = merge_heads(&head_outputs); // H × (s, d_v) -> (s, H·d_v)
    trace::step("merged", &concat);
    let output = w.o.try_forward(&concat)?; // (s, H·d_v)·(H·d_v, D_out) -> (s, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// Checks what the cache step does not: one sink per query head and a window ≥ 1.
fn check_layer(layer: &DecoderAttention) -> Result<(), ShapeError> {
    expect_eq("number of sinks (must equal num_heads H)", layer.attn.num_heads, layer.sinks.len())?;
    if layer.window == Some(0) {
        return Err(ShapeError::Zero { what: "window" });
    }
    Ok(())
}
