//! Masks: which keys each query may look at.
//!
//! A mask is a (l_q × l_k) matrix of `bool`, **`true` = query `i` may attend to
//! key `j`** (PyTorch's boolean convention for `scaled_dot_product_attention`).
//! Beware: `nn.MultiheadAttention`'s `attn_mask` and `key_padding_mask` use the
//! opposite polarity (`true` = blocked), a classic source of inverted masks.
//!
//! - **Causal** (decoder, language models): position `i` sees `0..=i`, never the
//!   future. A lower-triangular mask, diagonal included.
//! - **Padding**: in a batch of unequal sequences, keys past a sequence's real
//!   length are padding and must be ignored by every query.
//! - **Aligned causal** (a chunk of l_q new tokens over l_k ≥ l_q keys, as with
//!   a KV cache or flash-attn): query `i` sits at absolute position
//!   `a_i = i + l_k − l_q` and sees keys `j ≤ a_i`, so the triangle hangs from
//!   the bottom-right corner. PyTorch's `is_causal` hangs it from the top-left;
//!   the two agree only when l_q = l_k.
//!
//! ```
//! use attn_quiz::reference::{aligned_causal_mask, causal_mask, padding_mask};
//!
//! let m = causal_mask(3);
//! assert!(m[(2, 0)] && m[(2, 2)] && !m[(0, 1)]);
//! let p = padding_mask(2, 3, 2); // 2 queries, 3 keys, only the first 2 are real
//! assert!(p[(1, 1)] && !p[(1, 2)]);
//! // 2 new queries over 4 keys: they sit at positions 2 and 3.
//! let a = aligned_causal_mask(2, 4);
//! assert!(a[(0, 2)] && !a[(0, 3)] && a[(1, 3)]);
//! ```

use crate::error::ShapeError;
use crate::prelude::Mask;

/// The causal mask: query `i` may attend to key `j` exactly when `j <= i`.
///
/// Shape: (len × len), lower triangle and diagonal `true`.
pub fn causal_mask(len: usize) -> Mask {
    Mask::from_fn(len, len, |i, j| j <= i)
}

/// A padding mask: every query may attend to the first `valid_keys` keys only.
///
/// Shape: (l_q × l_k). With `valid_keys = 0` every row is fully masked.
pub fn padding_mask(l_q: usize, l_k: usize, valid_keys: usize) -> Mask {
    Mask::from_fn(l_q, l_k, |_, j| j < valid_keys)
}

/// The aligned (bottom-right) causal mask: query `i` of `len_q` may attend to
/// key `j` of `len_k` exactly when `j ≤ i + len_k − len_q`.
///
/// Shape: (len_q × len_k). Equals [`causal_mask`] when `len_q = len_k`, and the
/// last `len_q` rows of `causal_mask(len_k)` when `len_q ≤ len_k`. With
/// `len_q > len_k` the first `len_q − len_k` rows are fully masked.
pub fn aligned_causal_mask(len_q: usize, len_k: usize) -> Mask {
    Mask::from_fn(len_q, len_k, |i, j| causally_allowed(i, j, len_q, len_k))
}

/// One entry of [`aligned_causal_mask`], for code that must not build the
/// whole (len_q × len_k) mask (the tiles of flash attention).
///
/// `j ≤ a_i = i + len_k − len_q`, written as `j + len_q ≤ i + len_k` so that no
/// subtraction can underflow.
pub fn causally_allowed(i: usize, j: usize, len_q: usize, len_k: usize) -> bool {
    j + len_q <= i + len_k
}

/// Checks l_q ≤ l_k, which bottom-right alignment needs (a_0 = l_k − l_q ≥ 0).
pub(crate) fn check_aligned(len_q: usize, len_k: usize) -> Result<(), ShapeError> {
    if len_q > len_k {
        return Err(ShapeError::CausalNeedsMoreKeys { queries: len_q, keys: len_k });
    }
    Ok(())
}
