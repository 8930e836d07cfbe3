//! The backward pass of scaled dot-product attention: given how the loss
//! changes with each output entry (`d_out`), how it changes with q, k and v.
//!
//! What changes versus [`sdpa`](super::sdpa): nothing is computed forwards
//! except the weights P; everything else runs the forward steps in reverse,
//! one chain-rule step per forward step. These are the gradients autograd
//! produces for `F.scaled_dot_product_attention`, and what
//! [`flash_backward`](super::flash_backward) computes without storing P.
//!
//! Forward, with s = 1/sqrt(d_k): `S = s·Q·Kᵀ`, `P = softmax_rows(S)`, `O = P·V`.
//! Backward, for a scalar loss L and `dX = ∂L/∂X` (Vaswani et al. 2017 for
//! the forward; the softmax Jacobian is the standard one):
//!
//! ```text
//! dV = Pᵀ·dO                       O = P·V, differentiated in V
//! dP = dO·Vᵀ                       ... and in P
//! dS = P ⊙ (dP − rowsum(dP ⊙ P))    softmax: ∂p_j/∂s_t = p_j·(δ_jt − p_t)
//! dQ = s·dS·K
//! dK = s·dSᵀ·Q
//! ```
//!
//! The softmax line: row by row, `ds_t = Σ_j dp_j·p_j·(δ_jt − p_t)
//! = p_t·(dp_t − Σ_j dp_j·p_j)`. The subtracted number `D_i = Σ_j dP_ij·P_ij`
//! also equals `dO_i · O_i` (substitute dP = dO·Vᵀ and O = P·V), which is how
//! flash attention gets it without any row of P.
//!
//! Pitfalls:
//! - **Softmax is not elementwise.** `dS = P ⊙ (1 − P) ⊙ dP` (the sigmoid rule)
//!   drops the coupling between the entries of a row.
//! - **Keep the scale.** S = s·Q·Kᵀ, so dQ and dK carry s too.
//! - **Masked entries** have P = 0, hence dS = 0: they pass no gradient, and
//!   a fully masked row (all P = 0) gives a zero row of dq. A key no query
//!   may see gets zero rows of dk and dv.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::sdpa_backward;
//!
//! // d_k = 1, q = 0: both scores are 0, P = [1/2, 1/2]; v = [0, 2], so out = 1.
//! let (q, k) = (Matrix::from_element(1, 1, 0.0), Matrix::from_row_slice(2, 1, &[1.0, 3.0]));
//! let v = Matrix::from_row_slice(2, 1, &[0.0, 2.0]);
//! let d_out = Matrix::from_element(1, 1, 1.0); // L = out
//! let (dq, dk, dv) = sdpa_backward(&q, &k, &v, None, &d_out);
//! // dv = Pᵀ·dO = [1/2, 1/2].  dP = dO·vᵀ = [0, 2], rowsum(dP ⊙ P) = 1,
//! // dS = P ⊙ (dP − 1) = [−1/2, 1/2].  dq = dS·k = −1/2 + 3/2 = 1;  dk = dSᵀ·q = 0.
//! assert_eq!(dv, Matrix::from_row_slice(2, 1, &[0.5, 0.5]));
//! assert_eq!(dq, Matrix::from_element(1, 1, 1.0));
//! assert_eq!(dk, Matrix::zeros(2, 1));
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{Mask, Matrix};
use crate::reference::sdpa::try_scaled_dot_product_attention;
use crate::trace;

/// Gradients of `Σ output ⊙ d_out` with respect to q, k and v, where
/// `output = scaled_dot_product_attention(q, k, v, mask).0`.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), mask (l_q × l_k),
/// d_out (l_q × d_v) -> (dq (l_q × d_k), dk (l_k × d_k), dv (l_k × d_v)).
///
/// # Panics
/// If the shapes do not fit; see [`try_sdpa_backward`].
#[track_caller]
pub fn sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
) -> (Matrix, Matrix, Matrix) {
    or_panic(try_sdpa_backward(q, k, v, mask, d_out))
}

/// [`sdpa_backward`] that reports bad shapes as an error.
pub fn try_sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
) -> Result<(Matrix, Matrix, Matrix), ShapeError> {
    check_d_out(d_out, q, v)?;
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    // 1. The forward weights (the forward checks q, k, v and the mask).
    let (_, p) = try_scaled_dot_product_attention(q, k, v, mask)?; // (l_q, l_k)
    // 2. O = P·V in V: each value row collects the d_out of the queries that used it.
    let dv = p.tr_mul(d_out); // (l_k, l_q)·(l_q, d_v) -> (l_k, d_v)
    // 3. O = P·V in P.
    let dp = d_out * v.transpose(); // (l_q, d_v)·(d_v, l_k) -> (l_q, l_k)
    trace::step("d_weights", &dp);
    // 4. Through the softmax: dS = P ⊙ (dP − D), D_i = rowsum(dP ⊙ P).
    let row_dot = dp.component_mul(&p).column_sum(); // (l_q, l_k) -> (l_q, 1)
    let mut ds = dp; // (l_q, l_k), turned into dS in place
    for (mut ds_column, p_column) in ds.column_iter_mut().zip(p.column_iter()) {
        ds_column.zip_zip_apply(&p_column, &row_dot, |g, p, d| *g = p * (*g - d));
    }
    trace::step("d_scores", &ds);
    // 5. Through S = s·Q·Kᵀ.
    let dq = (&ds * k) * scale; // (l_q, l_k)·(l_k, d_k) -> (l_q, d_k)
    let dk = ds.tr_mul(q) * scale; // (l_k, l_q)·(l_q, d_k) -> (l_k, d_k)
    Ok((dq, dk, dv))
}

/// Checks that `d_out` has the (l_q × d_v) shape of the output it differentiates.
///
/// Shapes: d_out (l_q × d_v), q (l_q × d_k), v (l_k × d_v).
pub(crate) fn check_d_out(d_out: &Matrix, q: &Matrix, v: &Matrix) -> Result<(), ShapeError> {
    expect_eq("rows of d_out (must equal rows of q)", q.nrows(), d_out.nrows())?;
    expect_eq("columns of d_out (must equal columns of v)", v.ncols(), d_out.ncols())
}
