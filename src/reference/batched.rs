//! The batch dimension: "Q, K, V are [N, L, D]".
//!
//! Interview questions write shapes with a batch dimension N in front. Here a
//! batch is a slice of N matrices, one (L × D) sequence each, and every batched
//! function is the per-sequence function mapped over it: batch elements never
//! interact in attention. So, for Q, K, V of shape [N, L, D]:
//!
//! ```text
//! scores, weights  [N, L, L]        (multi-head: [N, H, L, L])
//! output           [N, L, D]
//! ```
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::batched::batched_scaled_dot_product_attention;
//!
//! // N = 2, L = 3, D = 4
//! let x = vec![Matrix::from_element(3, 4, 0.1), Matrix::from_element(3, 4, 0.2)];
//! let (outputs, weights) = batched_scaled_dot_product_attention(&x, &x, &x, None);
//! assert_eq!(outputs.len(), 2);
//! assert_eq!(outputs[0].shape(), (3, 4)); // [N, L, D]
//! assert_eq!(weights[1].shape(), (3, 3)); // [N, L, L]
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::mha::try_multi_head_attention;
use crate::reference::sdpa::try_scaled_dot_product_attention;

/// Scaled dot-product attention over a batch, the same mask for every element.
///
/// Shapes: q [N, l_q, d_k], k [N, l_k, d_k], v [N, l_k, d_v], mask (l_q × l_k)
/// -> (outputs [N, l_q, d_v], weights [N, l_q, l_k]).
///
/// # Panics
/// If the batch sizes or shapes do not fit; see [`try_batched_scaled_dot_product_attention`].
#[track_caller]
pub fn batched_scaled_dot_product_attention(
    q: &[Matrix],
    k: &[Matrix],
    v: &[Matrix],
    mask: Option<&Mask>,
) -> (Vec<Matrix>, Vec<Matrix>) {
    or_panic(try_batched_scaled_dot_product_attention(q, k, v, mask))
}

/// [`batched_scaled_dot_product_attention`] that reports bad shapes as an error.
pub fn try_batched_scaled_dot_product_attention(
    q: &[Matrix],
    k: &[Matrix],
    v: &[Matrix],
    mask: Option<&Mask>,
) -> Result<(Vec<Matrix>, Vec<Matrix>), ShapeError> {
    let per_element = map_batch(q, k, v, |q, k, v| try_scaled_dot_product_attention(q, k, v, mask))?;
    Ok(per_element.into_iter().unzip())
}

/// Multi-head attention over a batch, the same weights and mask for every element.
///
/// Shapes: query [N, l_q, D], key, value [N, l_k, D], mask (l_q × l_k)
/// -> (outputs [N, l_q, D_out], weights [N, H, l_q, l_k]).
///
/// # Panics
/// If the batch sizes or shapes do not fit; see [`try_batched_multi_head_attention`].
#[track_caller]
pub fn batched_multi_head_attention(
    query: &[Matrix],
    key: &[Matrix],
    value: &[Matrix],
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Vec<Matrix>, Vec<Vec<Matrix>>) {
    or_panic(try_batched_multi_head_attention(query, key, value, w, mask))
}

/// [`batched_multi_head_attention`] that reports bad shapes as an error.
pub fn try_batched_multi_head_attention(
    query: &[Matrix],
    key: &[Matrix],
    value: &[Matrix],
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(Vec<Matrix>, Vec<Vec<Matrix>>), ShapeError> {
    let per_element = map_batch(query, key, value, |q, k, v| try_multi_head_attention(q, k, v, w, mask))?;
    Ok(per_element.into_iter().unzip())
}

/// Multi-head self-attention over a batch: [`batched_multi_head_attention`] with
/// query = key = value = x.
///
/// Shapes: x [N, l, D], mask (l × l) -> (outputs [N, l, D_out], weights [N, H, l, l]).
///
/// # Panics
/// If the shapes do not fit.
#[track_caller]
pub fn batched_self_attention(
    x: &[Matrix],
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Vec<Matrix>, Vec<Vec<Matrix>>) {
    batched_multi_head_attention(x, x, x, w, mask)
}

/// Applies `f` to each batch element `(q[n], k[n], v[n])`, after checking that
/// the three batches have the same size N.
pub fn map_batch<T>(
    q: &[Matrix],
    k: &[Matrix],
    v: &[Matrix],
    f: impl Fn(&Matrix, &Matrix, &Matrix) -> Result<T, ShapeError>,
) -> Result<Vec<T>, ShapeError> {
    expect_eq("batch size of keys (must equal the batch size of queries)", q.len(), k.len())?;
    expect_eq("batch size of values (must equal the batch size of queries)", q.len(), v.len())?;
    q.iter().zip(k).zip(v).map(|((q, k), v)| f(q, k, v)).collect()
}
