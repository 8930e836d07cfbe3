//! Sliding-window (local) attention, and StreamingLLM's sinks plus a window.
//!
//! **Versus causal multi-head / grouped-query attention:** only the mask
//! changes. A query no longer sees its whole past, only the last `window`
//! keys, itself included. Scores, softmax and heads are untouched, so any
//! variant takes the mask as it is.
//!
//! The idea (Longformer, Beltagy et al. 2020; Mistral 7B, Jiang et al. 2023;
//! gpt-oss and Gemma 2 mix windowed and full layers): most of what a token
//! needs is nearby, and stacking layers still carries information further,
//! up to (window − 1) positions per layer. The gain is the cache: a layer that
//! never looks more than `window` keys back needs only those keys, a fixed
//! ring buffer of `window` rows instead of a cache that grows with the text.
//! With query i of l_q at a_i = i + l_k − l_q (bottom-right aligned, as over a
//! KV cache, see [`kv_cache`](super::kv_cache)):
//!
//! ```text
//! allowed(i, j)  ⇔  a_i − window < j ≤ a_i          (window keys in all)
//! ```
//!
//! **Attention sinks** (StreamingLLM, Xiao et al. 2023, *Efficient Streaming
//! Language Models with Attention Sinks*): a plain window that evicts the first
//! tokens makes perplexity explode, because trained models park the attention
//! they do not need on the first few tokens, whatever those are. Keeping the
//! first `n_sink` keys (4 in the paper) visible to every query, next to the
//! window, restores it: [`streaming_mask`]. (StreamingLLM also numbers RoPE
//! positions by cache slot, not by position in the text; this mask only says
//! which keys remain. gpt-oss instead learns a sink logit, see
//! [`sinks`](super::sinks).)
//!
//! Pitfalls:
//! - **Off by one**: `window` counts the current token, so W keys are visible
//!   (Hugging Face, Mistral, gpt-oss). flash-attn's `window_size = (W − 1, 0)`
//!   counts only the keys to the left; `j ≥ a_i − W` lets in W + 1.
//! - **Top-left alignment** over a cache slides the window to the wrong keys:
//!   the last query must end at the last key.
//! - A window is also causal: forgetting `j ≤ a_i` lets it see the future.
//!
//! ```
//! use attn_quiz::reference::sliding_window::{sliding_window_mask, streaming_mask};
//!
//! // 4 tokens, window 2: each token sees itself and the one before it.
//! let m = sliding_window_mask(4, 4, 2);
//! let rows: Vec<Vec<bool>> = m.row_iter().map(|r| r.iter().copied().collect()).collect();
//! assert_eq!(rows[0], [true, false, false, false]);
//! assert_eq!(rows[3], [false, false, true, true]);
//! // Decoding token 5 (a_0 = 5) over 6 cached keys with window 3: keys 3, 4, 5.
//! let decode = sliding_window_mask(1, 6, 3);
//! assert_eq!(decode.iter().copied().collect::<Vec<_>>(), [false, false, false, true, true, true]);
//! // StreamingLLM with 1 sink and window 2: key 0 stays, then keys 4 and 5.
//! let stream = streaming_mask(1, 6, 1, 2);
//! assert_eq!(stream.iter().copied().collect::<Vec<_>>(), [true, false, false, false, true, true]);
//! ```

use crate::error::{ShapeError, or_panic};
use crate::prelude::Mask;
use crate::reference::mask::check_aligned;

/// The sliding-window causal mask: query i (at a_i = i + len_k − len_q) may
/// attend to key j iff `a_i − window < j ≤ a_i`.
///
/// Shape: (len_q × len_k), len_q ≤ len_k, window ≥ 1. A window ≥ len_k gives
/// the aligned causal mask; window 1 gives the diagonal a_i.
///
/// # Panics
/// If len_q > len_k or window = 0; see [`try_sliding_window_mask`].
#[track_caller]
pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    or_panic(try_sliding_window_mask(len_q, len_k, window))
}

/// [`sliding_window_mask`] that reports bad sizes as an error.
pub fn try_sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Result<Mask, ShapeError> {
    check_sizes(len_q, len_k, window)?;
    // 1. Query i sits at a_i = i + len_k − len_q: the last query meets the last key.
    let position = |i: usize| i + len_k - len_q;
    // 2. Causal (j ≤ a_i) and recent (j > a_i − window, written j + window > a_i
    //    so that nothing goes below 0 in unsigned arithmetic).
    Ok(Mask::from_fn(len_q, len_k, |i, j| j <= position(i) && j + window > position(i))) // (len_q, len_k)
}

/// StreamingLLM's cache mask: the first `n_sink` keys stay visible to every
/// query (causally), together with the last `window` keys.
///
/// `allowed(i, j) ⇔ j ≤ a_i ∧ (j < n_sink ∨ a_i − window < j)`.
///
/// Shape: (len_q × len_k), len_q ≤ len_k, window ≥ 1. With n_sink = 0 it is
/// [`sliding_window_mask`].
///
/// # Panics
/// If len_q > len_k or window = 0; see [`try_streaming_mask`].
#[track_caller]
pub fn streaming_mask(len_q: usize, len_k: usize, n_sink: usize, window: usize) -> Mask {
    or_panic(try_streaming_mask(len_q, len_k, n_sink, window))
}

/// [`streaming_mask`] that reports bad sizes as an error.
pub fn try_streaming_mask(len_q: usize, len_k: usize, n_sink: usize, window: usize) -> Result<Mask, ShapeError> {
    // 1. The window part, exactly as above.
    let recent = try_sliding_window_mask(len_q, len_k, window)?; // (len_q, len_k)
    // 2. Add the sinks: the first n_sink keys, wherever they are not in the future.
    let position = |i: usize| i + len_k - len_q;
    Ok(Mask::from_fn(len_q, len_k, |i, j| recent[(i, j)] || (j < n_sink && j <= position(i)))) // (len_q, len_k)
}

/// Checks window ≥ 1 and len_q ≤ len_k.
fn check_sizes(len_q: usize, len_k: usize, window: usize) -> Result<(), ShapeError> {
    if window == 0 {
        return Err(ShapeError::Zero { what: "window" });
    }
    check_aligned(len_q, len_k)
}
