//! The buggy twins: the reference's computations written again with every
//! design decision behind a [knob](super::knobs).
//!
//! With [`Knobs::CORRECT`] each twin computes what the reference computes (a
//! test checks it on every edge case and on random cases); with one knob
//! turned it makes exactly one classic mistake. After a learner's function
//! fails, the checker runs the mutants on the same inputs and names the one
//! whose results match the learner's.
//!
//! One twin per family: [`softmax`] (also inside every other twin),
//! [`causal_mask`], [`scaled_dot_product`], [`multi_head`] (multi-head, self,
//! cross, gated and grouped-query attention) and [`additive`]. They are written
//! for clarity, not speed: they only run on a handful of small cases. A twin
//! may panic on shapes its mistake cannot handle (keys projected with `w.v`
//! when d_k ≠ d_v, say); the caller catches that.

use super::knobs::{
    AdditiveScale, AdditiveScore, Averaged, FullyMasked, Gate, Knobs, Layer, MaskStage, OutputProjection, Over,
    Polarity, Projection, Shift, Split, Swap, Widths,
};
use crate::layers::{AdditiveWeights, GroupedQueryWeights, Linear};
use crate::prelude::{Mask, Matrix};
use crate::reference::heads::merge_heads;
use nalgebra::Dyn;

/// Softmax of `scores` under `mask`, over the entries and with the mask
/// handling the knobs say.
///
/// Shapes: scores (l_q × l_k), mask (l_q × l_k) -> weights (l_q × l_k).
pub(crate) fn softmax(scores: &Matrix, mask: Option<&Mask>, knobs: &Knobs) -> Matrix {
    if let (MaskStage::ZeroFill, Some(mask)) = (knobs.mask_stage, mask) {
        let filled =
            Matrix::from_fn(scores.nrows(), scores.ncols(), |i, j| if mask[(i, j)] { scores[(i, j)] } else { 0.0 });
        return softmax(&filled, None, knobs);
    }
    let mask = mask.filter(|_| knobs.mask_stage != MaskStage::Never);
    match knobs.over {
        Over::Rows => softmax_each_row(scores, mask, knobs),
        Over::Columns => {
            let mask = mask.map(Mask::transpose);
            softmax_each_row(&scores.transpose(), mask.as_ref(), knobs).transpose()
        }
        Over::WholeMatrix => {
            // One row holding every entry; the same reshape of the mask keeps entries paired.
            let (rows, cols) = scores.shape();
            let flat = |m: Matrix| m.reshape_generic(Dyn(1), Dyn(rows * cols));
            let mask = mask.map(|m| m.clone().reshape_generic(Dyn(1), Dyn(rows * cols)));
            softmax_each_row(&flat(scores.clone()), mask.as_ref(), knobs).reshape_generic(Dyn(rows), Dyn(cols))
        }
    }
}

/// Softmax along each row (the `over` knob has been applied by the caller).
fn softmax_each_row(scores: &Matrix, mask: Option<&Mask>, knobs: &Knobs) -> Matrix {
    let (l_q, l_k) = scores.shape();
    let allowed = |i: usize, j: usize| mask.is_none_or(|m| m[(i, j)] == (knobs.polarity == Polarity::TrueAllows));
    let in_softmax = |i: usize, j: usize| knobs.mask_stage == MaskStage::AfterSoftmax || allowed(i, j);
    let largest = |cells: &mut dyn Iterator<Item = (usize, usize)>| {
        cells.filter(|&(i, j)| in_softmax(i, j)).map(|c| scores[c]).fold(f32::NEG_INFINITY, f32::max)
    };
    let global_max = largest(&mut (0..l_q).flat_map(|i| (0..l_k).map(move |j| (i, j))));
    let mut weights = Matrix::zeros(l_q, l_k);
    for i in 0..l_q {
        let keys: Vec<usize> = (0..l_k).filter(|&j| in_softmax(i, j)).collect();
        let shift = match knobs.shift {
            Shift::RowMax => largest(&mut keys.iter().map(|&j| (i, j))),
            Shift::GlobalMax => global_max,
            Shift::Nothing => 0.0,
        };
        // No key to attend to: every key masked, or every score -inf (a
        // maximum of -inf is what tells a max-subtracting softmax so).
        if keys.is_empty() || shift == f32::NEG_INFINITY {
            weights.row_mut(i).fill(fully_masked_weight(knobs.fully_masked, l_k));
            continue;
        }
        for &j in &keys {
            weights[(i, j)] = (scores[(i, j)] - shift).exp();
        }
        let sum: f32 = keys.iter().map(|&j| weights[(i, j)]).sum();
        keys.iter().for_each(|&j| weights[(i, j)] /= sum);
    }
    if knobs.mask_stage == MaskStage::AfterSoftmax {
        weights = Matrix::from_fn(l_q, l_k, |i, j| if allowed(i, j) { weights[(i, j)] } else { 0.0 });
    }
    weights
}

