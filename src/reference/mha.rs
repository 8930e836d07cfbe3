//! Multi-head attention: H scaled dot-product attentions side by side.
//!
//! *Attention Is All You Need* (Vaswani et al., 2017), section 3.2.2:
//!
//! ```text
//! MultiHead(Q, K, V) = Concat(head_1, ..., head_H) · W_O
//! head_h = Attention(Q·W_Q[h], K·W_K[h], V·W_V[h])
//! ```
//!
//! One attention has one softmax per query: it can only average the values in
//! one way. H heads, each working in its own d_k = D/H wide subspace, can look
//! for different things at once (the previous token, the subject of the verb,
//! a matching bracket) for about the cost of one full-width head.
//!
//! The variants that follow are small edits of this file:
//! - self-attention: query = key = value = x;
//! - cross-attention: query = x, key = value = memory;
//! - gated: the concatenated heads are scaled by a sigmoid gate before W_O;
//! - grouped-query: fewer key/value heads than query heads.
//!
//! Pitfalls: scale by sqrt(d_k) = sqrt(D/H), not sqrt(D); split the *projected*
//! matrices into contiguous column blocks ([`heads`](super::heads)); do not
//! forget the output projection or its bias. A fully masked query row gives a
//! zero row in every head, so its final output row is exactly `b_O`.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::multi_head_attention;
//!
//! // Identity projections with zero bias and 2 heads over D = 2 (d_k = 1).
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let w = MultiHeadWeights { q: id.clone(), k: id.clone(), v: id.clone(), o: id, num_heads: 2 };
//! // One key only: every head must put weight 1 on it and copy its value.
//! let query = Matrix::from_row_slice(1, 2, &[5.0, -3.0]);
//! let key = Matrix::from_row_slice(1, 2, &[0.5, 2.0]);
//! let (out, weights) = multi_head_attention(&query, &key, &key, &w, None);
//! assert_eq!(out, key);
//! assert_eq!(weights.len(), 2);
//! assert_eq!(weights[0][(0, 0)], 1.0);
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::heads::{attend_each_head, merge_heads, split_heads};
use crate::reference::sdpa::check_keys_values;
use crate::trace;

/// Multi-head attention of one sequence of queries over one sequence of keys/values.
///
/// Shapes: query (l_q × D), key (l_k × D), value (l_k × D),
/// weights q, k (D × H·d_k), v (D × H·d_v), o (H·d_v × D_out), mask (l_q × l_k)
/// -> (output (l_q × D_out), H weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit; see [`try_multi_head_attention`].
#[track_caller]
pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    or_panic(try_multi_head_attention(query, key, value, w, mask))
}

/// [`multi_head_attention`] that reports bad shapes as an error.
pub fn try_multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    // 1–4. Project, split, attend per head, concatenate.
    let (concat, weights) = concat_heads(query, key, value, w, mask)?; // (l_q, H·d_v)
    // 5. Mix the heads back together.
    let output = w.o.try_forward(&concat)?; // (l_q, H·d_v)·(H·d_v, D_out) -> (l_q, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// Steps 1–4 of multi-head attention, everything before the output projection.
///
/// Shapes: as [`multi_head_attention`] -> (concatenated heads (l_q × H·d_v),
/// H weights (l_q × l_k)). Gated self-attention scales this concatenation
/// before projecting it.
pub fn concat_heads(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    check_shapes(query, key, value, w, mask)?;
    // 1. Project the full inputs once (one big matrix per role, not one per head).
    let q = w.q.try_forward(query)?; // (l_q, D)·(D, H·d_k) -> (l_q, H·d_k)
    let k = w.k.try_forward(key)?; // (l_k, D)·(D, H·d_k) -> (l_k, H·d_k)
    let v = w.v.try_forward(value)?; // (l_k, D)·(D, H·d_v) -> (l_k, H·d_v)
    trace::step("q_projected", &q);
    trace::step("k_projected", &k);
    trace::step("v_projected", &v);
    // 2. Head h reads the column block [h·d_k, (h+1)·d_k) of each projection.
    let q_heads = split_heads(&q, w.num_heads); // H × (l_q, d_k)
    let k_heads = split_heads(&k, w.num_heads); // H × (l_k, d_k)
    let v_heads = split_heads(&v, w.num_heads); // H × (l_k, d_v)
    trace::step_each("q_heads", &q_heads);
    trace::step_each("k_heads", &k_heads);
    trace::step_each("v_heads", &v_heads);
    // 3. Scaled dot-product attention in each head (scale 1/sqrt(d_k), d_k = D/H).
    let (head_outputs, weights) = attend_each_head(&q_heads, &k_heads, &v_heads, |h| h, mask);
    // 4. Concatenate the head outputs in head order.
    let concat = merge_heads(&head_outputs); // H × (l_q, d_v) -> (l_q, H·d_v)
    trace::step("merged", &concat);
    Ok((concat, weights))
}

/// Checks inputs, projections, head count and mask against each other.
pub(crate) fn check_shapes(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Result<(), ShapeError> {
    expect_divisible("q projection width", w.q.out_features(), w.num_heads)?;
    expect_divisible("v projection width", w.v.out_features(), w.num_heads)?;
    expect_eq("k projection width (must equal the q projection width)", w.q.out_features(), w.k.out_features())?;
    expect_eq("o projection input (must equal the v projection width)", w.v.out_features(), w.o.in_features())?;
    expect_eq("query width (columns of query)", w.q.in_features(), query.ncols())?;
    expect_eq("key width (columns of key)", w.k.in_features(), key.ncols())?;
    expect_eq("value width (columns of value)", w.v.in_features(), value.ncols())?;
    check_keys_values(key, value, mask, query.nrows())
}
