//! The softmax step of one tile, with an exp that the compiler turns into
//! vector instructions.
//!
//! `f32::exp` calls the C library once per number: about 3.5 ns each here, so
//! the L² exponentials of attention at L = 1024 (a million) cost more than
//! both matrix products together. The exp below is plain arithmetic with no
//! branch and no call, so eight lanes run at once, and it works in base 2:
//!
//! ```text
//! 2^x = 2^n · 2^f,   n = round(x),  f = x − n ∈ [−½, ½]
//! 2^f ≈ 1 + f·c1 + f²·c2 + … + f⁶·c6      (c_k = (ln 2)^k / k!, rel. error < 2e-7 on [−½, ½])
//! 2^n                                       the integer n added to the exponent bits
//! ```
//!
//! `exp(s − m)` is computed as `2^((s − m)·log2 e)`: the difference first,
//! then the multiply. Folding log2 e into the score scale would save that
//! multiply, but it rounds every score once more at 1.44 times its size, and
//! with scores of 1e3 (the golden `large_scores` cases) the weights then
//! drift past the tolerance; the difference is small, so rounding it is not.
//!
//! **Why not `wide`?** The `wide` crate (in the tree through nalgebra's simba)
//! picks its instructions when *it* is compiled; without `-C target-cpu` that
//! is SSE, and its `f32x8::exp` ran at 2.0 ms per million (2.4 ms even inside
//! an AVX2 function) against 0.3 ms for this loop compiled for AVX2 + FMA
//! (`cargo run --release --example` prototype, 2 loaded cores). Here the
//! same source is compiled twice, once with AVX2 + FMA enabled, and the CPU is
//! asked at run time which to use ([`softmax_tile`]).
//!
//! Pitfall: the exponent trick only covers normal floats. Below 2^−125 the
//! result is flushed to exactly 0, which is also what a masked (−inf) score
//! must give.

/// log2(e): exp(x) = 2^(x·log2 e).
const LOG2_E: f32 = std::f32::consts::LOG2_E;

/// `e^x` as `2^(x·log2 e)`, for x ≤ 88 (softmax only needs x ≤ 0): [`exp2`]'s
/// accuracy, and exactly 0 below about −86.6 and for −inf, as `f32::exp` gives. Plain arithmetic:
/// a loop of it becomes vector code even without AVX2 (four lanes of SSE2).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    exp2(x * LOG2_E)
}

/// `2^x` to about 2e-7 relative error; exactly 0 for x < −125 (and −inf).
#[inline(always)]
pub fn exp2(x: f32) -> f32 {
    // 1.5·2^23: adding it rounds x to an integer held in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    let clamped = if x > -125.0 { x } else { -125.0 };
    let clamped = if clamped < 127.0 { clamped } else { 127.0 };
    let shifted = clamped + ROUND;
    let n = shifted - ROUND; // round(x)
    let f = clamped - n; // in [−½, ½]
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5 + f * (0.055_504_11 + f * (0.009_618_129 + f * (0.001_333_355 + f * 0.000_154_035_3)))));
    // n sits in the low bits of `shifted`; moving it into the exponent field
    // multiplies p by 2^n (the ROUND bits shift out, minus their own offset).
    let bits = (shifted.to_bits() << 23).wrapping_add(p.to_bits()).wrapping_sub(0x4B40_0000_u32 << 23);
    if x > -125.0 { f32::from_bits(bits) } else { 0.0 }
}

/// The online-softmax step on one tile of scaled scores, in place.
///
/// Shapes: tile holds a (rows × cols) block, column c at `tile[c·stride ..]`
/// (column-major, one column per key, `stride ≥ rows`); max, sum, rescale
/// (rows). Masked entries are −inf.
///
/// Afterwards: `max` is the new running maximum m', `rescale_r = exp(m_r − m'_r)`,
/// the tile holds `exp(s − m')` and `sum_r = rescale_r · sum_r + Σ_c tile_rc`.
/// Two passes read the tile: one for the maximum, one for exp and sum.
pub fn softmax_tile(tile: &mut [f32], stride: usize, rows: usize, cols: usize, state: &mut RowState) {
    dispatch(tile, stride, (0, rows), cols, state, true)
}

/// [`softmax_tile`] after the maximum was taken elsewhere (the AVX-512 score
/// kernel folds it into the product): `state.rescale` holds the old maxima,
/// `state.max` the new ones.
/// The tile's rows are the state's rows `first ..`.
pub fn softmax_tile_after_max(
    tile: &mut [f32],
    stride: usize,
    first: usize,
    rows: usize,
    cols: usize,
    state: &mut RowState,
) {
    dispatch(tile, stride, (first, rows), cols, state, false)
}

/// The widest compiled version the CPU runs.
fn dispatch(tile: &mut [f32], stride: usize, rows: (usize, usize), cols: usize, state: &mut RowState, find_max: bool) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has just said it supports AVX-512F.
            return unsafe { softmax_tile_avx512(tile, stride, rows, cols, state, find_max) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has just said it supports AVX2 and FMA.
            return unsafe { softmax_tile_avx2(tile, stride, rows, cols, state, find_max) };
        }
    }
    softmax_tile_body(tile, stride, rows, cols, state, find_max)
}

