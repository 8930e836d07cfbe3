//! Luong's multiplicative scores: the dot and general rules of seq2seq attention.
//!
//! **Versus multi-head attention:** one head, no projections of K or V, no
//! output projection — and, for `dot`, no 1/sqrt(d) scale. Luong, Pham and
//! Manning (2015), "Effective Approaches to Attention-based Neural Machine
//! Translation", proposed three scores between a decoder state q_i and an
//! encoder state k_j:
//!
//! ```text
//! dot:     score_ij = q_i · k_j
//! general: score_ij = q_i · W_a · k_jᵀ
//! concat:  score_ij = v_a · tanh(W [q_i; k_j])     (≈ Bahdanau's additive score)
//! ```
//!
//! The weights are the usual masked row softmax and the output is weights · V.
//! Scaled dot-product attention is `dot` divided by sqrt(d_k); `general` lets
//! queries and keys have different widths, like the additive score, for the
//! cost of one matrix product.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::luong::{luong_dot_attention, luong_general_attention};
//!
//! let q = Matrix::from_row_slice(1, 2, &[1.0, 2.0]);
//! let k = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
//! let v = k.clone();
//! // With W_a = identity, general is dot.
//! let (dot, _) = luong_dot_attention(&q, &k, &v, None);
//! let (general, _) = luong_general_attention(&q, &k, &v, &Matrix::identity(2, 2), None);
//! assert!((dot - general).abs().max() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{Mask, Matrix};
use crate::reference::sdpa::{attend, check_keys_values};
use crate::trace;

/// Luong "dot" attention: unscaled dot-product scores.
///
/// Shapes: q (l_q × d), k (l_k × d), v (l_k × d_v), mask (l_q × l_k)
/// -> (output (l_q × d_v), weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit; see [`try_luong_dot_attention`].
#[track_caller]
pub fn luong_dot_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    or_panic(try_luong_dot_attention(q, k, v, mask))
}

/// [`luong_dot_attention`] that reports bad shapes as an error.
pub fn try_luong_dot_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
) -> Result<(Matrix, Matrix), ShapeError> {
    expect_eq("key width (columns of k, must equal columns of q)", q.ncols(), k.ncols())?;
    check_keys_values(k, v, mask, q.nrows())?;
    // 1. Raw dot products, no scale.
    let scores = q * k.transpose(); // (l_q, d)·(d, l_k) -> (l_q, l_k)
    trace::step("scores", &scores);
    // 2–3. Masked softmax, weighted sum of values.
    Ok(attend(&scores, v, mask))
}

/// Luong "general" attention: a learned bilinear score q·W_a·kᵀ.
///
/// Shapes: q (l_q × d_q), k (l_k × d_k), v (l_k × d_v), w_a (d_q × d_k),
/// mask (l_q × l_k) -> (output (l_q × d_v), weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit; see [`try_luong_general_attention`].
#[track_caller]
pub fn luong_general_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w_a: &Matrix,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    or_panic(try_luong_general_attention(q, k, v, w_a, mask))
}

/// [`luong_general_attention`] that reports bad shapes as an error.
pub fn try_luong_general_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w_a: &Matrix,
    mask: Option<&Mask>,
) -> Result<(Matrix, Matrix), ShapeError> {
    expect_eq("query width (columns of q, must equal rows of w_a)", w_a.nrows(), q.ncols())?;
    expect_eq("key width (columns of k, must equal columns of w_a)", w_a.ncols(), k.ncols())?;
    check_keys_values(k, v, mask, q.nrows())?;
    // 1. Bring the queries into key space, then take dot products.
    let q_in_key_space = q * w_a; // (l_q, d_q)·(d_q, d_k) -> (l_q, d_k)
    trace::step("q_projected", &q_in_key_space);
    let scores = q_in_key_space * k.transpose(); // (l_q, d_k)·(d_k, l_k) -> (l_q, l_k)
    trace::step("scores", &scores);
    // 2–3. Masked softmax, weighted sum of values.
    Ok(attend(&scores, v, mask))
}
