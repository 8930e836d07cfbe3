//! Scaled dot-product attention: the core every other variant is built around.
//!
//! *Attention Is All You Need* (Vaswani et al., 2017), equation 1:
//!
//! ```text
//! Attention(Q, K, V) = softmax(Q·Kᵀ / sqrt(d_k)) · V
//! ```
//!
//! Each query row asks "which keys look like me?"; the dot products answer,
//! softmax turns the answers into weights that sum to 1, and the output row is
//! the weighted average of the value rows.
//!
//! Why 1/sqrt(d_k): if the entries of q and k are independent with variance 1,
//! their dot product has variance d_k. Large scores push softmax towards a
//! one-hot row whose gradient is almost zero; dividing by sqrt(d_k) brings the
//! variance back to 1.
//!
//! Pitfalls:
//! - **Scale by the per-head width d_k**, not by d_model, not by d_v, not by
//!   d_k itself (no square root). With one head d_k = d_model and the bug hides.
//! - **Mask before the softmax**, not after: zeroing weights after normalising
//!   leaves rows that no longer sum to 1.
//! - **Fully masked rows** must come out as zeros, not NaN (see
//!   [`softmax`](super::softmax)).
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::scaled_dot_product_attention;
//!
//! // One query, two keys. q·k1 = 0 and q·k2 = 2; with d_k = 4 the scaled scores
//! // are 0 and 2/sqrt(4) = 1, so the weights are [1, e] / (1 + e).
//! let q = Matrix::from_row_slice(1, 4, &[1.0, 1.0, 0.0, 0.0]);
//! let k = Matrix::from_row_slice(2, 4, &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
//! let v = Matrix::from_row_slice(2, 1, &[0.0, 1.0]);
//! let (out, w) = scaled_dot_product_attention(&q, &k, &v, None);
//! let e = std::f32::consts::E;
//! assert!((w[(0, 1)] - e / (1.0 + e)).abs() < 1e-6);
//! assert!((out[(0, 0)] - e / (1.0 + e)).abs() < 1e-6); // v = [0, 1] picks out weight 2
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{Mask, Matrix};
use crate::reference::softmax::{check_mask, masked_softmax_rows};
use crate::trace;

/// Scaled dot-product attention of one sequence (one head).
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), mask (l_q × l_k)
/// -> (output (l_q × d_v), weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit; see [`try_scaled_dot_product_attention`].
#[track_caller]
pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    or_panic(try_scaled_dot_product_attention(q, k, v, mask))
}

/// [`scaled_dot_product_attention`] that reports bad shapes as an error.
pub fn try_scaled_dot_product_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
) -> Result<(Matrix, Matrix), ShapeError> {
    check_shapes(q, k, v, mask)?;
    let d_k = q.ncols();
    // 1. Similarity of every query with every key.
    let scores = q * k.transpose(); // (l_q, d_k)·(d_k, l_k) -> (l_q, l_k)
    // 2. Scale by 1/sqrt(d_k) so the scores have unit variance.
    let scores = scores / (d_k as f32).sqrt(); // (l_q, l_k)
    trace::step("scores", &scores);
    // 3–4. Masked softmax, then the weighted sum of values.
    Ok(attend(&scores, v, mask))
}

/// The last two steps shared by every score rule (dot product, additive, Luong):
/// masked row softmax, then a weighted average of the value rows.
///
/// Shapes: scores (l_q × l_k), v (l_k × d_v), mask (l_q × l_k)
/// -> (output (l_q × d_v), weights (l_q × l_k)).
///
/// Callers have checked the shapes.
pub(crate) fn attend(scores: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    if let Some(mask) = mask {
        trace::step("mask", mask);
    }
    // 3. Softmax over the keys; masked entries get exactly 0.
    let weights = masked_softmax_rows(scores, mask); // (l_q, l_k)
    trace::step("weights", &weights);
    // 4. Each output row is the weighted average of the value rows.
    let output = &weights * v; // (l_q, l_k)·(l_k, d_v) -> (l_q, d_v)
    trace::step("weighted_values", &output);
    (output, weights)
}

/// Checks q, k, v and the mask against each other.
fn check_shapes(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> Result<(), ShapeError> {
    expect_eq("key width (columns of k, must equal columns of q)", q.ncols(), k.ncols())?;
    check_keys_values(k, v, mask, q.nrows())
}

/// Checks that keys and values describe the same positions and the mask is (l_q × l_k).
pub(crate) fn check_keys_values(k: &Matrix, v: &Matrix, mask: Option<&Mask>, l_q: usize) -> Result<(), ShapeError> {
    expect_eq("value length (rows of v, must equal rows of k)", k.nrows(), v.nrows())?;
    mask.map_or(Ok(()), |m| check_mask(m, l_q, k.nrows()))
}
