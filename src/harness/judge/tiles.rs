//! The knobs and buggy twins of flash attention and of the attention
//! backward pass (`flash`, `sdpa_backward`, `flash_backward`).
//!
//! Like the other [twins](super::twins), these are the reference's
//! computations written again, plainly, with each decision behind a knob of
//! [`Tiling`] (one field of [`Knobs`]). The forward twin keeps the reference's
//! FA-2 loop order (query blocks outside, key blocks inside) and its
//! recurrence; the backward twins follow `dV = Pᵀ·dO`, `dP = dO·Vᵀ`,
//! `dS = P ⊙ (dP − D)`, `dQ = s·dS·K`, `dK = s·dSᵀ·Q`. They only run on small
//! cases and on the one memory case of each exercise.

use super::knobs::{self, Knobs, Mutant, Widths};
use super::mistakes::{self as m, MistakeInfo};
use super::twins;
use crate::prelude::{DVector, Mask, Matrix};
use crate::reference::mask::causally_allowed;

/// The decisions of tiled attention and of its backward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tiling {
    /// How the accumulator follows a growing running max.
    pub rescale: Rescale,
    /// When the accumulator is divided by the running sum.
    pub normalise: Normalise,
    /// What the running max starts from.
    pub max_start: MaxStart,
    /// Whether a last, shorter block is processed.
    pub last_block: LastBlock,
    /// What the returned lse is.
    pub lse: LseForm,
    /// Where the causal triangle hangs from.
    pub alignment: Alignment,
    /// Whether dq and dk carry the 1/sqrt(d_k) of the scores.
    pub gradient_scale: GradientScale,
    /// The row term D subtracted in the softmax backward.
    pub row_term: RowTerm,
    /// Which matrix dk is computed from.
    pub dk_from: DkFrom,
    /// Whether the backward pass masks P.
    pub backward_mask: BackwardMask,
    /// How flash's backward rebuilds P.
    pub recompute: Recompute,
}

impl Tiling {
    /// Every decision right.
    pub const CORRECT: Tiling = Tiling {
        rescale: Rescale::Both,
        normalise: Normalise::OnceAtTheEnd,
        max_start: MaxStart::NegativeInfinity,
        last_block: LastBlock::Kept,
        lse: LseForm::MaxPlusLnSum,
        alignment: Alignment::BottomRight,
        gradient_scale: GradientScale::Applied,
        row_term: RowTerm::RowsumDpTimesP,
        dk_from: DkFrom::DsTransposed,
        backward_mask: BackwardMask::Applied,
        recompute: Recompute::MinusLse,
    };
}

/// How the accumulator follows a growing running max.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rescale {
    /// The sum and the accumulator by exp(m − m'): correct.
    Both,
    /// The sum only.
    SumOnly,
    /// Both, by exp(m' − m).
    Inverted,
}

/// When the accumulator is divided by the running sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Normalise {
    /// Once, after the last key block: correct.
    OnceAtTheEnd,
    /// After every key block, and once more at the end.
    EveryBlockAndAtTheEnd,
}

/// What the running max starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MaxStart {
    /// −inf: correct.
    NegativeInfinity,
    /// 0.
    Zero,
}

/// Whether a last, shorter block is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LastBlock {
    /// Yes, with fewer rows: correct.
    Kept,
    /// No: `len / block` blocks only.
    Dropped,
}

/// What the returned lse is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LseForm {
    /// m + ln l: correct.
    MaxPlusLnSum,
    /// ln l, the log of the shifted sum.
    LnSumOnly,
}

/// Where the causal triangle hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alignment {
    /// j ≤ i + l_k − l_q: correct.
    BottomRight,
    /// j ≤ i (PyTorch's `is_causal`).
    TopLeft,
}

impl Alignment {
    /// Whether query `i` of `l_q` may see key `j` of `l_k`.
    pub fn allows(self, i: usize, j: usize, l_q: usize, l_k: usize) -> bool {
        match self {
            Alignment::BottomRight => causally_allowed(i, j, l_q, l_k),
            Alignment::TopLeft => j <= i,
        }
    }
}

/// Whether dq and dk carry the 1/sqrt(d_k) of the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GradientScale {
    /// Yes: correct.
    Applied,
    /// No.
    Missing,
}

