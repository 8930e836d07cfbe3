//! Typed shape errors.
//!
//! Every reference function comes in two forms: `try_name(...)` returns
//! `Result<_, ShapeError>`, and `name(...)` (the signature the exercises use)
//! panics with the same message. Either way a wrong shape is reported in words,
//! never as a bare out-of-bounds index deep inside nalgebra.

use thiserror::Error;

/// A caller passed matrices, weights or a mask whose shapes do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShapeError {
    /// Two sizes that must be equal are not.
    #[error("shape mismatch: {what} must be {expected}, got {got}")]
    Mismatch {
        /// Which size, in words (e.g. "key width (columns of k)").
        what: &'static str,
        /// The size it must have.
        expected: usize,
        /// The size it has.
        got: usize,
    },
    /// The mask is not (l_q × l_k).
    #[error("mask shape: expected {expected_rows}x{expected_cols} (l_q x l_k), got {got_rows}x{got_cols}")]
    MaskShape {
        /// l_q.
        expected_rows: usize,
        /// l_k.
        expected_cols: usize,
        /// Rows of the mask given.
        got_rows: usize,
        /// Columns of the mask given.
        got_cols: usize,
    },
    /// A projection width cannot be cut into equal heads.
    #[error("{what} = {width} is not divisible by the number of heads {heads}")]
    HeadsDoNotDivide {
        /// Which width (e.g. "q projection width").
        what: &'static str,
        /// The width.
        width: usize,
        /// The number of heads.
        heads: usize,
    },
    /// Grouped-query attention needs H to be a multiple of G.
    #[error("num_heads = {heads} is not divisible by num_kv_heads = {kv_heads}")]
    KvHeadsDoNotDivide {
        /// Query heads H.
        heads: usize,
        /// Key/value heads G.
        kv_heads: usize,
    },
    /// Aligned causal attention was asked for with more queries than keys.
    #[error("aligned causal attention needs l_q <= l_k, got l_q = {queries} queries and l_k = {keys} keys")]
    CausalNeedsMoreKeys {
        /// l_q, the number of queries.
        queries: usize,
        /// l_k, the number of keys.
        keys: usize,
    },
    /// A head count (or another size that must be positive) is zero.
    #[error("{what} must be at least 1")]
    Zero {
        /// Which size.
        what: &'static str,
    },
}

/// Checks that `got == expected`, naming the size in the error.
pub(crate) fn expect_eq(what: &'static str, expected: usize, got: usize) -> Result<(), ShapeError> {
    if expected == got { Ok(()) } else { Err(ShapeError::Mismatch { what, expected, got }) }
}

/// Checks that `heads > 0` and that `width` splits into `heads` equal blocks.
#[cfg(feature = "tool")]
pub(crate) fn expect_divisible(what: &'static str, width: usize, heads: usize) -> Result<(), ShapeError> {
    if heads == 0 {
        return Err(ShapeError::Zero { what: "num_heads" });
    }
    if width.is_multiple_of(heads) { Ok(()) } else { Err(ShapeError::HeadsDoNotDivide { what, width, heads }) }
}

/// Unwraps a reference result, panicking with the error's own message.
///
/// This is how the SPEC signatures (which return plain values) report bad shapes.
#[track_caller]
pub(crate) fn or_panic<T>(result: Result<T, ShapeError>) -> T {
    // A `match`, not `unwrap_or_else`: a closure would not pass `#[track_caller]`
    // on, and the panic would point here instead of at the caller's line.
    match result {
        Ok(value) => value,
        Err(e) => panic!("{e}"),
    }
}
