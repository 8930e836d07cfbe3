//! One head, one block of queries: FlashAttention-2's inner loop over the
//! key blocks, writing into buffers the caller owns.

use super::exp::{RowState, softmax_tile};
use crate::prelude::Matrix;
use nalgebra::DMatrixView;

/// Everything one worker reuses from block to block; allocated once, up front.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// One (block_q × block_k) tile of scores, then of exponentials.
    tile: Matrix,
    /// The unnormalised output of the current query block (block_q × d_v).
    acc: Matrix,
    /// Running max, sum and rescale factors of the block's rows.
    rows: RowState,
}

impl Scratch {
    /// Room for blocks of up to `block_q` queries, `block_k` keys, d_v value columns.
    pub fn new(block_q: usize, block_k: usize, d_v: usize) -> Self {
        Scratch {
            tile: Matrix::zeros(block_q, block_k),
            acc: Matrix::zeros(block_q, d_v),
            rows: RowState::new(block_q),
        }
    }

    /// Heap bytes this scratch holds.
    pub fn bytes(&self) -> usize {
        4 * (self.tile.len() + self.acc.len() + 3 * self.rows.max.len())
    }
}

/// The inputs of one head.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// Queries (l_q × d_k).
    pub q: DMatrixView<'a, f32>,
    /// Keys (l_k × d_k).
    pub k: DMatrixView<'a, f32>,
    /// Values (l_k × d_v).
    pub v: DMatrixView<'a, f32>,
}

/// Attention of the queries `q0 .. q0 + b_q` of `head`, all key blocks streamed
/// past (FlashAttention-2 order), the result handed to `write(r, c, value)`
/// and `write_lse(r, lse)`.
///
/// Shapes: as [`Head`]; `b_q ≤` the scratch's block_q.
#[allow(clippy::too_many_arguments)]
pub fn query_block(
    head: Head,
    q0: usize,
    b_q: usize,
    causal: bool,
    block_k: usize,
    scratch: &mut Scratch,
    mut write: impl FnMut(usize, usize, f32),
    mut write_lse: impl FnMut(usize, f32),
) {
    let (l_q, l_k, d_v) = (head.q.nrows(), head.k.nrows(), head.v.ncols());
    // 1. The scale 1/sqrt(d_k), which the score product applies for free (its alpha).
    let scale = 1.0 / (head.q.ncols() as f32).sqrt();
    let q_block = head.q.rows(q0, b_q); // (b_q, d_k)
    let Scratch { tile, acc, rows } = scratch;
    let stride = tile.nrows();
    rows.reset(b_q);
    acc.fill(0.0);
    // 2. Causal: key blocks past the block's last query position are skipped.
    let key_end = if causal { q0 + b_q + l_k - l_q } else { l_k };
    for k0 in (0..key_end).step_by(block_k) {
        let b_k = block_k.min(key_end - k0);
        let (k_block, v_block) = (head.k.rows(k0, b_k), head.v.rows(k0, b_k)); // (b_k, d_k), (b_k, d_v)
        // 3. S = scale·Q_b·K_cᵀ straight into the tile (no separate scale pass).
        product(scale, q_block, Transposed(k_block), 0.0, tile.as_mut_slice(), stride); // (b_q, d_k)·(d_k, b_k)
        // 4. Causal tiles on the diagonal: −inf where key j > a_i = i + l_k − l_q.
        if causal && k0 + b_k + l_q > q0 + 1 + l_k {
            mask_tile(tile.as_mut_slice(), stride, q0, k0, b_q, b_k, l_q, l_k);
        }
        // 5. Online softmax: new max, rescale factors, 2^(S − m'), sums.
        softmax_tile(tile.as_mut_slice(), stride, b_q, b_k, rows);
        // 6. acc ← diag(rescale)·acc + P·V_c (the rescale is skipped when the max held).
        let mut a = acc.view_mut((0, 0), (b_q, d_v)); // (b_q, d_v)
        if rows.rescale[..b_q].iter().any(|&r| r != 1.0) {
            for mut column in a.column_iter_mut() {
                for (x, &r) in column.iter_mut().zip(&rows.rescale[..b_q]) {
                    *x *= r;
                }
            }
        }
        let p = tile.view((0, 0), (b_q, b_k)); // (b_q, b_k)
        a.gemm(1.0, &p, &v_block, 1.0); // (b_q, b_k)·(b_k, d_v)
    }
    // 7. Divide once, at the end; lse = m + ln l.
    for c in 0..d_v {
        for r in 0..b_q {
            let l = rows.sum[r];
            write(r, c, if l > 0.0 { acc[(r, c)] / l } else { 0.0 });
        }
    }
    for r in 0..b_q {
        let l = rows.sum[r];
        write_lse(r, if l > 0.0 { rows.max[r] + l.ln() } else { f32::NEG_INFINITY });
    }
}

/// Sets −inf where aligned causality forbids key k0 + c for query q0 + r:
/// in column c, the rows above the first query that may see that key.
#[allow(clippy::too_many_arguments)]
fn mask_tile(tile: &mut [f32], stride: usize, q0: usize, k0: usize, b_q: usize, b_k: usize, l_q: usize, l_k: usize) {
    for c in 0..b_k {
        // Query i sees key j iff j + l_q ≤ i + l_k, i.e. i ≥ j + l_q − l_k.
        let first = (k0 + c + l_q).saturating_sub(l_k + q0).min(b_q);
        tile[c * stride..c * stride + first].fill(f32::NEG_INFINITY);
    }
}

/// The second factor of [`product`], read as its transpose.
struct Transposed<'a>(DMatrixView<'a, f32>);

/// `C ← alpha·A·Bᵀ + beta·C` for a column-major C (a.nrows() × b.nrows())
/// with column stride `c_stride`, through `matrixmultiply` with Bᵀ as
/// strides only: `b.transpose()` would copy B (it was 30% of the time).
fn product(alpha: f32, a: DMatrixView<f32>, b: Transposed, beta: f32, c: &mut [f32], c_stride: usize) {
    let Transposed(b) = b;
    let (m, k, n) = (a.nrows(), a.ncols(), b.nrows());
    assert_eq!(k, b.ncols(), "inner dimensions");
    assert!(n == 0 || (n - 1) * c_stride + m <= c.len(), "C is big enough");
    if m == 0 || n == 0 {
        return;
    }
    let (a_rows, a_cols) = a.strides();
    let (b_rows, b_cols) = b.strides();
    // SAFETY: A is (m × k) and Bᵀ (k × n) with the strides of live views; C
    // has room for n columns of m at stride c_stride (asserted above) and is
    // borrowed mutably, so nothing else reads or writes it meanwhile.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            a_rows as isize,
            a_cols as isize,
            b.as_ptr(),
            b_cols as isize,
            b_rows as isize,
            beta,
            c.as_mut_ptr(),
            1,
            c_stride as isize,
        );
    }
}