/// The row term D of `dS = P ⊙ (dP − D)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowTerm {
    /// rowsum(dP ⊙ P) = rowsum(dO ⊙ O): correct.
    RowsumDpTimesP,
    /// Nothing subtracted.
    Missing,
    /// rowsum(dP), over every key.
    RowsumDp,
}

/// Which matrix dk is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DkFrom {
    /// dSᵀ·Q: correct.
    DsTransposed,
    /// dS·Q (a shape error unless the shapes are square).
    Ds,
}

/// Whether the backward pass masks P.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BackwardMask {
    /// Yes: correct.
    Applied,
    /// No: SDPA's P from unmasked scores; flash's tiles skipped but not masked.
    Ignored,
}

/// How flash's backward rebuilds P.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recompute {
    /// exp(S − lse): correct.
    MinusLse,
    /// exp(S).
    NoLse,
}

/// A mutant with one tiling knob turned.
const fn turned(mistake: MistakeInfo, tiling: Tiling) -> Mutant {
    Mutant { mistake, knobs: Knobs { tiling, ..Knobs::CORRECT } }
}

const T: Tiling = Tiling::CORRECT;

/// The forward pass of flash attention.
pub(crate) const FLASH: &[Mutant] = &[
    turned(m::ACCUMULATOR_NOT_RESCALED, Tiling { rescale: Rescale::SumOnly, ..T }),
    turned(m::RESCALE_INVERTED, Tiling { rescale: Rescale::Inverted, ..T }),
    turned(m::NORMALISED_TWICE, Tiling { normalise: Normalise::EveryBlockAndAtTheEnd, ..T }),
    turned(m::RUNNING_MAX_FROM_ZERO, Tiling { max_start: MaxStart::Zero, ..T }),
    turned(m::LAST_PARTIAL_BLOCK_DROPPED, Tiling { last_block: LastBlock::Dropped, ..T }),
    turned(m::LSE_WITHOUT_MAX, Tiling { lse: LseForm::LnSumOnly, ..T }),
    turned(m::CAUSAL_TOP_LEFT, Tiling { alignment: Alignment::TopLeft, ..T }),
];

/// Both backward passes.
pub(crate) const BACKWARD: &[Mutant] = &[
    turned(m::GRADIENT_MISSING_SCALE, Tiling { gradient_scale: GradientScale::Missing, ..T }),
    turned(m::SOFTMAX_BACKWARD_WITHOUT_ROWSUM, Tiling { row_term: RowTerm::Missing, ..T }),
    turned(m::ROWSUM_OF_DP, Tiling { row_term: RowTerm::RowsumDp, ..T }),
    turned(m::DK_FROM_DS, Tiling { dk_from: DkFrom::Ds, ..T }),
    turned(m::MASKED_ENTRIES_CONTRIBUTE, Tiling { backward_mask: BackwardMask::Ignored, ..T }),
];

/// The flash backward's own: rebuilding P, and the causal alignment.
pub(crate) const FLASH_BACKWARD: &[Mutant] = &[
    turned(m::P_WITHOUT_LSE, Tiling { recompute: Recompute::NoLse, ..T }),
    turned(m::CAUSAL_TOP_LEFT, Tiling { alignment: Alignment::TopLeft, ..T }),
];

/// The mask mistakes of a forward softmax, as they show in SDPA's backward.
pub(crate) fn sdpa_backward_mask_mutants() -> Vec<Mutant> {
    let names = [m::NAN_ON_FULLY_MASKED_ROW.id, m::UNIFORM_ON_FULLY_MASKED_ROW.id, m::INVERTED_MASK.id];
    knobs::MASK.iter().copied().filter(|mutant| names.contains(&mutant.mistake.id)).collect()
}

/// The (start, length) of each block of `len` rows, as the knob says.
fn blocks(len: usize, block: usize, last: LastBlock) -> Vec<(usize, usize)> {
    match last {
        LastBlock::Kept => (0..len).step_by(block).map(|start| (start, block.min(len - start))).collect(),
        LastBlock::Dropped => (0..len / block).map(|b| (b * block, block)).collect(),
    }
}

