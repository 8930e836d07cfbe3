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
//!
//! ```
//! use attn_quiz::reference::{causal_mask, padding_mask};
//!
//! let m = causal_mask(3);
//! assert!(m[(2, 0)] && m[(2, 2)] && !m[(0, 1)]);
//! let p = padding_mask(2, 3, 2); // 2 queries, 3 keys, only the first 2 are real
//! assert!(p[(1, 1)] && !p[(1, 2)]);
//! ```

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
