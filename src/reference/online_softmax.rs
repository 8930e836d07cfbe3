//! The online softmax: the same weights as [`softmax_rows`](super::softmax_rows),
//! but the keys of a row are read once, in order, keeping only two running
//! numbers per row.
//!
//! What changes versus the plain softmax: [`softmax`](super::softmax) needs the
//! row maximum *before* it can exponentiate, so it reads every score three
//! times (max, sum of exponentials, divide). Here the maximum is allowed to be
//! wrong for a while: whenever it grows, everything summed so far is rescaled
//! to the new maximum. That is what lets flash attention see the keys one
//! block at a time and never hold a whole row of scores
//! ([`flash`](super::flash) runs exactly this recurrence on tiles).
//!
//! *Online normalizer calculation for softmax* (Milakov & Gimelshein, 2018),
//! for one row of scores `s_1..s_n`, starting from `m_0 = −inf`, `l_0 = 0`:
//!
//! ```text
//! m_j = max(m_{j−1}, s_j)                                   running maximum
//! l_j = l_{j−1} · exp(m_{j−1} − m_j) + exp(s_j − m_j)        running sum
//! softmax(s)_j = exp(s_j − m_n) / l_n                        second pass
//! ln Σ_j exp(s_j) = m_n + ln l_n                             log-sum-exp, for free
//! ```
//!
//! Invariant: after key j, `l_j = Σ_{t ≤ j} exp(s_t − m_j)`, a sum against
//! the *current* maximum, so every exponent stays ≤ 0 and nothing overflows.
//!
//! Pitfalls:
//! - **Rescale the old sum** by `exp(m_old − m_new)` whenever the maximum
//!   grows. Forgetting it mixes terms measured against different maxima.
//! - **`−inf − (−inf)` is NaN.** A row that has only seen masked (−inf)
//!   scores still has `m = −inf`; its rescale factor must be 1 (or anything:
//!   the sum is 0) and its exponentials 0, not `exp(NaN)`.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::online_softmax::{RunningSoftmax, online_softmax_rows};
//!
//! // The row [0, ln 3], one key at a time.
//! let mut running = RunningSoftmax::new(1);
//! running.absorb(&mut Matrix::from_element(1, 1, 0.0)); // m = 0, l = exp(0) = 1
//! assert_eq!((running.max[0], running.sum[0]), (0.0, 1.0));
//! // m grows to ln 3: the old sum 1 is rescaled by exp(0 − ln 3) = 1/3, plus exp(0) = 1.
//! let rescale = running.absorb(&mut Matrix::from_element(1, 1, 3f32.ln()));
//! assert!((rescale[0] - 1.0 / 3.0).abs() < 1e-6 && (running.sum[0] - 4.0 / 3.0).abs() < 1e-6);
//! // Weights exp(s − ln 3) / (4/3) = [1/3, 1] · 3/4 = [1/4, 3/4], as softmax_rows says.
//! let p = online_softmax_rows(&Matrix::from_row_slice(1, 2, &[0.0, 3f32.ln()]));
//! assert!((p[(0, 0)] - 0.25).abs() < 1e-6 && (p[(0, 1)] - 0.75).abs() < 1e-6);
//! // And the log-sum-exp: ln(1 + 3) = ln 3 + ln(4/3).
//! assert!((running.lse()[0] - 4f32.ln()).abs() < 1e-6);
//! ```

use crate::prelude::{DVector, Matrix};

/// The two running numbers of the online softmax, one entry per row.
///
/// Shapes: `max` (rows), `sum` (rows). After absorbing some columns of
/// scores, `sum_i = Σ exp(s_it − max_i)` over every column seen so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningSoftmax {
    /// `m_i`: the largest score of row i seen so far (−inf before any, or if all were −inf).
    pub max: DVector<f32>,
    /// `l_i`: the sum of `exp(s − m_i)` over the scores of row i seen so far.
    pub sum: DVector<f32>,
}

