//! Row softmax, with and without a mask — the one place every variant turns
//! scores into weights.
//!
//! For one row of scores `s_1..s_n`:
//!
//! ```text
//! softmax(s)_j = exp(s_j - m) / Σ_t exp(s_t - m),   m = max_t s_t
//! ```
//!
//! Subtracting the row maximum `m` changes nothing mathematically (it cancels
//! between numerator and denominator) but keeps every exponent ≤ 0, so `exp`
//! never overflows. **Pitfall:** without it, a score of 89 already overflows
//! f32 (`exp(89) = inf`) and the row becomes `inf / inf = NaN`; scores of order
//! 1e3 are routine when the 1/sqrt(d_k) scale is forgotten.
//!
//! With a mask, a masked position gets weight **exactly 0** (it is left out of
//! the max and of the sum, not filled with a big negative number). A row with
//! no allowed key at all gets **all-zero weights**, as PyTorch's
//! `scaled_dot_product_attention` does. The two textbook fills behave otherwise
//! on such a row — a quiz favourite:
//! - fill with `-inf`: the max is `-inf`, `exp(-inf - -inf) = exp(NaN)`: NaN row;
//! - fill with `-1e9`: every entry equals `-1e9`, so the row is uniform `1/n`.
//!
//! **Layout lesson.** nalgebra stores matrices column by column. Walking one
//! *row* of a big score matrix jumps `nrows` floats between neighbours and
//! misses the cache on nearly every step; that alone made an early version of
//! this code ten times slower than the matrix products around it. So we
//! transpose once, normalise each (now contiguous) column, and transpose back:
//! two cheap copies instead of a strided walk.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::softmax_rows;
//!
//! // ln 3 makes the arithmetic easy: exp(ln 3) = 3, so the row is [1, 3] / 4.
//! let scores = Matrix::from_row_slice(1, 2, &[0.0, 3f32.ln()]);
//! let p = softmax_rows(&scores);
//! assert!((p[(0, 0)] - 0.25).abs() < 1e-6 && (p[(0, 1)] - 0.75).abs() < 1e-6);
//! ```

use crate::error::{ShapeError, or_panic};
use crate::prelude::{Mask, Matrix};

/// Softmax over each row (over the keys): every row of the result sums to 1.
///
/// Shapes: scores (l_q × l_k) -> weights (l_q × l_k).
///
/// Numerically stable for scores of any finite magnitude. A row whose entries
/// are all `-inf` (nothing to attend to) comes out all zero, not NaN.
pub fn softmax_rows(scores: &Matrix) -> Matrix {
    masked_softmax_rows(scores, None)
}

/// Softmax over each row, keeping only the entries the mask allows.
///
/// Shapes: scores (l_q × l_k), mask (l_q × l_k) -> weights (l_q × l_k).
///
/// Masked entries are exactly 0; a fully masked row is all zero.
///
/// # Panics
/// If the mask is not (l_q × l_k); see [`try_masked_softmax_rows`].
#[track_caller]
pub fn masked_softmax_rows(scores: &Matrix, mask: Option<&Mask>) -> Matrix {
    or_panic(try_masked_softmax_rows(scores, mask))
}

/// [`masked_softmax_rows`] that reports a mask of the wrong shape as an error.
pub fn try_masked_softmax_rows(scores: &Matrix, mask: Option<&Mask>) -> Result<Matrix, ShapeError> {
    if let Some(mask) = mask {
        check_mask(mask, scores.nrows(), scores.ncols())?;
    }
    let (l_q, l_k) = scores.shape();
    if l_k == 0 {
        return Ok(scores.clone());
    }
    // 1. Transpose so each query's scores are one contiguous column.
    let mut by_query = scores.transpose(); // (l_q, l_k) -> (l_k, l_q)
    // 2. Normalise each column on its own.
    for (i, column) in by_query.as_mut_slice().chunks_mut(l_k).enumerate() {
        let allowed = |j: usize| mask.is_none_or(|m| m[(i, j)]);
        normalise_in_place(column, allowed);
    }
    // 3. Back to one row per query.
    let weights = by_query.transpose(); // (l_k, l_q) -> (l_q, l_k)
    debug_assert_eq!(weights.shape(), (l_q, l_k));
    Ok(weights)
}

/// Turns one row of scores into probabilities over the allowed positions.
///
/// Disallowed positions, and positions whose score is `-inf`, get exactly 0;
/// if nothing is left the row is all zero.
fn normalise_in_place(row: &mut [f32], allowed: impl Fn(usize) -> bool) {
    // 1. The largest allowed score (-inf if none is allowed).
    let max = (0..row.len()).filter(|&j| allowed(j)).map(|j| row[j]).fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        row.fill(0.0); // fully masked: zeros, not NaN and not uniform
        return;
    }
    // 2. exp(s - max): every exponent is <= 0, so nothing overflows.
    let mut sum = 0.0;
    for (j, s) in row.iter_mut().enumerate() {
        *s = if allowed(j) { (*s - max).exp() } else { 0.0 };
        sum += *s;
    }
    // 3. Divide by the sum (>= 1, since the max itself contributes exp(0) = 1).
    for s in row.iter_mut() {
        *s /= sum;
    }
}

/// Checks that a mask has the (l_q × l_k) shape of the scores it masks.
pub(crate) fn check_mask(mask: &Mask, l_q: usize, l_k: usize) -> Result<(), ShapeError> {
    if mask.shape() == (l_q, l_k) {
        Ok(())
    } else {
        Err(ShapeError::MaskShape {
            expected_rows: l_q,
            expected_cols: l_k,
            got_rows: mask.nrows(),
            got_cols: mask.ncols(),
        })
    }
}
