//! The buggy twins: the reference's computations written again with every
//! design decision behind a [knob](super::knobs).
//!
//! With [`Knobs::CORRECT`] each twin computes what the reference computes (a
//! test checks it on every edge case and on random cases); with one knob
//! turned it makes exactly one classic mistake. After a learner's function
//! fails, the judge runs the mutants on the same inputs and names the one
//! whose results match the learner's.
//!
//! One twin per family: [`softmax`] (also inside every other twin),
//! [`causal_mask`], [`scaled_dot_product`], [`multi_head`] (multi-head, self,
//! cross, gated and grouped-query attention) and [`additive`]. They are written
//! for clarity, not speed: they only run on a handful of small cases. A twin
//! may panic on shapes its mistake cannot handle (keys projected with `w.v`
//! when d_k ≠ d_v, say); the caller catches that.

use super::knobs::{
    AdditiveScale, AdditiveScore, Averaged, FullyMasked, Gate, HeadWeights, Knobs, Layer, MaskStage, OutputProjection,
    Over, Polarity, Projection, ReturnedWeights, ScaleStage, Shift, Split, Swap, Weighting, Widths,
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
    let fill = match knobs.mask_stage {
        MaskStage::ZeroFill => Some(0.0),
        MaskStage::SmallFill => Some(-1e4),
        _ => None,
    };
    if let (Some(fill), Some(mask)) = (fill, mask) {
        let allows = |i: usize, j: usize| mask[(i, j)] == (knobs.polarity == Polarity::TrueAllows);
        let filled =
            Matrix::from_fn(scores.nrows(), scores.ncols(), |i, j| if allows(i, j) { scores[(i, j)] } else { fill });
        let mut weights = softmax(&filled, None, knobs);
        // A -1e4 fill is a deliberate choice: its rows with no allowed key get the `fully_masked` knob's weights.
        if knobs.mask_stage == MaskStage::SmallFill {
            for i in (0..mask.nrows()).filter(|&i| (0..mask.ncols()).all(|j| !allows(i, j))) {
                weights.row_mut(i).fill(fully_masked_weight(knobs.fully_masked, mask.ncols()));
            }
        }
        return weights;
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
    let in_softmax = |i: usize, j: usize| knobs.mask_stage.softmax_over_every_key() || allowed(i, j);
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
            Shift::RowMaxOverMaskedKeys => scores.row(i).iter().copied().fold(f32::NEG_INFINITY, f32::max),
        };
        // No key to attend to: every key masked, or every score -inf (a
        // maximum of -inf is what tells a max-subtracting softmax so).
        if keys.is_empty() || shift == f32::NEG_INFINITY {
            weights.row_mut(i).fill(fully_masked_weight(knobs.fully_masked, l_k));
            continue;
        }
        for &j in &keys {
            let s = scores[(i, j)];
            weights[(i, j)] = match knobs.weighting {
                Weighting::Softmax | Weighting::ExpNotNormalised => (s - shift).exp(),
                Weighting::Sigmoid => sigmoid(s),
                Weighting::Relu => s.max(0.0),
            };
        }
        if knobs.weighting == Weighting::Softmax {
            let sum: f32 = keys.iter().map(|&j| weights[(i, j)]).sum();
            keys.iter().for_each(|&j| weights[(i, j)] /= sum);
        }
    }
    if knobs.mask_stage.softmax_over_every_key() {
        weights = Matrix::from_fn(l_q, l_k, |i, j| if allowed(i, j) { weights[(i, j)] } else { 0.0 });
    }
    let epsilon = match knobs.mask_stage {
        MaskStage::Renormalised => 0.0,
        MaskStage::RenormalisedWithEpsilon => 1e-9,
        _ => return weights,
    };
    for mut row in weights.row_iter_mut() {
        let sum = row.sum() + epsilon;
        row /= sum;
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
    let weights = head_weights(q, k, mask, widths, knobs);
    let output = head_output(&weights, k, v, widths, knobs);
    let returned = returned_weights(weights, || head_weights(q, k, None, widths, knobs), knobs);
    (output, returned)
}

/// The weights one dot-product head computes its output with (`q·kᵀ`, the
/// scale and the masked softmax, in the order the knobs say).
fn head_weights(q: &Matrix, k: &Matrix, mask: Option<&Mask>, widths: Widths, knobs: &Knobs) -> Matrix {
    let scores = q * k.transpose(); // (l_q, l_k)
    let divisor = knobs.scale.divisor(widths);
    match knobs.scale_stage {
        ScaleStage::Scores => softmax(&(scores / divisor), mask, knobs),
        ScaleStage::Weights => softmax(&scores, mask, knobs) / divisor,
        ScaleStage::Output => softmax(&scores, mask, knobs),
    }
}