impl RunningSoftmax {
    /// Nothing seen yet: `m = −inf`, `l = 0` in every row.
    ///
    /// Shapes: -> max (rows), sum (rows).
    pub fn new(rows: usize) -> Self {
        RunningSoftmax { max: DVector::from_element(rows, f32::NEG_INFINITY), sum: DVector::zeros(rows) }
    }

    /// Takes in the next columns of scores (any number of them, `-inf` =
    /// masked) and returns each row's rescale factor `exp(m_old − m_new)`.
    ///
    /// Shapes: tile (rows × n) -> rescale (rows).
    ///
    /// Afterwards `tile` holds `exp(s − m_new)` (masked entries exactly 0), and
    /// `max`, `sum` are updated. Anything else the caller accumulated against
    /// the old maximum (flash attention's unnormalised output) must be
    /// multiplied by the returned factors, exactly as `sum` was.
    pub fn absorb(&mut self, tile: &mut Matrix) -> DVector<f32> {
        // 1. New running maximum: the old one or the largest score of the tile.
        let start = self.max.clone(); // (rows)
        let new_max = tile.compress_columns(start, |max, s| max.zip_apply(&s, |m, s| *m = m.max(s))); // (rows)
        // 2. How much the old sum shrinks, measured against the new maximum (≤ 1).
        let rescale = self.max.zip_map(&new_max, rescale_factor); // (rows)
        // 3. The tile's exponentials against the new maximum (every exponent ≤ 0).
        for mut column in tile.column_iter_mut() {
            column.zip_apply(&new_max, |s, m| *s = if m == f32::NEG_INFINITY { 0.0 } else { (*s - m).exp() });
        }
        // 4. l ← l · exp(m_old − m_new) + rowsum(exp(s − m_new)).
        self.sum = self.sum.component_mul(&rescale) + tile.column_sum(); // (rows) + (rows, n) summed over n -> (rows)
        self.max = new_max;
        rescale
    }

    /// The log-sum-exp of every row seen so far, `m + ln l` (−inf for a row
    /// with nothing to attend to).
    ///
    /// Shapes: -> lse (rows).
    pub fn lse(&self) -> DVector<f32> {
        // ln l, not ln(Σ exp s): l ≥ 1 once anything is seen, so this never
        // overflows, while exp(s) would at s ≈ 89.
        self.max.zip_map(&self.sum, |m, l| if l > 0.0 { m + l.ln() } else { f32::NEG_INFINITY })
    }
}

/// `exp(m_old − m_new)`, the factor that re-measures a running sum against a
/// grown maximum.
///
/// Pitfall: while a row has seen nothing (or only −inf), both maxima are −inf
/// and `exp(−inf − (−inf))` is NaN. Its sum is 0, so any factor will do: 1.
fn rescale_factor(old: f32, new: f32) -> f32 {
    if new == f32::NEG_INFINITY { 1.0 } else { (old - new).exp() }
}

/// Softmax over each row, computed with the online recurrence: one pass over
/// the keys for the maximum and the sum together, one pass to normalise.
///
/// Shapes: scores (l_q × l_k) -> weights (l_q × l_k).
///
/// Equal to [`softmax_rows`](super::softmax_rows) to f32 round-off, including
/// `-inf` entries (weight exactly 0) and rows that are all `-inf` (all zero).
pub fn online_softmax_rows(scores: &Matrix) -> Matrix {
    let mut running = RunningSoftmax::new(scores.nrows());
    // 1. One pass over the keys, one key (one column) at a time: the running
    //    max and sum of every row move together. Nothing else is kept.
    for j in 0..scores.ncols() {
        let mut key_scores = scores.columns(j, 1).into_owned(); // (l_q, 1)
        running.absorb(&mut key_scores);
    }
    // 2. Second pass: exp(s − m) / l with the final m and l of each row.
    let mut weights = scores.clone(); // (l_q, l_k), normalised in place
    for mut column in weights.column_iter_mut() {
        column.zip_zip_apply(&running.max, &running.sum, |s, m, l| {
            *s = if l > 0.0 { (*s - m).exp() / l } else { 0.0 };
        });
    }
    weights
}
