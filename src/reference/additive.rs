//! Additive (Bahdanau) attention: a small feed-forward net scores each pair.
//!
//! **Versus multi-head attention:** one head, no value or output projection,
//! and the score is not a dot product:
//!
//! ```text
//! score_ij = v_a · tanh(q_i·W_q + k_j·W_k)
//! weights  = masked row softmax(score)          (no 1/sqrt(d) scale)
//! output   = weights · V
//! ```
//!
//! This is the attention of Bahdanau, Cho and Bengio (2014), "Neural Machine
//! Translation by Jointly Learning to Align and Translate": q_i is the decoder
//! state, k_j = v_j the encoder annotations. Because q and k are projected into
//! a shared d_a-wide space before they meet, they may have **different widths**
//! (d_q ≠ d_k), which a dot product cannot handle. The price is an (l_q × l_k ×
//! d_a) tanh instead of one matrix product; Luong's dot and general scores
//! ([`luong`](super::luong)) are the cheaper alternatives.
//!
//! Pitfalls: no 1/sqrt(d) scale (tanh already bounds each term to [-1, 1]);
//! the projections are applied once to q and once to k, then broadcast over
//! the pairs, never to their concatenation per pair (same result, l_q·l_k
//! times the work).
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::additive_attention;
//!
//! // d_a = 1, W_q = W_k = 1, v_a = 1: score_ij = tanh(q_i + k_j).
//! let w = AdditiveWeights {
//!     w_q: Matrix::from_element(1, 1, 1.0),
//!     w_k: Matrix::from_element(1, 1, 1.0),
//!     v_a: RowVector::from_element(1, 1.0),
//! };
//! let q = Matrix::from_row_slice(1, 1, &[0.0]);
//! let k = Matrix::from_row_slice(2, 1, &[0.0, 100.0]); // scores tanh(0) = 0 and tanh(100) = 1
//! let v = Matrix::from_row_slice(2, 1, &[0.0, 1.0]);
//! let (out, weights) = additive_attention(&q, &k, &v, &w, None);
//! let e = std::f32::consts::E;
//! assert!((weights[(0, 1)] - e / (1.0 + e)).abs() < 1e-6);
//! assert!((out[(0, 0)] - e / (1.0 + e)).abs() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::AdditiveWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::sdpa::{attend, check_keys_values};
use crate::trace;

/// Additive attention of queries `q` over keys `k` and values `v`.
///
/// Shapes: q (l_q × d_q), k (l_k × d_k), v (l_k × d_v), w_q (d_q × d_a),
/// w_k (d_k × d_a), v_a (d_a), mask (l_q × l_k)
/// -> (output (l_q × d_v), weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit; see [`try_additive_attention`].
#[track_caller]
pub fn additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> (Matrix, Matrix) {
    or_panic(try_additive_attention(q, k, v, w, mask))
}

/// [`additive_attention`] that reports bad shapes as an error.
pub fn try_additive_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Matrix), ShapeError> {
    check_shapes(q, k, v, w, mask)?;
    // 1. Project queries and keys into the shared alignment space, once each.
    let q_a = q * &w.w_q; // (l_q, d_q)·(d_q, d_a) -> (l_q, d_a)
    let k_a = k * &w.w_k; // (l_k, d_k)·(d_k, d_a) -> (l_k, d_a)
    trace::step("q_projected", &q_a);
    trace::step("k_projected", &k_a);
    // 2. Score every pair: v_a · tanh(q_a[i] + k_a[j]).
    let scores = Matrix::from_fn(q.nrows(), k.nrows(), |i, j| {
        (q_a.row(i) + k_a.row(j)).map(f32::tanh).dot(&w.v_a) // (1, d_a)·(1, d_a) -> scalar
    }); // (l_q, l_k)
    trace::step("scores", &scores);
    // 3–4. Masked softmax (no scale), then the weighted sum of values.
    Ok(attend(&scores, v, mask))
}

/// Checks q, k, v, the weights and the mask against each other.
fn check_shapes(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
) -> Result<(), ShapeError> {
    expect_eq("query width (columns of q, must equal rows of w_q)", w.w_q.nrows(), q.ncols())?;
    expect_eq("key width (columns of k, must equal rows of w_k)", w.w_k.nrows(), k.ncols())?;
    expect_eq("alignment width (columns of w_k, must equal columns of w_q)", w.w_q.ncols(), w.w_k.ncols())?;
    expect_eq("length of v_a (must equal columns of w_q)", w.w_q.ncols(), w.v_a.len())?;
    check_keys_values(k, v, mask, q.nrows())
}
