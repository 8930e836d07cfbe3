//! Comparisons shared by the golden and the property tests.
//!
//! Each check returns a [`Check`]: `Ok(())`, or a [`Failure`] that says which
//! output, which entry, and the expected and actual values.

use attn_quiz::prelude::{Mask, Matrix};
use std::fmt;

/// Absolute part of the tolerance: `|actual − expected| ≤ ABS_TOL + REL_TOL·|expected|`.
pub const ABS_TOL: f32 = 1e-5;
/// Relative part of the tolerance, a few hundred f32 round-offs.
pub const REL_TOL: f32 = 1e-4;

/// Why a result is wrong, in words.
///
/// `Debug` prints the text as it is, because quickcheck reports a property's
/// error with `{:?}`.
pub struct Failure(pub String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The outcome of one check.
pub type Check = Result<(), Failure>;

/// Whether `actual` is within the tolerance of `expected`.
pub fn within_tolerance(actual: f32, expected: f32) -> bool {
    (actual - expected).abs() <= ABS_TOL + REL_TOL * expected.abs()
}

/// Checks that `actual` has the shape of `expected` and that every entry is
/// finite and within the tolerance; reports the first bad entry and how many
/// there are.
pub fn close(what: &str, actual: &Matrix, expected: &Matrix) -> Check {
    same_shape(what, actual.shape(), expected.shape())?;
    let is_bad = |&(a, e): &(f32, f32)| !a.is_finite() || !within_tolerance(a, e);
    let pairs = || actual.iter().copied().zip(expected.iter().copied());
    let Some(index) = pairs().position(|pair| is_bad(&pair)) else {
        return Ok(());
    };
    let (row, col) = position_of(index, actual.nrows());
    let count = pairs().filter(is_bad).count();
    Err(Failure(format!(
        "{what}[{row}, {col}]: expected {}, got {} ({count} of {} entries out of tolerance)",
        expected[index],
        actual[index],
        actual.len()
    )))
}

/// [`close`] for lists of matrices, one per head or per batch element.
pub fn close_each(what: &str, actual: &[Matrix], expected: &[Matrix]) -> Check {
    if actual.len() != expected.len() {
        return Err(Failure(format!("{what}: expected {} matrices, got {}", expected.len(), actual.len())));
    }
    let mut pairs = actual.iter().zip(expected).enumerate();
    pairs.try_for_each(|(i, (a, e))| close(&format!("{what}[{i}]"), a, e))
}

/// Checks that `weights` is exactly 0 wherever `mask` forbids attending.
pub fn masked_entries_are_zero(what: &str, weights: &Matrix, mask: Option<&Mask>) -> Check {
    let Some(mask) = mask else {
        return Ok(());
    };
    same_shape(&format!("{what} (against its mask)"), weights.shape(), mask.shape())?;
    let leak = weights.iter().zip(mask.iter()).position(|(&w, &allowed)| !allowed && w != 0.0);
    match leak {
        None => Ok(()),
        Some(index) => {
            let (row, col) = position_of(index, weights.nrows());
            Err(Failure(format!("{what}[{row}, {col}] is masked but has weight {}", weights[index])))
        }
    }
}

/// Checks that two shapes are equal.
fn same_shape(what: &str, actual: (usize, usize), expected: (usize, usize)) -> Check {
    if actual == expected {
        Ok(())
    } else {
        Err(Failure(format!("{what}: expected shape {expected:?}, got {actual:?}")))
    }
}

/// (row, column) of the `index`-th entry of a column-major matrix with `rows` rows.
pub fn position_of(index: usize, rows: usize) -> (usize, usize) {
    (index % rows, index / rows)
}
