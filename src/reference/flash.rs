//! Flash attention: the output of [`sdpa`](super::sdpa), computed tile by tile
//! so that the (l_q × l_k) score matrix never exists.
//!
//! What changes versus plain SDPA: nothing in the result (the same output, to
//! f32 round-off), everything in the memory traffic. SDPA writes all l_q·l_k
//! scores, then all weights, then reads them back; at l = 8k in f16 that is
//! 128 MB per head, moved through slow GPU memory (HBM) several times. Flash
//! attention keeps one block_q × block_k tile of scores in fast on-chip memory
//! (SRAM), uses it, and throws it away. The softmax cannot be finished per
//! tile, since its maximum and sum run over the whole row; the
//! [`online_softmax`](super::online_softmax) fixes that by rescaling.
//!
//! *FlashAttention* (Dao et al., 2022) and *FlashAttention-2* (Dao, 2023). For
//! a block of queries Q_b and each key block K_c, V_c in turn:
//!
//! ```text
//! S   = Q_b·K_cᵀ / sqrt(d_k)                  one tile of scores
//! m'  = max(m, rowmax(S))                     running max, per query
//! P̃   = exp(S − m')                           unnormalised tile weights
//! l   = exp(m − m')·l + rowsum(P̃)             running sum
//! acc = diag(exp(m − m'))·acc + P̃·V_c         unnormalised output
//! ```
//!
//! and at the end `O_b = diag(1/l)·acc`, `lse = m + ln l`. The lse
//! (log-sum-exp, one number per query) is all the backward pass needs to
//! rebuild any tile of the weights: `P = exp(S − lse)` (see
//! [`flash_backward`](super::flash_backward)).
//!
//! **FlashAttention-1 vs -2.** FA-1 put the *key* blocks in the outer loop: each
//! step loaded every query block, and read, rescaled and wrote back its
//! partial output, m and l in HBM, normalising every time. FA-2 swaps the
//! loops: a query block stays on chip while the keys stream past, its
//! accumulator is rescaled in registers, divided by l once, and written once.
//! Query blocks are independent, so they also spread over the GPU's cores.
//!
//! **Causal** here is aligned (bottom-right): query i may see key j iff
//! `j ≤ i + l_k − l_q` ([`mask`](super::mask)). Key blocks entirely past the
//! last query of a block are skipped, not masked: about half the work of a
//! square causal attention. Only tiles straddling the diagonal are masked.
//!
//! Pitfalls:
//! - **Divide once, at the end.** Normalising per tile and adding the tiles
//!   weighs every block as if it held the whole row.
//! - **Rescale the accumulator too**, not only l, whenever the max grows.
//! - **Ragged blocks.** Lengths need not be multiples of the block sizes; the
//!   last tile is smaller.
//! - **No allowed key** (only when l_k = 0): l = 0, so the row gets output 0
//!   and lse = −inf, as SDPA's fully masked row.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::flash_attention;
//!
//! // The sdpa example again (scaled scores 0 and 1, v = [0, 1]), one key per tile.
//! // Tile 1: m = 0, l = 1, acc = 1·0 = 0.
//! // Tile 2: m' = 1, rescale e⁻¹: l = e⁻¹ + 1, acc = e⁻¹·0 + 1·1 = 1.
//! // End: out = 1 / (1 + e⁻¹) = e / (1 + e), lse = 1 + ln(1 + e⁻¹) = ln(1 + e).
//! let q = Matrix::from_row_slice(1, 4, &[1.0, 1.0, 0.0, 0.0]);
//! let k = Matrix::from_row_slice(2, 4, &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
//! let v = Matrix::from_row_slice(2, 1, &[0.0, 1.0]);
//! let (out, lse) = flash_attention(&q, &k, &v, false, 1, 1);
//! let e = std::f32::consts::E;
//! assert!((out[(0, 0)] - e / (1.0 + e)).abs() < 1e-6);
//! assert!((lse[0] - (1.0 + e).ln()).abs() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{DVector, Matrix};
use crate::reference::mask::{causally_allowed, check_aligned};
use crate::reference::online_softmax::RunningSoftmax;
use crate::trace;

/// Tiled attention with the online softmax, FlashAttention-2 loop order.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), block_q, block_k ≥ 1
/// -> (output (l_q × d_v), lse (l_q)), `lse_i = ln Σ_{allowed j} exp(s_ij)`.
///
/// Working memory: the output and lse, one block of running statistics and
/// accumulator, and one (block_q × block_k) tile of scores at a time.
///
/// # Panics
/// If the shapes do not fit, a block size is 0, or `causal` with l_q > l_k;
/// see [`try_flash_attention`].
#[track_caller]
pub fn flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> (Matrix, DVector<f32>) {
    or_panic(try_flash_attention(q, k, v, causal, block_q, block_k))
}

