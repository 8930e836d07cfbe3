//! The flash attention backward pass: the gradients of
//! [`sdpa_backward`](super::sdpa_backward), block by block, without ever
//! storing the (l_q × l_k) weights.
//!
//! What changes versus `sdpa_backward`: that function starts from the whole P.
//! Here the forward kept only O and one number per query, `lse_i = ln Σ_j
//! exp(s_ij)`, and any tile of P is rebuilt on demand, with no softmax and no
//! running maximum, because lse already is the row's normaliser:
//!
//! ```text
//! P_ij = exp(s_ij − lse_i)                    recomputed per tile
//! D_i  = dO_i · O_i  (= rowsum(dP ⊙ P)_i)     one number per query, before the loops
//! dV_c += P̃ᵀ·dO_b       dP = dO_b·V_cᵀ       dS = P̃ ⊙ (dP − D_b)
//! dQ_b += dS·K_c / sqrt(d_k)                  dK_c += dSᵀ·Q_b / sqrt(d_k)
//! ```
//!
//! (*FlashAttention-2*, Dao 2023, algorithm 2.) Recomputing S costs one more
//! Q·Kᵀ, cheaper on a GPU than reading an l_q × l_k matrix back from HBM.
//!
//! Loop order, as in FA-2's backward: key blocks outside, query blocks inside.
//! dK_c and dV_c are then finished when their inner loop ends (on a GPU they
//! stay in registers); dQ_b is summed over key blocks (FA-2 adds into it
//! atomically). Aligned causality skips tiles entirely past the diagonal.
//!
//! Pitfalls:
//! - **Use D = rowsum(dO ⊙ O)**, not rowsum(dP ⊙ P): the latter needs a whole
//!   row of P, exactly what was not stored.
//! - **lse is f32.** `exp(s − lse)` inherits lse's rounding: just below 1e3
//!   an ulp of f32 is 2⁻¹⁴ ≈ 6e-5, so P may be off by 3e-5 relative, an error
//!   plain SDPA (which normalises the row it has) does not make.
//! - **Mask before the exponential**: −inf scores give P = 0, so masked
//!   entries pass no gradient.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::flash_attention_backward;
//!
//! // The sdpa_backward example: q = 0, k = [1, 3], v = [0, 2], d_out = 1.
//! // Both scores are 0, so lse = ln 2 and out = (0 + 2) / 2 = 1; D = 1·1 = 1.
//! // Per key tile: P = exp(0 − ln 2) = 1/2, dP = [0, 2], dS = 1/2·(dP − 1) = [−1/2, 1/2].
//! let (q, k) = (Matrix::from_element(1, 1, 0.0), Matrix::from_row_slice(2, 1, &[1.0, 3.0]));
//! let v = Matrix::from_row_slice(2, 1, &[0.0, 2.0]);
//! let (out, d_out) = (Matrix::from_element(1, 1, 1.0), Matrix::from_element(1, 1, 1.0));
//! let lse = DVector::from_element(1, 2f32.ln());
//! let (dq, dk, dv) = flash_attention_backward(&q, &k, &v, &out, &lse, &d_out, false, 1, 1);
//! // dq = −1/2·1 + 1/2·3 = 1, dk = dSᵀ·q = 0, dv = Pᵀ·dO = [1/2, 1/2].
//! assert!((dq[(0, 0)] - 1.0).abs() < 1e-6 && dk == Matrix::zeros(2, 1));
//! assert!((dv[(0, 0)] - 0.5).abs() < 1e-6 && (dv[(1, 0)] - 0.5).abs() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{DVector, Matrix};
use crate::reference::flash::{check_shapes, mask_future};
use crate::reference::mask::causally_allowed;
use crate::reference::sdpa_backward::check_d_out;

/// Gradients (dq, dk, dv) of attention from the forward's saved `out` and
/// `lse`, the same as [`sdpa_backward`](super::sdpa_backward) with the aligned
/// causal mask (or none).
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), out (l_q × d_v),
/// lse (l_q), d_out (l_q × d_v), block_q, block_k ≥ 1
/// -> (dq (l_q × d_k), dk (l_k × d_k), dv (l_k × d_v)).
///
/// Never holds more than one (block_q × block_k) tile of P (and one of dS).
///
/// # Panics
/// If the shapes do not fit, a block size is 0, or `causal` with l_q > l_k;
/// see [`try_flash_attention_backward`].
#[track_caller]
#[allow(clippy::too_many_arguments)] // the SPEC's signature
pub fn flash_attention_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    out: &Matrix,
    lse: &DVector<f32>,
    d_out: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, Matrix, Matrix) {
    or_panic(try_flash_attention_backward(q, k, v, out, lse, d_out, causal, block_q, block_k))
}

