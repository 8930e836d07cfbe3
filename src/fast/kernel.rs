//! One head, one block of queries: FlashAttention-2's inner loop over the
//! key blocks, writing into buffers the caller owns.

use super::Kernel;
#[cfg(target_arch = "x86_64")]
use super::avx512::{self, Diagonal};
use super::exp::{RowState, softmax_tile, softmax_tile_after_max};
use crate::prelude::Matrix;
use nalgebra::DMatrixView;

/// Query rows per score tile of the hand-written kernel: 32 rows × the
/// default key block of 256 is 32 KiB of P, which stays in the L1 cache
/// while the output kernel reads it four times (once per 16 value columns).
const SUB: usize = 32;

/// Everything one worker reuses from block to block; allocated once, up front.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// One (block_q × block_k) tile of scores, then of exponentials.
    tile: Matrix,
    /// The unnormalised output of the current query block (block_q × d_v).
    acc: Matrix,
    /// Running max, sum and rescale factors of the block's rows.
    rows: RowState,
    /// The query block, the key block and the value block, packed for the
    /// hand-written kernel (empty until it runs).
    packed: [Vec<f32>; 3],
}

impl Scratch {
    /// Room for blocks of up to `block_q` queries and `block_k` keys of
    /// width d_k, with d_v value columns.
    pub fn new(block_q: usize, block_k: usize, d_k: usize, d_v: usize) -> Self {
        let padded = |n: usize| n.div_ceil(16) * 16;
        Scratch {
            // 16 rows of padding: with a power-of-two column stride the
            // tile's columns would all map onto the same few L1 cache sets.
            // (The hand-written kernel uses SUB + 16 of them whatever block_q is.)
            tile: Matrix::zeros(block_q.max(SUB) + 16, block_k),
            acc: Matrix::zeros(block_q, d_v),
            rows: RowState::new(block_q),
            // Reserved here, so the workers never allocate.
            packed: [
                Vec::with_capacity(padded(block_q) * d_k),
                Vec::with_capacity(padded(block_k) * d_k),
                Vec::with_capacity((block_k + 16) * d_v),
            ],
        }
    }

    /// Heap bytes this scratch holds.
    pub fn bytes(&self) -> usize {
        4 * (self.tile.len()
            + self.acc.len()
            + 3 * self.rows.max.len()
            + self.packed.iter().map(Vec::capacity).sum::<usize>())
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
    kernel: Kernel,
    scratch: &mut Scratch,
    mut write: impl FnMut(usize, usize, f32),
    mut write_lse: impl FnMut(usize, f32),
) {
    let (l_q, l_k, d_v) = (head.q.nrows(), head.k.nrows(), head.v.ncols());
    // 1. The scale 1/sqrt(d_k), which the score product applies for free (its alpha).
    let scale = 1.0 / (head.q.ncols() as f32).sqrt();
    let q_block = head.q.rows(q0, b_q); // (b_q, d_k)
    let hand_written = kernel == Kernel::Auto && avx512_available();
    let Scratch { tile, acc, rows, packed } = scratch;
    let [q_packed, k_packed, v_packed] = packed;
    #[cfg(target_arch = "x86_64")]
    if hand_written {
        avx512::pack_groups(q_block, q_packed);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (&q_packed, &k_packed, &v_packed);
    let stride = tile.nrows();
    rows.reset(b_q);
    acc.fill(0.0);
    // 2. Causal: key blocks past the block's last query position are skipped.
    let key_end = if causal { q0 + b_q + l_k - l_q } else { l_k };
    for k0 in (0..key_end).step_by(block_k) {
        let b_k = block_k.min(key_end - k0);
        let (k_block, v_block) = (head.k.rows(k0, b_k), head.v.rows(k0, b_k)); // (b_k, d_k), (b_k, d_v)
        let on_diagonal = causal && k0 + b_k + l_q > q0 + 1 + l_k;
        #[cfg(target_arch = "x86_64")]
        if hand_written {
            // 3–6 by hand (see avx512.rs): scores with the scale, mask and
            // max fused in; exp and sums; acc ← diag(rescale)·acc + P·V_c.
            let diagonal = on_diagonal.then_some(Diagonal { q0, k0, l_q, l_k });
            avx512::pack_groups(k_block, k_packed);
            let ldv = avx512::pack_columns(v_block, v_packed);
            // The packed K and V serve the whole query block; the scores are
            // made SUB rows at a time, so the tile of P stays in L1.
            for sub in (0..b_q).step_by(SUB) {
                let rows_here = SUB.min(b_q - sub);
                if causal && k0 + l_q > q0 + sub + rows_here - 1 + l_k {
                    continue; // every row of this sub-block is before every key
                }
                rows.rescale[sub..sub + rows_here].copy_from_slice(&rows.max[sub..sub + rows_here]); // old maxima
                let sub_stride = SUB; // 128 bytes: no cache-set aliasing at this stride
                let diagonal = diagonal.map(|g| Diagonal { q0: q0 + sub, ..g });
                // SAFETY: AVX-512F is there (checked above); the packed blocks
                // hold b_q and b_k rows (sub is a multiple of 16, so its group
                // starts at sub·d), the tile has room for b_k columns of
                // SUB + 16, the state and acc for b_q rows.
                unsafe {
                    avx512::scores(
                        q_packed.as_ptr().add(sub * head.q.ncols()),
                        k_packed.as_ptr(),
                        head.q.ncols(),
                        (rows_here, b_k),
                        scale,
                        (tile.as_mut_ptr(), sub_stride),
                        rows.max.as_mut_ptr().add(sub),
                        diagonal,
                    );
                }
                softmax_tile_after_max(tile.as_mut_slice(), sub_stride, sub, rows_here, b_k, rows);
                let acc_stride = acc.nrows();
                // SAFETY: as above.
                unsafe {
                    avx512::accumulate(
                        (tile.as_ptr(), sub_stride),
                        (rows_here, b_k),
                        (v_packed.as_ptr(), ldv),
                        d_v,
                        rows.rescale.as_ptr().add(sub),
                        (acc.as_mut_ptr().add(sub), acc_stride),
                    );
                }
            }
            continue;
        }
        // 3. S = scale·Q_b·K_cᵀ straight into the tile (no separate scale pass).
        product(scale, q_block, Transposed(k_block), 0.0, tile.as_mut_slice(), stride); // (b_q, d_k)·(d_k, b_k)
        // 4. Causal tiles on the diagonal: −inf where key j > a_i = i + l_k − l_q.
        if on_diagonal {
            mask_tile(tile.as_mut_slice(), stride, q0, k0, b_q, b_k, l_q, l_k);
        }
        // 5. Online softmax: new max, rescale factors, exp(S − m'), sums.
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

/// Whether this CPU runs the hand-written AVX-512 kernel.
pub fn avx512_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
