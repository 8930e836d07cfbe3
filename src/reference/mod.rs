//! The reference implementations, one variant per file.
//!
//! Read them in this order; each file opens with what it changes compared with
//! multi-head attention:
//!
//! | file | what it teaches |
//! |---|---|
//! | [`softmax`] | stable row softmax, masking, fully masked rows |
//! | [`mask`] | causal and padding masks, mask polarity |
//! | [`sdpa`] | `softmax(Q·Kᵀ/sqrt(d_k))·V`, the core |
//! | [`heads`] | splitting a projection into heads and merging them back |
//! | [`mha`] | multi-head attention |
//! | [`self_attention`] | Q = K = V = x |
//! | [`cross_attention`] | Q from x, K = V from memory |
//! | [`gated`] | a sigmoid gate on the heads (AlphaFold 2) |
//! | [`gqa`] | grouped-query / multi-query attention |
//! | [`rope`] | rotary position embeddings, both pairings |
//! | [`kv_cache`] | decoding over a KV cache, aligned causality, prefill vs decode |
//! | [`sliding_window`] | windowed masks, StreamingLLM's sinks plus window |
//! | [`sinks`] | a learned sink logit in the softmax (gpt-oss) |
//! | [`decoder`] | a gpt-oss-style decoder attention: all of the above in one call |
//! | [`sinusoidal`] | the original fixed sin/cos position encodings |
//! | [`alibi`] | position as a linear distance penalty on the scores (ALiBi) |
//! | [`mla`] | multi-head latent attention: a small cached latent, decoupled RoPE |
//! | [`mla_absorbed`] | the same MLA with W_UK and W_UV moved off the cache |
//! | [`linear_attention`] | φ(q)·φ(k) instead of softmax: attention as a recurrence; sparse attention |
//! | [`differential`] | two softmax maps subtracted (Differential Transformer) |
//! | [`additive`] | Bahdanau's additive score |
//! | [`luong`] | Luong's dot and general scores |
//! | [`batched`] | the [N, L, D] batch view |
//! | [`online_softmax`] | softmax in one pass: running max and sum |
//! | [`flash`] | tiled attention that never holds the score matrix |
//! | [`sdpa_backward`] | the chain rule through attention: dq, dk, dv |
//! | [`flash_backward`] | the same gradients tile by tile, from the saved lse |
//!
//! Every function the exercises ask for is re-exported here with exactly the
//! exercise's signature, so `attn_quiz::reference::multi_head_attention` is the
//! answer key of `exercises/mha.rs`. Each also has a `try_` twin that returns
//! a [`ShapeError`](crate::error::ShapeError) instead of panicking.

pub mod additive;
pub mod alibi;
pub mod batched;
pub mod catalog;
pub mod cross_attention;
pub mod decoder;
pub mod differential;
pub mod flash;
pub mod flash_backward;
pub mod gated;
pub mod gqa;
pub mod heads;
pub mod kv_cache;
pub mod linear_attention;
pub mod luong;
pub mod mask;
pub mod mha;
pub mod mla;
pub mod mla_absorbed;
pub mod online_softmax;
pub mod rope;
pub mod sdpa;
pub mod sdpa_backward;
pub mod self_attention;
pub mod sinks;
pub mod sinusoidal;
pub mod sliding_window;
pub mod softmax;

pub use additive::{additive_attention, try_additive_attention};
pub use alibi::{alibi_self_attention, alibi_slopes, try_alibi_self_attention};
pub use cross_attention::{cross_attention, try_cross_attention};
pub use flash::{flash_attention, try_flash_attention};
pub use flash_backward::{flash_attention_backward, try_flash_attention_backward};
pub use gated::{gated_self_attention, try_gated_self_attention};
pub use gqa::{grouped_query_attention, try_grouped_query_attention};
pub use kv_cache::{decode_step, try_decode_step};
pub use linear_attention::{linear_attention, try_linear_attention};
pub use luong::{luong_dot_attention, luong_general_attention};
pub use mask::{aligned_causal_mask, causal_mask, causally_allowed, padding_mask};
pub use mha::{multi_head_attention, try_multi_head_attention};
pub use mla::{mla_decode_step, try_mla_decode_step};
pub use online_softmax::online_softmax_rows;
pub use rope::{apply_rope, try_apply_rope};
pub use sdpa::{scaled_dot_product_attention, try_scaled_dot_product_attention};
pub use sdpa_backward::{sdpa_backward, try_sdpa_backward};
pub use self_attention::{self_attention, try_self_attention};
pub use sinks::{attention_with_sink, try_attention_with_sink};
pub use sinusoidal::{sinusoidal_positions, try_sinusoidal_positions};
pub use sliding_window::{sliding_window_mask, try_sliding_window_mask};
pub use softmax::{masked_softmax_rows, softmax_rows};
