//! Cross-attention: one sequence queries another.
//!
//! **Versus multi-head attention:** queries come from `x` (the decoder side),
//! keys *and* values from `memory` (the encoder's output):
//!
//! ```text
//! CrossAttention(x, memory) = MultiHead(x, memory, memory)
//! ```
//!
//! This is the "encoder-decoder attention" of *Attention Is All You Need*
//! (section 3.2.3): each target position looks up the source sentence. The
//! two sequences may have different lengths, so the weights are (l_x × l_mem),
//! not square, and a causal mask makes no sense here (a padding mask does).
//!
//! Pitfall: taking the queries from `memory` or the values from `x` gives an
//! output of the wrong length or, worse when the lengths agree, silently
//! wrong numbers. With `memory = x` cross-attention *is* self-attention.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::cross_attention;
//!
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let w = MultiHeadWeights { q: id.clone(), k: id.clone(), v: id.clone(), o: id, num_heads: 1 };
//! let x = Matrix::from_row_slice(3, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
//! let memory = Matrix::from_row_slice(1, 2, &[4.0, 2.0]);
//! let (out, weights) = cross_attention(&x, &memory, &w, None);
//! assert_eq!(out.shape(), (3, 2)); // one row per query of x
//! assert_eq!(weights[0].shape(), (3, 1)); // l_x × l_memory
//! assert_eq!(out.row(2), memory.row(0)); // a single memory row takes all the weight
//! ```

use crate::error::{ShapeError, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::mha::try_multi_head_attention;

/// Multi-head attention of `x` over `memory`.
///
/// Shapes: x (l_x × D), memory (l_m × D), mask (l_x × l_m)
/// -> (output (l_x × D_out), H weights (l_x × l_m)).
///
/// # Panics
/// If the shapes do not fit; see [`try_cross_attention`].
#[track_caller]
pub fn cross_attention(
    x: &Matrix,
    memory: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    or_panic(try_cross_attention(x, memory, w, mask))
}

/// [`cross_attention`] that reports bad shapes as an error.
pub fn try_cross_attention(
    x: &Matrix,
    memory: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    // Queries from x; keys and values both from memory.
    try_multi_head_attention(x, memory, memory, w, mask)
}
