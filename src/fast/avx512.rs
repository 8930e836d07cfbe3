//! The two products of a tile written by hand for AVX-512, with the scale,
//! the causal mask, the row maximum and the accumulator's rescale fused in.
//!
//! Why by hand: the general matrix kernel (`matrixmultiply`, through nalgebra
//! in [`kernel`](super::kernel)) copies ("packs") both factors into its own
//! layout on every call, and a tile is small enough that the copies cost
//! about a fifth of the time; it also cannot take the maximum or the rescale
//! on the way. Attention's tiles have a fixed shape that needs no packing:
//!
//! - **Scores** `S = scale·Q_b·K_cᵀ`, S column-major (one column per key). A
//!   column of Q (16 queries, one feature) is one 16-lane load from the
//!   column-major input; each key's feature is broadcast from memory into
//!   the multiply-add (`vfmadd231ps zmm, zmm, m32{1to16}`). 16 keys × 16
//!   queries = 16 accumulators in registers for the whole d-long dot
//!   product, then scaled, masked (causal tiles on the diagonal only), stored
//!   once, and folded into the row maximum while still in registers: the max
//!   pass over the tile disappears.
//! - **Output** `acc = diag(rescale)·acc + P·V_c`: 16 queries × 16 value
//!   columns in registers for the whole key block, a column of P (16
//!   queries, one key) one load, V's entries broadcast; then the old
//!   accumulator is read once, rescaled, added and stored.
//!
//! Q, K and V are first copied into small buffers in the order the loops
//! read them ([`pack_groups`], [`pack_columns`]): once per query block for Q,
//! once per tile for K and V, a copy of 1/b_q of the tile's work. Read in
//! place, at L a power of two their features sit L floats apart, all in the
//! same few sets of the L1 cache: that took half the time.

use std::arch::x86_64::*;

/// Which rows of a tile may see which keys: the tile's first query and key
/// and the lengths (aligned causality: query i sees key j iff j + l_q ≤ i + l_k).
#[derive(Debug, Clone, Copy)]
pub struct Diagonal {
    /// The tile's first query.
    pub q0: usize,
    /// The tile's first key.
    pub k0: usize,
    /// Queries in all.
    pub l_q: usize,
    /// Keys in all.
    pub l_k: usize,
}

/// Rows of a tile handled by one register (16 lanes).
const LANES: usize = 16;

/// Copies a (rows × d) column-major block (column stride ld) into groups of
/// 16 rows: `dst[(g·d + p)·16 + lane] = src[16·g + lane, p]`. A 16-row group's features are then 64 bytes apart, one cache
/// line each, read in order; in the input they are L floats apart, and with
/// L a power of two all d of them fall into the same few sets of the L1
/// cache, which holds only 8 lines per set (that cost half the time).
///
/// Shapes: src (rows × d) -> dst (16·ceil(rows/16) × d), grouped.
pub fn pack_groups(src: nalgebra::DMatrixView<f32>, dst: &mut Vec<f32>) {
    let (rows, d) = src.shape();
    let groups = rows.div_ceil(LANES);
    // Lanes past the last row may keep numbers from an earlier block: the
    // kernels compute with them but never store or compare what they give.
    dst.resize(groups * d * LANES, 0.0);
    for p in 0..d {
        let column = src.column(p);
        // 64-byte pieces: a column's 16 rows of a group are already side by side.
        for (g, piece) in column.as_slice().chunks(LANES).enumerate() {
            let at = (g * d + p) * LANES;
            dst[at..at + piece.len()].copy_from_slice(piece);
        }
    }
}

/// `tile[r + c·stride] = scale · q_r · k_c` for r < b_q, c < b_k (−inf where
/// `diagonal` forbids), and `max[r] = max(max[r], tile[r, ·])`; q and k as
/// [`pack_groups`] left them.
///
/// # Safety
/// The CPU supports AVX-512F; q and k hold ceil(b_q/16) and ceil(b_k/16)
/// packed groups of d features; tile has room for b_k columns of stride ≥
/// b_q; max holds b_q floats.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub unsafe fn scores(
    q: *const f32,
    k: *const f32,
    d: usize,
    (b_q, b_k): (usize, usize),
    scale: f32,
    (tile, stride): (*mut f32, usize),
    max: *mut f32,
    diagonal: Option<Diagonal>,
) {
    for r0 in (0..b_q).step_by(LANES) {
        let rows = (b_q - r0).min(LANES);
        let lanes: __mmask16 = if rows == LANES { 0xffff } else { (1u16 << rows) - 1 };
        // SAFETY (whole block): every access below stays in the blocks the
        // caller vouches for; row tails are masked, key tails cut short.
        unsafe {
            let mut row_max = _mm512_maskz_loadu_ps(lanes, max.add(r0));
            let q_group = q.add(r0 * d); // group r0/16: d·16 floats
            for c0 in (0..b_k).step_by(LANES) {
                let keys = (b_k - c0).min(LANES);
                let k_group = k.add(c0 * d);
                let out = tile.add(r0 + c0 * stride);
                let place = diagonal.map(|g| (g, r0, c0));
                row_max = score_group(q_group, k_group, d, keys, lanes, scale, row_max, out, stride, place);
            }
            _mm512_mask_storeu_ps(max.add(r0), lanes, row_max);
        }
    }
}