/// The weight of every key in a row that may attend to none.
fn fully_masked_weight(rule: FullyMasked, l_k: usize) -> f32 {
    match rule {
        FullyMasked::Zeros => 0.0,
        FullyMasked::NotANumber => f32::NAN,
        FullyMasked::Uniform => 1.0 / l_k as f32,
    }
}

/// The causal mask of `len` positions, as the `causal` knob says.
pub(crate) fn causal_mask(len: usize, knobs: &Knobs) -> Mask {
    Mask::from_fn(len, len, |i, j| knobs.causal.allows(i, j))
}

/// Scaled dot-product attention of one head.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (output (l_q × d_v), weights (l_q × l_k)).
pub(crate) fn scaled_dot_product(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    knobs: &Knobs,
) -> (Matrix, Matrix) {
    let widths = Widths { d_k: q.ncols(), d_v: v.ncols(), d_model: q.ncols(), heads: 1 };
    dot_product_head(q, k, v, mask, widths, knobs)
}

/// One dot-product head, with the widths its scale may be computed from.
fn dot_product_head(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&Mask>,
    widths: Widths,
    knobs: &Knobs,
) -> (Matrix, Matrix) {
    let scores = q * k.transpose() / knobs.scale.divisor(widths); // (l_q, l_k)
    attend(&scores, k, v, mask, knobs)
}

/// Masked softmax of the scores, then the weighted average of the values (or keys).
fn attend(scores: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>, knobs: &Knobs) -> (Matrix, Matrix) {
    let weights = softmax(scores, mask, knobs);
    let averaged = match knobs.averaged {
        Averaged::Values => v,
        Averaged::Keys => k,
    };
    (&weights * averaged, weights)
}

/// The arguments of the multi-head family in their most general form:
/// grouped-query weights (G = H for plain multi-head attention) and an optional gate.
pub(crate) struct HeadsArgs<'a> {
    /// Queries' input (l_q × D).
    pub query: &'a Matrix,
    /// Keys' input (l_k × D).
    pub key: &'a Matrix,
    /// Values' input (l_k × D).
    pub value: &'a Matrix,
    /// The projections and head counts.
    pub w: &'a GroupedQueryWeights,
    /// The gate of gated self-attention, computed from `query`.
    pub gate: Option<&'a Linear>,
    /// Mask (l_q × l_k).
    pub mask: Option<&'a Mask>,
}

/// Multi-head (grouped-query, optionally gated) attention, as the knobs say.
///
/// Returns (output (l_q × D_out), H weights (l_q × l_k)).
pub(crate) fn multi_head(args: &HeadsArgs, knobs: &Knobs) -> (Matrix, Vec<Matrix>) {
    let w = args.w;
    let (heads, kv_heads) = (w.num_heads, w.num_kv_heads);
    let (key, value) = match knobs.swap {
        Swap::Inputs => (args.value, args.key),
        _ => (args.key, args.value),
    };
    let (w_k, w_v) = match knobs.swap {
        Swap::Projections => (&w.v, &w.k),
        _ => (&w.k, &w.v),
    };
    let q_heads = project_heads(args.query, &w.q, Layer::Query, heads, knobs);
    let k_heads = project_heads(key, w_k, Layer::Key, kv_heads, knobs);
    let v_heads = project_heads(value, w_v, Layer::Value, kv_heads, knobs);
    let widths = Widths { d_k: q_heads[0].ncols(), d_v: v_heads[0].ncols(), d_model: args.query.ncols(), heads };
    let (outputs, weights): (Vec<Matrix>, Vec<Matrix>) = (0..heads)
        .map(|h| {
            let g = knobs.kv_heads.of(h, heads, kv_heads);
            dot_product_head(&q_heads[h], &k_heads[g], &v_heads[g], args.mask, widths, knobs)
        })
        .unzip();
    let output = gate_and_project(&merge_heads(&outputs), args, knobs);
    (output, weights)
}