/// Flash attention, FA-2 order, as the knobs say.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (output (l_q × d_v), lse (l_q)).
pub(crate) fn flash(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    (causal, block_q, block_k): (bool, usize, usize),
    knobs: &Knobs,
) -> (Matrix, DVector<f32>) {
    let t = knobs.tiling;
    let (l_q, l_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    let divisor = knobs.scale.divisor(Widths { d_k: q.ncols(), d_v, d_model: q.ncols(), heads: 1 });
    let start = match t.max_start {
        MaxStart::NegativeInfinity => f32::NEG_INFINITY,
        MaxStart::Zero => 0.0,
    };
    let mut output = Matrix::zeros(l_q, d_v);
    let mut lse = DVector::zeros(l_q);
    for (q0, b_q) in blocks(l_q, block_q, t.last_block) {
        let (mut max, mut sum) = (vec![start; b_q], vec![0.0f32; b_q]);
        let mut acc = Matrix::zeros(b_q, d_v);
        for (k0, b_k) in blocks(l_k, block_k, t.last_block) {
            let scores = q.rows(q0, b_q) * k.rows(k0, b_k).transpose() / divisor; // (b_q, b_k)
            for r in 0..b_q {
                let score = |c: usize| {
                    let allowed = !causal || t.alignment.allows(q0 + r, k0 + c, l_q, l_k);
                    if allowed { scores[(r, c)] } else { f32::NEG_INFINITY }
                };
                let new = (0..b_k).map(score).fold(max[r], f32::max);
                let factor = match (t.rescale, new == f32::NEG_INFINITY) {
                    (_, true) => 1.0,
                    (Rescale::Inverted, false) => (new - max[r]).exp(),
                    _ => (max[r] - new).exp(),
                };
                let p: Vec<f32> = (0..b_k)
                    .map(|c| if score(c) == f32::NEG_INFINITY { 0.0 } else { (score(c) - new).exp() })
                    .collect();
                sum[r] = sum[r] * factor + p.iter().sum::<f32>();
                let acc_factor = if t.rescale == Rescale::SumOnly { 1.0 } else { factor };
                for col in 0..d_v {
                    let added: f32 = (0..b_k).map(|c| p[c] * v[(k0 + c, col)]).sum();
                    acc[(r, col)] = acc[(r, col)] * acc_factor + added;
                    if t.normalise == Normalise::EveryBlockAndAtTheEnd {
                        acc[(r, col)] /= sum[r];
                    }
                }
                max[r] = new;
            }
        }
        for r in 0..b_q {
            for col in 0..d_v {
                output[(q0 + r, col)] = acc[(r, col)] / sum[r];
            }
            lse[q0 + r] = match t.lse {
                LseForm::MaxPlusLnSum => max[r] + sum[r].ln(),
                LseForm::LnSumOnly => sum[r].ln(),
            };
        }
    }
    (output, lse)
}

/// The multiplier of dq and dk: 1/sqrt(d_k), or 1 without it.
fn gradient_factor(t: &Tiling, d_k: usize) -> f32 {
    match t.gradient_scale {
        GradientScale::Applied => 1.0 / (d_k as f32).sqrt(),
        GradientScale::Missing => 1.0,
    }
}

/// dS = P ⊙ (dP − D) for one block of rows, D given per row.
fn softmax_backward(p: &Matrix, dp: &Matrix, d: &[f32]) -> Matrix {
    Matrix::from_fn(p.nrows(), p.ncols(), |i, j| p[(i, j)] * (dp[(i, j)] - d[i]))
}

/// The row term D of every query, as the knob says, from P and dP.
fn row_term(t: &Tiling, p: &Matrix, dp: &Matrix) -> Vec<f32> {
    (0..p.nrows())
        .map(|i| match t.row_term {
            RowTerm::RowsumDpTimesP => dp.row(i).dot(&p.row(i)),
            RowTerm::Missing => 0.0,
            RowTerm::RowsumDp => dp.row(i).sum(),
        })
        .collect()
}

/// The backward pass of scaled dot-product attention, as the knobs say.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), mask (l_q × l_k),
/// d_out (l_q × d_v) -> (dq, dk, dv).
pub(crate) fn sdpa_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    d_out: &Matrix,
    knobs: &Knobs,
) -> (Matrix, Matrix, Matrix) {
    let t = knobs.tiling;
    let widths = Widths { d_k: q.ncols(), d_v: v.ncols(), d_model: q.ncols(), heads: 1 };
    let scores = q * k.transpose() / knobs.scale.divisor(widths); // (l_q, l_k)
    let mask = mask.filter(|_| t.backward_mask == BackwardMask::Applied);
    let p = twins::softmax(&scores, mask, knobs); // (l_q, l_k)
    let dv = p.transpose() * d_out; // (l_k, d_v)
    let dp = d_out * v.transpose(); // (l_q, l_k)
    let ds = softmax_backward(&p, &dp, &row_term(&t, &p, &dp));
    let g = gradient_factor(&t, q.ncols());
    let dq = &ds * k * g;
    let dk = match t.dk_from {
        DkFrom::DsTransposed => ds.transpose() * q * g,
        DkFrom::Ds => &ds * q * g, // (l_q, l_k)·(l_q, d_k): panics unless l_q = l_k
    };
    (dq, dk, dv)
}