/// [`flash_attention_backward`] that reports bad shapes as an error.
#[allow(clippy::too_many_arguments)] // the SPEC's signature
pub fn try_flash_attention_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    out: &Matrix,
    lse: &DVector<f32>,
    d_out: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> Result<(Matrix, Matrix, Matrix), ShapeError> {
    check_shapes(q, k, v, causal, block_q, block_k)?;
    check_d_out(d_out, q, v)?;
    expect_eq("rows of out (must equal rows of q)", q.nrows(), out.nrows())?;
    expect_eq("columns of out (must equal columns of v)", v.ncols(), out.ncols())?;
    expect_eq("length of lse (must equal rows of q)", q.nrows(), lse.len())?;
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    let scale = 1.0 / (d_k as f32).sqrt();
    // 1. D_i = dO_i · O_i, the softmax backward's row term, without P.
    let d = DVector::from_fn(l_q, |i, _| d_out.row(i).dot(&out.row(i))); // (l_q)
    let mut dq = Matrix::zeros(l_q, d_k); // (l_q, d_k), summed over key blocks
    let mut dk = Matrix::zeros(l_k, d_k); // (l_k, d_k)
    let mut dv = Matrix::zeros(l_k, d_v); // (l_k, d_v)
    // 2. Outer loop over key blocks: their rows of dk and dv are final after it.
    for k0 in (0..l_k).step_by(block_k) {
        let b_k = block_k.min(l_k - k0);
        let (k_block, v_block) = (k.rows(k0, b_k), v.rows(k0, b_k)); // (b_k, d_k), (b_k, d_v)
        // 3. Inner loop over query blocks.
        for q0 in (0..l_q).step_by(block_q) {
            let b_q = block_q.min(l_q - q0);
            // Causal: if even the block's last query may not see key k0, no
            // query of the block sees any key of this block. Skip the tile.
            if causal && !causally_allowed(q0 + b_q - 1, k0, l_q, l_k) {
                continue;
            }
            let (q_block, do_block) = (q.rows(q0, b_q), d_out.rows(q0, b_q)); // (b_q, d_k), (b_q, d_v)
            // 4. Recompute this tile of P from the saved lse.
            let mut p = q_block * k_block.transpose(); // (b_q, d_k)·(d_k, b_k) -> (b_q, b_k)
            p *= scale;
            if causal {
                mask_future(&mut p, q0, k0, l_q, l_k); // −inf, so P = 0 there
            }
            let lse_block = lse.rows(q0, b_q); // (b_q)
            for mut column in p.column_iter_mut() {
                // lse = −inf only for a row with no key at all: it has P = 0.
                column.zip_apply(&lse_block, |s, l| *s = if l == f32::NEG_INFINITY { 0.0 } else { (*s - l).exp() });
            }
            // 5. dV_c += Pᵀ·dO_b.
            let mut dv_block = dv.rows_mut(k0, b_k);
            dv_block += p.tr_mul(&do_block); // (b_k, b_q)·(b_q, d_v) -> (b_k, d_v)
            // 6. dP = dO_b·V_cᵀ, then dS = P ⊙ (dP − D) in place.
            let mut ds = do_block * v_block.transpose(); // (b_q, d_v)·(d_v, b_k) -> (b_q, b_k)
            let d_block = d.rows(q0, b_q); // (b_q)
            for (mut ds_column, p_column) in ds.column_iter_mut().zip(p.column_iter()) {
                ds_column.zip_zip_apply(&p_column, &d_block, |g, p, d| *g = p * (*g - d));
            }
            // 7. Through S = Q·Kᵀ/sqrt(d_k): both products of the tile.
            let mut dq_block = dq.rows_mut(q0, b_q);
            dq_block += (&ds * k_block) * scale; // (b_q, b_k)·(b_k, d_k) -> (b_q, d_k)
            let mut dk_block = dk.rows_mut(k0, b_k);
            dk_block += ds.tr_mul(&q_block) * scale; // (b_k, b_q)·(b_q, d_k) -> (b_k, d_k)
        }
    }
    Ok((dq, dk, dv))
}