/// The running statistics of one block of query rows.
#[derive(Debug, Clone)]
pub struct RowState {
    /// m: the largest score seen per row (−inf before any).
    pub max: Vec<f32>,
    /// l: Σ exp(s − m) per row.
    pub sum: Vec<f32>,
    /// The last step's `exp(m_old − m_new)` per row.
    pub rescale: Vec<f32>,
}

impl RowState {
    /// Room for `rows` rows.
    pub fn new(rows: usize) -> Self {
        RowState { max: vec![0.0; rows], sum: vec![0.0; rows], rescale: vec![0.0; rows] }
    }

    /// Nothing seen yet in the first `rows` rows.
    pub fn reset(&mut self, rows: usize) {
        self.max[..rows].fill(f32::NEG_INFINITY);
        self.sum[..rows].fill(0.0);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn softmax_tile_avx2(
    tile: &mut [f32],
    stride: usize,
    rows: (usize, usize),
    cols: usize,
    state: &mut RowState,
    find_max: bool,
) {
    softmax_tile_body(tile, stride, rows, cols, state, find_max)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn softmax_tile_avx512(
    tile: &mut [f32],
    stride: usize,
    rows: (usize, usize),
    cols: usize,
    state: &mut RowState,
    find_max: bool,
) {
    softmax_tile_body(tile, stride, rows, cols, state, find_max)
}

/// The body of [`softmax_tile`], inlined into each compiled version.
#[inline(always)]
fn softmax_tile_body(
    tile: &mut [f32],
    stride: usize,
    (first, rows): (usize, usize),
    cols: usize,
    state: &mut RowState,
    find_max: bool,
) {
    let range = first..first + rows;
    let (max, sum, rescale) = (&mut state.max[range.clone()], &mut state.sum[range.clone()], &mut state.rescale[range]);
    if find_max {
        find_new_max(tile, stride, cols, max, rescale);
    }
    // 2. Rescale factors exp(m_old − m_new) (1 while a row has seen only −inf),
    //    written over the old maxima.
    for (old, &new) in rescale.iter_mut().zip(max.iter()) {
        *old = if new == f32::NEG_INFINITY { 1.0 } else { exp2((*old - new) * LOG2_E) };
    }
    for (l, &r) in sum.iter_mut().zip(rescale.iter()) {
        *l *= r;
    }
    // 3. The tile's exponentials against the new maximum, summed per row.
    for c in 0..cols {
        let column = &mut tile[c * stride..c * stride + rows];
        for ((s, &m), l) in column.iter_mut().zip(max.iter()).zip(sum.iter_mut()) {
            // m = −inf only with every s = −inf; 0 keeps −inf − m from being NaN.
            let m = if m == f32::NEG_INFINITY { 0.0 } else { m };
            let p = exp2((*s - m) * LOG2_E);
            *s = p;
            *l += p;
        }
    }
}

/// Step 1 of [`softmax_tile`]: the old maxima into `old`, the new ones into `max`.
#[inline(always)]
fn find_new_max(tile: &[f32], stride: usize, cols: usize, max: &mut [f32], old: &mut [f32]) {
    let rows = max.len();
    // 1. New maximum: a vertical max over the columns. Pitfall: written as
    //    `if s > *m { *m = s }` (or a select that stores *m back) the compiler
    //    emits masked stores, which AMD cores run slowly: 38% of this
    //    function's time went there. `max` always stores.
    old.copy_from_slice(max);
    for c in 0..cols {
        let column = &tile[c * stride..c * stride + rows];
        for (m, &s) in max.iter_mut().zip(column) {
            *m = m.max(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp2_is_within_a_few_ulps_and_flushes_below_the_normal_range() {
        let mut worst = 0.0f32;
        for i in -120_000..120_000 {
            let x = i as f32 * 1e-3;
            let relative = ((exp2(x) - x.exp2()) / x.exp2()).abs();
            worst = worst.max(relative);
        }
        assert!(worst < 5e-7, "{worst}");
        assert_eq!(exp2(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp2(-200.0), 0.0);
        assert_eq!(exp2(0.0), 1.0);
        for x in [-80.0f32, -10.0, -1.0, -1e-3, 0.0, 0.5, 3.0, 40.0] {
            assert!(((exp(x) - x.exp()) / x.exp()).abs() < 2e-6, "{x}");
        }
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
    }

    #[test]
    fn a_tile_step_is_the_online_softmax() {
        // Two rows, two keys, stride 3 (one unused row of padding).
        let ln = |x: f32| x.ln();
        let mut tile = vec![0.0, ln(2.0), 99.0, ln(4.0), f32::NEG_INFINITY, 99.0];
        let mut state = RowState::new(2);
        state.reset(2);
        softmax_tile(&mut tile, 3, 2, 2, &mut state);
        assert_eq!(state.max, [ln(4.0), ln(2.0)]);
        assert!((tile[0] - 0.25).abs() < 1e-6 && tile[3] == 1.0, "{tile:?}");
        assert_eq!((tile[1], tile[4]), (1.0, 0.0));
        assert!((state.sum[0] - 1.25).abs() < 1e-6 && state.sum[1] == 1.0);
        assert_eq!(tile[2], 99.0, "padding is left alone");
    }
}
