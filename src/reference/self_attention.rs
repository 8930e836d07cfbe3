//! Self-attention: a sequence attends to itself.
//!
//! **Versus multi-head attention:** nothing changes but the inputs — queries,
//! keys and values are all projections of the same `x`:
//!
//! ```text
//! SelfAttention(x) = MultiHead(x, x, x)
//! ```
//!
//! Every position can gather information from every other position in one
//! step (path length 1), which is what lets a Transformer encoder replace the
//! recurrence of an RNN (*Attention Is All You Need*, section 4). With a
//! causal mask it becomes the decoder's masked self-attention.
//!
//! Without a mask, self-attention is **permutation-equivariant**: shuffle the
//! rows of `x` and the output rows are shuffled the same way. It has no idea of
//! order; that is what positional encodings are for.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::{causal_mask, self_attention};
//!
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let w = MultiHeadWeights { q: id.clone(), k: id.clone(), v: id.clone(), o: id, num_heads: 1 };
//! let x = Matrix::from_row_slice(3, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
//! let (out, weights) = self_attention(&x, &w, Some(&causal_mask(3)));
//! // With a causal mask the first position can only see itself.
//! assert_eq!(weights[0][(0, 0)], 1.0);
//! assert_eq!(out.row(0), x.row(0));
//! ```

use crate::error::{ShapeError, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::mha::try_multi_head_attention;

/// Multi-head self-attention of the sequence `x`.
///
/// Shapes: x (l × D), weights as [`multi_head_attention`](super::multi_head_attention),
/// mask (l × l) -> (output (l × D_out), H weights (l × l)).
///
/// # Panics
/// If the shapes do not fit; see [`try_self_attention`].
#[track_caller]
pub fn self_attention(x: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    or_panic(try_self_attention(x, w, mask))
}

/// [`self_attention`] that reports bad shapes as an error.
pub fn try_self_attention(
    x: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    // Queries, keys and values all come from x.
    try_multi_head_attention(x, x, x, w, mask)
}