/// [`flash_attention`] that reports bad shapes as an error.
pub fn try_flash_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> Result<(Matrix, DVector<f32>), ShapeError> {
    check_shapes(q, k, v, causal, block_q, block_k)?;
    let (l_q, l_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let mut output = Matrix::zeros(l_q, d_v); // (l_q, d_v)
    let mut lse = DVector::zeros(l_q); // (l_q)
    // 1. Outer loop: one block of queries; its output rows are final when it ends.
    for q0 in (0..l_q).step_by(block_q) {
        let b_q = block_q.min(l_q - q0); // the last block may be shorter
        let q_block = q.rows(q0, b_q); // (b_q, d_k), a view: no copy
        let mut running = RunningSoftmax::new(b_q); // m = −inf, l = 0
        let mut acc = Matrix::zeros(b_q, d_v); // (b_q, d_v), unnormalised
        // 2. Causal: keys after the block's last query position are masked
        //    for every row of the block, so those key blocks are skipped.
        let key_end = if causal { last_key_seen(q0 + b_q - 1, l_q, l_k) } else { l_k };
        // 3. Inner loop: stream the key/value blocks past the query block.
        for k0 in (0..key_end).step_by(block_k) {
            let b_k = block_k.min(l_k - k0);
            let (k_block, v_block) = (k.rows(k0, b_k), v.rows(k0, b_k)); // (b_k, d_k), (b_k, d_v)
            // 4. This tile of scaled scores, the only scores that exist now.
            let mut tile = q_block * k_block.transpose(); // (b_q, d_k)·(d_k, b_k) -> (b_q, b_k)
            tile *= scale;
            if causal {
                mask_future(&mut tile, q0, k0, l_q, l_k); // −inf past the diagonal
            }
            trace::step("score_tile", &tile); // (b_q, b_k): what `attn-quiz trace flash` counts
            // 5. Online softmax step: tile ← exp(S − m'), l and m updated.
            let rescale = running.absorb(&mut tile); // (b_q)
            report_tile(q0, k0, &running, &rescale); // numbers for `attn-quiz trace flash`, else a no-op
            // 6. Bring the accumulator to the new max, then add this tile's share.
            scale_rows(&mut acc, &rescale);
            acc += &tile * v_block; // (b_q, b_k)·(b_k, d_v) -> (b_q, d_v)
        }
        // 7. One division per row, at the very end (l = 0: no key, output 0).
        for mut column in acc.column_iter_mut() {
            column.zip_apply(&running.sum, |o, l| *o = if l > 0.0 { *o / l } else { 0.0 });
        }
        trace::step("block_output", &acc); // (b_q, d_v): this query block's rows, final
        output.rows_mut(q0, b_q).copy_from(&acc);
        lse.rows_mut(q0, b_q).copy_from(&running.lse()); // m + ln l
    }
    Ok((output, lse))
}

/// Reports, for `attn-quiz trace flash`, where a tile sits (its first query
/// and first key) and each block row's m, l and rescale factor after it. Not
/// part of the algorithm: outside [`trace::record`] these calls do nothing.
fn report_tile(q0: usize, k0: usize, running: &RunningSoftmax, rescale: &DVector<f32>) {
    trace::values("tile_origin", [q0 as f64, k0 as f64]);
    trace::values("running_max", running.max.iter().copied());
    trace::values("running_sum", running.sum.iter().copied());
    trace::values("rescale", rescale.iter().copied());
}

/// One past the last key that query `i` may see under aligned causality.
///
/// Shapes: scalars; requires l_q ≤ l_k (then the result is in 1..=l_k).
pub(crate) fn last_key_seen(i: usize, l_q: usize, l_k: usize) -> usize {
    i + l_k - l_q + 1
}

/// Sets to −inf the entries of a tile that aligned causality forbids.
///
/// Shapes: tile (b_q × b_k), whose entry (r, c) is query q0 + r and key k0 + c
/// of an (l_q × l_k) attention.
pub(crate) fn mask_future(tile: &mut Matrix, q0: usize, k0: usize, l_q: usize, l_k: usize) {
    for (c, mut column) in tile.column_iter_mut().enumerate() {
        for (r, s) in column.iter_mut().enumerate() {
            if !causally_allowed(q0 + r, k0 + c, l_q, l_k) {
                *s = f32::NEG_INFINITY;
            }
        }
    }
}

/// Multiplies row r of `m` by `factors[r]`, sweeping in storage order.
///
/// Shapes: m (rows × cols), factors (rows).
pub(crate) fn scale_rows(m: &mut Matrix, factors: &DVector<f32>) {
    for mut column in m.column_iter_mut() {
        column.component_mul_assign(factors);
    }
}

/// Checks q, k, v, the block sizes and (if causal) l_q ≤ l_k.
pub(crate) fn check_shapes(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    block_q: usize,
    block_k: usize,
) -> Result<(), ShapeError> {
    expect_eq("key width (columns of k, must equal columns of q)", q.ncols(), k.ncols())?;
    expect_eq("value length (rows of v, must equal rows of k)", k.nrows(), v.nrows())?;
    if block_q == 0 {
        return Err(ShapeError::Zero { what: "block_q" });
    }
    if block_k == 0 {
        return Err(ShapeError::Zero { what: "block_k" });
    }
    if causal {
        check_aligned(q.nrows(), k.nrows())?;
    }
    Ok(())
}