/// A head's output: its weights times the values (or keys), scaled there if the knobs say so.
fn head_output(weights: &Matrix, k: &Matrix, v: &Matrix, widths: Widths, knobs: &Knobs) -> Matrix {
    let averaged = match knobs.averaged {
        Averaged::Values => v,
        Averaged::Keys => k,
    };
    let output = weights * averaged;
    match knobs.scale_stage {
        ScaleStage::Output => output / knobs.scale.divisor(widths),
        _ => output,
    }
}

/// The weights a single-head function returns: the ones it used, or `unmasked()`.
fn returned_weights(used: Matrix, unmasked: impl FnOnce() -> Matrix, knobs: &Knobs) -> Matrix {
    match knobs.returned {
        ReturnedWeights::Unmasked => unmasked(),
        ReturnedWeights::Used | ReturnedWeights::HeadMean => used,
    }
}

/// The average of some matrices of one shape.
fn mean(matrices: &[Matrix]) -> Matrix {
    let sum = matrices.iter().skip(1).fold(matrices[0].clone(), |sum, m| sum + m);
    sum / matrices.len() as f32
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
    let (w_v, value) = match knobs.swap {
        Swap::ValuesWithKeyProjection => (&w.k, value),
        _ => (w_v, value),
    };
    let q_heads = project_heads(args.query, &w.q, Layer::Query, heads, knobs);
    let k_heads = project_heads(key, w_k, Layer::Key, kv_heads, knobs);
    let v_heads = project_heads(value, w_v, Layer::Value, kv_heads, knobs);
    let widths = Widths { d_k: q_heads[0].ncols(), d_v: v_heads[0].ncols(), d_model: args.query.ncols(), heads };
    let kv = |h: usize| knobs.kv_heads.of(h, heads, kv_heads);
    let weights_of = |h: usize, mask: Option<&Mask>| head_weights(&q_heads[h], &k_heads[kv(h)], mask, widths, knobs);
    let mut used: Vec<Matrix> = (0..heads).map(|h| weights_of(h, args.mask)).collect();
    if knobs.head_weights == HeadWeights::Averaged {
        used = vec![mean(&used); heads];
    }
    let outputs: Vec<Matrix> =
        (0..heads).map(|h| head_output(&used[h], &k_heads[kv(h)], &v_heads[kv(h)], widths, knobs)).collect();
    let returned = match knobs.returned {
        ReturnedWeights::Used => used,
        ReturnedWeights::Unmasked => (0..heads).map(|h| weights_of(h, None)).collect(),
        ReturnedWeights::HeadMean => vec![mean(&used); heads],
    };
    let concat = match knobs.split {
        Split::ReshapedWithoutTranspose => merge_reshaped(&outputs),
        _ => merge_heads(&outputs),
    };
    (gate_and_project(&concat, args, knobs), returned)
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
        Split::ReshapedWithoutTranspose => {
            // Row-major flat index n of the (l, heads·d) buffer; (h, t, c) of (heads, l, d) is n = (h·l + t)·d + c.
            let (l, width) = projected.shape();
            Matrix::from_fn(l, d, |t, c| {
                let n = (h * l + t) * d + c;
                projected[(n / width, n % width)]
            })
        }
    }
}

/// Heads (each l × d) written into one row-major (heads, l, d) buffer and read back as (l, heads·d), no transpose.
fn merge_reshaped(heads: &[Matrix]) -> Matrix {
    let (l, d) = heads[0].shape();
    let width = heads.len() * d;
    Matrix::from_fn(l, width, |t, c| {
        let n = t * width + c;
        let (h, rest) = (n / (l * d), n % (l * d));
        heads[h][(rest / d, rest % d)]
    })
}

/// The gate (if any) and the output projection, in the order the knobs say.
fn gate_and_project(concat: &Matrix, args: &HeadsArgs, knobs: &Knobs) -> Matrix {
    let gate = args.gate.map(|g| {
        let read = if knobs.gate == Gate::FromHeads { concat } else { args.query };
        let z = with_bias_knob(g, Layer::Gate, knobs).forward(read); // (l, D)·(D, H·d_v)
        match knobs.gate {
            Gate::RawOnHeads => z,
            Gate::TanhOnHeads => z.map(f32::tanh),
            _ => z.map(sigmoid),
        }
    });
    let gate = gate.filter(|_| knobs.gate != Gate::Ignored);
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
            AdditiveScore::NoTanh | AdditiveScore::TanhOfScore => a + b,
        };
        let score = combined.dot(&w.v_a) / divisor;
        if knobs.additive == AdditiveScore::TanhOfScore { score.tanh() } else { score }
    });
    let weights = softmax(&scores, mask, knobs);
    let averaged = match knobs.averaged {
        Averaged::Values => v,
        Averaged::Keys => k,
    };
    let output = &weights * averaged;
    (output, returned_weights(weights, || softmax(&scores, None, knobs), knobs))
}
