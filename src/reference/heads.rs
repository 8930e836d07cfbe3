//! Splitting a projection into heads, running attention in each, merging back.
//!
//! Multi-head attention projects the whole input once, to a width of H·d_k,
//! and then *reads* head `h` as the column block `[h·d_k, (h+1)·d_k)`. Those
//! blocks are what [`split_heads`] returns; [`merge_heads`] lays the head
//! outputs side by side again, in head order.
//!
//! Pitfalls this file is shaped against:
//! - **Contiguous blocks, not strided columns.** Head h is columns
//!   `h·d_k .. (h+1)·d_k`, not columns `h, h+H, h+2H, ...`. Both "work" in the
//!   sense of training, but only one matches PyTorch's
//!   `view(L, H, d_k)` and every checkpoint in existence.
//! - **One big projection, not one small one per head.** A popular snippet
//!   first slices the *input* into H pieces and applies a shared
//!   `Linear(head_dim, head_dim)` to each: each head then sees only d_model/H
//!   input features, and the layer has H² times fewer parameters. Real
//!   multi-head attention projects the full input with a (D × H·d_k) matrix.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::heads::{merge_heads, split_heads};
//!
//! let x = Matrix::from_row_slice(1, 4, &[1.0, 2.0, 3.0, 4.0]);
//! let heads = split_heads(&x, 2);
//! assert_eq!(heads[1], Matrix::from_row_slice(1, 2, &[3.0, 4.0]));
//! assert_eq!(merge_heads(&heads), x);
//! ```

use crate::prelude::{Mask, Matrix};
use crate::reference::sdpa::scaled_dot_product_attention;
use crate::trace;

/// Cuts `x` into `num_heads` contiguous column blocks of equal width.
///
/// Shapes: x (l × H·d) -> H matrices (l × d).
///
/// # Panics
/// If `num_heads` is 0 or does not divide the width (the variants check this
/// first and report a [`ShapeError`](crate::error::ShapeError)).
pub fn split_heads(x: &Matrix, num_heads: usize) -> Vec<Matrix> {
    assert!(
        num_heads > 0 && x.ncols().is_multiple_of(num_heads),
        "cannot split width {} into {num_heads} heads",
        x.ncols()
    );
    let d = x.ncols() / num_heads;
    // Head h is the column block [h·d, (h+1)·d).
    (0..num_heads).map(|h| x.columns(h * d, d).into_owned()).collect() // H × (l, d)
}

/// Concatenates head outputs side by side, in head order.
///
/// Shapes: H matrices (l × d) -> (l × H·d). No heads gives a (0 × 0) matrix.
///
/// # Panics
/// If the heads do not all have the same shape.
pub fn merge_heads(heads: &[Matrix]) -> Matrix {
    let Some(first) = heads.first() else {
        return Matrix::zeros(0, 0);
    };
    let (l, d) = first.shape();
    assert!(heads.iter().all(|h| h.shape() == (l, d)), "all heads must have the same shape to be merged");
    let mut merged = Matrix::zeros(l, heads.len() * d); // (l, H·d)
    for (h, head) in heads.iter().enumerate() {
        merged.columns_mut(h * d, d).copy_from(head);
    }
    merged
}

/// Runs scaled dot-product attention once per query head.
///
/// Query head `h` reads key/value head `kv_head_of(h)`: the identity for
/// multi-head attention, `h / (H / G)` for grouped-query attention.
///
/// Shapes: q_heads H × (l_q × d_k), k_heads G × (l_k × d_k),
/// v_heads G × (l_k × d_v), mask (l_q × l_k)
/// -> (H outputs (l_q × d_v), H weights (l_q × l_k)).
pub fn attend_each_head(
    q_heads: &[Matrix],
    k_heads: &[Matrix],
    v_heads: &[Matrix],
    kv_head_of: impl Fn(usize) -> usize,
    mask: Option<&Mask>,
) -> (Vec<Matrix>, Vec<Matrix>) {
    q_heads
        .iter()
        .enumerate()
        .map(|(h, q)| {
            let kv = kv_head_of(h);
            // (l_q, d_k), (l_k, d_k), (l_k, d_v) -> (l_q, d_v), (l_q, l_k)
            trace::in_head(h, || scaled_dot_product_attention(q, &k_heads[kv], &v_heads[kv], mask))
        })
        .unzip() // H outputs, H weights
}
