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
//! With a mask, a masked position gets weight **exactly 0**: its score is
//! replaced by `-inf`, which is never the maximum and whose `exp` is exactly 0.
//! A row with no allowed key at all gets **all-zero weights**, as PyTorch's
//! `scaled_dot_product_attention` does; that needs one explicit check, because
//! the two textbook fills behave otherwise on such a row — a quiz favourite:
//! - fill with `-inf` and nothing else: the max is `-inf`,
//!   `exp(-inf - -inf) = exp(NaN)`: NaN row;
//! - fill with `-1e9`: every entry equals `-1e9`, so the row is uniform `1/n`.
//!
//! **Layout lesson.** nalgebra stores matrices column by column. Walking one
//! *row* of a big score matrix jumps `nrows` floats between neighbours and
//! misses the cache on nearly every step. Transposing first does not help, as
//! the transpose is that same strided walk: at L = 1024 (a power of two, the
//! worst case for the cache) two transposes took over ten times as long as both
//! matrix products of attention. So every step below sweeps the matrix in
//! storage order, one column at a time, and keeps what it needs per row (the
//! running maximum, the running sum) in a small vector of length `nrows`.
//! The layout is not what costs, then: measured at L = 1024 (`cargo bench
//! --bench attention`), the sweeps themselves are cheap next to the exp.
//!
//! **Speed lesson.** `f32::exp` is a call into the C library for every number,
//! about 3.5 ns each here: the million exponentials of L = 1024 took longer
//! than both matrix products. Step 3 uses [`fast::exp::exp`](crate::fast::exp::exp)
//! instead: the same function (to about 1e-6, far inside any tolerance) written
//! as plain arithmetic, which the compiler runs on several numbers at once.
//! Nothing else changes.
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
use crate::fast::exp::exp;
use crate::prelude::{DVector, Mask, Matrix};

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
    let mut weights = scores.clone(); // (l_q, l_k), normalised in place
    // 1. Masked scores become -inf: never the maximum, and exp(-inf) = 0.
    if let Some(mask) = mask {
        weights.zip_apply(mask, |s, allowed| *s = if allowed { *s } else { f32::NEG_INFINITY });
    }
    // 2. The largest score of each row (-inf if none is allowed).
    let start = DVector::from_element(scores.nrows(), f32::NEG_INFINITY); // (l_q, 1)
    let row_max = weights.compress_columns(start, |max, column| max.zip_apply(&column, |m, s| *m = m.max(s)));
    // 3. exp(s - max): every exponent is <= 0, so nothing overflows. A row
    //    whose max is -inf has nothing to attend to: zeros, not NaN.
    for mut column in weights.column_iter_mut() {
        column.zip_apply(&row_max, |s, max| *s = if max == f32::NEG_INFINITY { 0.0 } else { exp(*s - max) });
    }
    // 4. Divide each row by its sum (>= 1 where anything is allowed, since the
    //    max itself contributes exp(0) = 1). A row of zeros is divided by 1
    //    instead, and stays zeros.
    let row_sum = weights.column_sum().map(|sum| if sum > 0.0 { sum } else { 1.0 }); // (l_q, 1)
    for mut column in weights.column_iter_mut() {
        column.component_div_assign(&row_sum);
    }
    Ok(weights)
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
