//! # Exercise: the causal mask
//!
//! Build the mask that keeps a decoder from looking into the future: query
//! position `i` may attend to key position `j` exactly when `j <= i`.
//!
//! Shape: (len × len), one row per query, one column per key. `len` may be 0
//! or 1.
//!
//! Conventions:
//! - A mask entry is **`true` where the query MAY attend** to the key (the
//!   boolean convention of PyTorch's `scaled_dot_product_attention`).
//!   `nn.MultiheadAttention` uses the opposite polarity; not this project.
//! - Every position may attend to itself: the diagonal is `true`.
//!
//! Pitfalls: getting the polarity backwards, leaving out the diagonal, or
//! building the transpose (key `j` may see query `i`).
//!
//! Check your answer:  `attn-quiz check exercises/causal_mask.rs`
//! Stuck?              `attn-quiz hint causal_mask` (one hint at a time)

use attn_quiz::prelude::*;

/// The causal mask: entry (i, j) is `true` exactly when query `i` may attend to key `j`.
pub fn causal_mask(len: usize) -> Mask {
    todo!("a (len × len) mask, true where j <= i")
}