/// Projects `x` with `layer` (which is `kind`) and cuts the result into `heads` heads.
fn project_heads(x: &Matrix, layer: &Linear, kind: Layer, heads: usize, knobs: &Knobs) -> Vec<Matrix> {
    let layer = with_bias_knob(layer, kind, knobs);
    let d = layer.out_features() / heads;
    match knobs.projection {
        Projection::Full => {
            let projected = layer.forward(x); // (l, D)·(D, heads·d) -> (l, heads·d)
            (0..heads).map(|h| head_columns(&projected, h, heads, d, knobs.split)).collect()
        }
        Projection::PerHeadBlock => {
            let block =
                Linear::new(layer.weight.view((0, 0), (d, d)).into_owned(), layer.bias.columns(0, d).into_owned());
            (0..heads).map(|h| block.forward(&x.columns(h * d, d).into_owned())).collect()
        }
    }
}

/// The columns of head `h` (of `heads`, each `d` wide).
fn head_columns(projected: &Matrix, h: usize, heads: usize, d: usize, split: Split) -> Matrix {
    match split {
        Split::Contiguous => projected.columns(h * d, d).into_owned(),
        Split::Strided => projected.select_columns(&(0..d).map(|c| h + c * heads).collect::<Vec<_>>()),
    }
}

/// The gate (if any) and the output projection, in the order the knobs say.
fn gate_and_project(concat: &Matrix, args: &HeadsArgs, knobs: &Knobs) -> Matrix {
    let gate = args.gate.map(|g| {
        let read = if knobs.gate == Gate::FromHeads { concat } else { args.query };
        let z = with_bias_knob(g, Layer::Gate, knobs).forward(read); // (l, D)·(D, H·d_v)
        if knobs.gate == Gate::RawOnHeads { z } else { z.map(sigmoid) }
    });
    let gate_first = knobs.gate != Gate::SigmoidOnOutput;
    let gated = match &gate {
        Some(g) if gate_first => g.component_mul(concat),
        _ => concat.clone(),
    };
    let projected = match knobs.output_projection {
        OutputProjection::Applied => with_bias_knob(&args.w.o, Layer::Output, knobs).forward(&gated),
        OutputProjection::Missing => gated,
    };
    match &gate {
        Some(g) if !gate_first => g.component_mul(&projected),
        _ => projected,
    }
}

/// The logistic function.
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// `layer`, with its bias set to zero if the `biases` knob drops it.
fn with_bias_knob(layer: &Linear, kind: Layer, knobs: &Knobs) -> Linear {
    if knobs.biases.keeps(kind) { layer.clone() } else { Linear::without_bias(layer.weight.clone()) }
}

/// Additive (Bahdanau) attention, as the knobs say.
///
/// Shapes: q (l_q × d_q), k (l_k × d_k), v (l_k × d_v) -> (output (l_q × d_v), weights (l_q × l_k)).
pub(crate) fn additive(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    w: &AdditiveWeights,
    mask: Option<&Mask>,
    knobs: &Knobs,
) -> (Matrix, Matrix) {
    let q_a = q * &w.w_q; // (l_q, d_a)
    let k_a = k * &w.w_k; // (l_k, d_a)
    let divisor = match knobs.additive_scale {
        AdditiveScale::None => 1.0,
        AdditiveScale::SqrtAlignmentWidth => (w.v_a.len() as f32).sqrt(),
        AdditiveScale::SqrtQueryWidth => (q.ncols() as f32).sqrt(),
        AdditiveScale::SqrtKeyWidth => (k.ncols() as f32).sqrt(),
    };
    let scores = Matrix::from_fn(q.nrows(), k.nrows(), |i, j| {
        let (a, b) = (q_a.row(i), k_a.row(j));
        let combined = match knobs.additive {
            AdditiveScore::TanhOfSum => (a + b).map(f32::tanh),
            AdditiveScore::SumOfTanh => a.map(f32::tanh) + b.map(f32::tanh),
            AdditiveScore::NoTanh => a + b,
        };
        combined.dot(&w.v_a) / divisor
    });
    attend(&scores, k, v, mask, knobs)
}