/// What flash's backward is given besides q, k, v: the saved forward and d_out.
pub(crate) struct Saved<'a> {
    /// The forward's output (l_q × d_v).
    pub out: &'a Matrix,
    /// The forward's lse (l_q).
    pub lse: &'a DVector<f32>,
    /// The gradient of the loss in the output (l_q × d_v).
    pub d_out: &'a Matrix,
}

/// The flash backward pass, key blocks outside, query blocks inside, as the knobs say.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (dq, dk, dv).
pub(crate) fn flash_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    saved: &Saved,
    (causal, block_q, block_k): (bool, usize, usize),
    knobs: &Knobs,
) -> (Matrix, Matrix, Matrix) {
    let t = knobs.tiling;
    let (l_q, l_k, d_k) = (q.nrows(), k.nrows(), q.ncols());
    let scale = 1.0 / (d_k as f32).sqrt();
    let g = gradient_factor(&t, d_k);
    let d: Vec<f32> = match t.row_term {
        RowTerm::RowsumDpTimesP => (0..l_q).map(|i| saved.d_out.row(i).dot(&saved.out.row(i))).collect(),
        RowTerm::Missing => vec![0.0; l_q],
        RowTerm::RowsumDp => (saved.d_out * v.transpose()).column_sum().iter().copied().collect(),
    };
    let (mut dq, mut dk, mut dv) = (Matrix::zeros(l_q, d_k), Matrix::zeros(l_k, d_k), Matrix::zeros(l_k, v.ncols()));
    for (k0, b_k) in blocks(l_k, block_k, LastBlock::Kept) {
        for (q0, b_q) in blocks(l_q, block_q, LastBlock::Kept) {
            let allowed = |i: usize, j: usize| !causal || t.alignment.allows(i, j, l_q, l_k);
            if !allowed(q0 + b_q - 1, k0) {
                continue; // no query of the block sees any key of it
            }
            let scores = q.rows(q0, b_q) * k.rows(k0, b_k).transpose() * scale; // (b_q, b_k)
            let p = Matrix::from_fn(b_q, b_k, |r, c| {
                let lse = saved.lse[q0 + r];
                let masked = t.backward_mask == BackwardMask::Applied && !allowed(q0 + r, k0 + c);
                match t.recompute {
                    _ if masked || lse == f32::NEG_INFINITY => 0.0,
                    Recompute::MinusLse => (scores[(r, c)] - lse).exp(),
                    Recompute::NoLse => scores[(r, c)].exp(),
                }
            });
            let do_block = saved.d_out.rows(q0, b_q);
            let mut dv_block = dv.rows_mut(k0, b_k);
            dv_block += p.transpose() * do_block;
            let dp = do_block * v.rows(k0, b_k).transpose(); // (b_q, b_k)
            let ds = softmax_backward(&p, &dp, &d[q0..q0 + b_q]);
            let mut dq_block = dq.rows_mut(q0, b_q);
            dq_block += &ds * k.rows(k0, b_k) * g;
            let dk_tile = match t.dk_from {
                DkFrom::DsTransposed => ds.transpose() * q.rows(q0, b_q) * g,
                DkFrom::Ds => &ds * q.rows(q0, b_q) * g, // (b_q, b_k)·(b_q, d_k): panics unless b_q = b_k
            };
            let mut dk_block = dk.rows_mut(k0, b_k);
            dk_block += dk_tile; // a shape mismatch panics
        }
    }
    (dq, dk, dv)
}