/// One 16 × 16 block of scores (the first `keys` columns kept).
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
#[inline]
unsafe fn score_group(
    q: *const f32,
    k: *const f32,
    d: usize,
    keys: usize,
    lanes: __mmask16,
    scale: f32,
    mut row_max: __m512,
    out: *mut f32,
    stride: usize,
    diagonal: Option<(Diagonal, usize, usize)>,
) -> __m512 {
    // SAFETY: as for `scores`, of which this is one step.
    unsafe {
        let mut acc = [_mm512_setzero_ps(); LANES];
        for p in 0..d {
            let q_column = _mm512_loadu_ps(q.add(p * LANES)); // 16 queries, feature p
            let k_row = k.add(p * LANES); // 16 keys, feature p
            for (c, a) in acc.iter_mut().enumerate() {
                *a = _mm512_fmadd_ps(q_column, _mm512_set1_ps(*k_row.add(c)), *a);
            }
        }
        let scale = _mm512_set1_ps(scale);
        for (c, a) in acc.iter().enumerate().take(keys) {
            let mut s = _mm512_mul_ps(*a, scale);
            if let Some((g, r0, c0)) = diagonal {
                // Row r sees key k0 + c0 + c iff r ≥ k0 + c0 + c + l_q − l_k − q0.
                let first = (g.k0 + c0 + c + g.l_q) as i64 - (g.l_k + g.q0 + r0) as i64;
                let first = first.clamp(0, LANES as i64) as u32;
                let allowed: __mmask16 = if first >= 16 { 0 } else { (0xffffu32 << first) as u16 };
                s = _mm512_mask_mov_ps(_mm512_set1_ps(f32::NEG_INFINITY), allowed, s);
            }
            _mm512_mask_storeu_ps(out.add(c * stride), lanes, s);
            row_max = _mm512_max_ps(row_max, s);
        }
        row_max
    }
}

/// Copies a (b_k × d_v) column-major block into a column stride of
/// b_k + 16 floats: `dst[c + j·(b_k + 16)] = v[c, j]`. The output kernel
/// broadcasts 16 values of one key from 16 columns; L floats apart (a power
/// of two) those 16 lines share an L1 cache set, b_k + 16 apart they do not.
///
/// Shapes: src (b_k × d_v) -> dst (b_k + 16 rows, d_v columns); returns the stride.
pub fn pack_columns(src: nalgebra::DMatrixView<f32>, dst: &mut Vec<f32>) -> usize {
    let (rows, cols) = src.shape();
    let stride = rows + LANES;
    dst.resize(stride * cols, 0.0); // the padding is never read
    for j in 0..cols {
        dst[j * stride..j * stride + rows].copy_from_slice(src.column(j).as_slice());
    }
    stride
}

/// `acc[r + j·acc_stride] = rescale[r]·acc[r, j] + Σ_c p[r + c·stride] · v[c + j·ldv]`
/// for r < b_q, j < d_v, c < b_k (v as [`pack_columns`] left it).
///
/// # Safety
/// The CPU supports AVX-512F; p holds b_k columns of stride ≥ b_q, v holds
/// d_v columns of b_k at stride ldv, acc has d_v columns of stride ≥ b_q, rescale holds b_q floats.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub unsafe fn accumulate(
    (p, stride): (*const f32, usize),
    (b_q, b_k): (usize, usize),
    (v, ldv): (*const f32, usize),
    d_v: usize,
    rescale: *const f32,
    (acc, acc_stride): (*mut f32, usize),
) {
    for r0 in (0..b_q).step_by(LANES) {
        let rows = (b_q - r0).min(LANES);
        let lanes: __mmask16 = if rows == LANES { 0xffff } else { (1u16 << rows) - 1 };
        // SAFETY: as the function's contract; row tails are masked.
        unsafe {
            let factor = _mm512_maskz_loadu_ps(lanes, rescale.add(r0));
            let mut j0 = 0;
            while j0 + LANES <= d_v {
                value_columns::<LANES>(
                    p.add(r0),
                    stride,
                    b_k,
                    v.add(j0 * ldv),
                    ldv,
                    lanes,
                    factor,
                    acc.add(r0 + j0 * acc_stride),
                    acc_stride,
                );
                j0 += LANES;
            }
            while j0 < d_v {
                value_columns::<1>(
                    p.add(r0),
                    stride,
                    b_k,
                    v.add(j0 * ldv),
                    ldv,
                    lanes,
                    factor,
                    acc.add(r0 + j0 * acc_stride),
                    acc_stride,
                );
                j0 += 1;
            }
        }
    }
}

/// N value columns of the accumulator for one register of rows.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
#[inline]
unsafe fn value_columns<const N: usize>(
    p: *const f32,
    stride: usize,
    b_k: usize,
    v: *const f32,
    ldv: usize,
    lanes: __mmask16,
    factor: __m512,
    acc: *mut f32,
    acc_stride: usize,
) {
    // SAFETY: as for `accumulate`, of which this is one step.
    unsafe {
        let mut sum = [_mm512_setzero_ps(); N];
        for c in 0..b_k {
            let p_column = _mm512_maskz_loadu_ps(lanes, p.add(c * stride)); // 16 queries, key c
            for (j, s) in sum.iter_mut().enumerate() {
                *s = _mm512_fmadd_ps(p_column, _mm512_set1_ps(*v.add(c + j * ldv)), *s);
            }
        }
        for (j, s) in sum.iter().enumerate() {
            let old = _mm512_maskz_loadu_ps(lanes, acc.add(j * acc_stride));
            _mm512_mask_storeu_ps(acc.add(j * acc_stride), lanes, _mm512_fmadd_ps(old, factor, *s));
        }
    }
}
