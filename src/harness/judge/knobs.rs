//! The knobs of the buggy twins: each field is one design decision of an
//! attention implementation, and each value but the first is a classic way to
//! get it wrong.
//!
//! [`Knobs::CORRECT`] turns every knob to the right setting; a [`Mutant`] is
//! the correct setting with one knob turned (two where one way of making a
//! mistake needs both), labelled with the mistake it reproduces;
//! [`Knobs::combined`] turns two mutants' knobs together, for a function
//! that makes two mistakes. The twins themselves live in [`twins`](super::twins); which
//! mutants apply to which exercise is decided by each exercise.

pub(crate) use super::exercises::alibi::AlibiRule;
pub(crate) use super::exercises::kv_cache::DecodeRule;
pub(crate) use super::exercises::linear_attention::LinearRule;
pub(crate) use super::exercises::mla::MlaRule;
pub(crate) use super::exercises::rope::RopeRule;
pub(crate) use super::exercises::sinks::SinkRule;
pub(crate) use super::exercises::sinusoidal::PositionsRule;
pub(crate) use super::exercises::sliding_window::WindowRule;
use super::mistakes::{self as m, MistakeInfo};
use super::tiles::Tiling;

/// Every decision the twins can get wrong. Read a field's type for its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Knobs {
    /// Which entries one softmax normalises together.
    pub over: Over,
    /// What is subtracted from the scores before `exp`.
    pub shift: Shift,
    /// What a query row with no allowed key becomes.
    pub fully_masked: FullyMasked,
    /// What `true` in a mask means.
    pub polarity: Polarity,
    /// Whether, when and how the mask is applied.
    pub mask_stage: MaskStage,
    /// What the dot-product scores are divided by.
    pub scale: Scale,
    /// How a projection is cut into heads.
    pub split: Split,
    /// How the heads' queries, keys and values are projected.
    pub projection: Projection,
    /// Which key/value head a query head reads (grouped-query attention).
    pub kv_heads: KvHeads,
    /// Whether `w.o` is applied to the concatenated heads.
    pub output_projection: OutputProjection,
    /// Which linear layers keep their bias.
    pub biases: Biases,
    /// Whether keys and values are mixed up.
    pub swap: Swap,
    /// Where and how the gate of gated attention is applied.
    pub gate: Gate,
    /// Where cross-attention takes queries, keys and values from.
    pub routing: Routing,
    /// How the additive score combines the projected query and key.
    pub additive: AdditiveScore,
    /// What additive scores are divided by.
    pub additive_scale: AdditiveScale,
    /// Which matrix the attention weights average.
    pub averaged: Averaged,
    /// Which keys the causal mask lets query `i` see.
    pub causal: CausalRule,
    /// What turns a row of scores into weights.
    pub weighting: Weighting,
    /// Where the 1/scale is applied.
    pub scale_stage: ScaleStage,
    /// Whether each head keeps its own weights.
    pub head_weights: HeadWeights,
    /// Which weights are returned.
    pub returned: ReturnedWeights,
    /// How RoPE rotates (see the `rope` exercise).
    pub rope: RopeRule,
    /// How one decode step uses and fills its cache (see the `kv_cache` exercise).
    pub decode: DecodeRule,
    /// Which keys a sliding window lets query `i` see (see the `sliding_window` exercise).
    pub window: WindowRule,
    /// How the sink logit joins the softmax (see the `sinks` exercise).
    pub sink: SinkRule,
    /// The decisions of flash attention and of the backward pass (see `tiles`).
    pub tiling: Tiling,
    /// How the sinusoidal table is laid out (see the `sinusoidal` exercise).
    pub positions: PositionsRule,
    /// The ALiBi slopes and bias (see the `alibi` exercise).
    pub alibi: AlibiRule,
    /// φ, ε and the prefix sums of linear attention (see the `linear_attention` exercise).
    pub linear: LinearRule,
    /// How multi-head latent attention computes and caches (see the `mla` exercise).
    pub mla: MlaRule,
}

impl Knobs {
    /// Every knob at its correct setting: the twins then compute the reference's results.
    pub const CORRECT: Knobs = Knobs {
        over: Over::Rows,
        shift: Shift::RowMax,
        fully_masked: FullyMasked::Zeros,
        polarity: Polarity::TrueAllows,
        mask_stage: MaskStage::BeforeSoftmax,
        scale: Scale::SqrtDk,
        split: Split::Contiguous,
        projection: Projection::Full,
        kv_heads: KvHeads::Grouped,
        output_projection: OutputProjection::Applied,
        biases: Biases::All,
        swap: Swap::Nothing,
        gate: Gate::SigmoidOnHeads,
        routing: Routing::QueriesFromXKeysValuesFromMemory,
        additive: AdditiveScore::TanhOfSum,
        additive_scale: AdditiveScale::None,
        averaged: Averaged::Values,
        causal: CausalRule::UpToDiagonal,
        weighting: Weighting::Softmax,
        scale_stage: ScaleStage::Scores,
        head_weights: HeadWeights::PerHead,
        returned: ReturnedWeights::Used,
        rope: RopeRule::Correct,
        decode: DecodeRule::Correct,
        window: WindowRule::Correct,
        sink: SinkRule::Correct,
        tiling: Tiling::CORRECT,
        positions: PositionsRule::Correct,
        alibi: AlibiRule::Correct,
        linear: LinearRule::Correct,
        mla: MlaRule::Correct,
    };

    /// The knobs of `a` and `b` turned together, or `None` if both turn the
    /// same knob (a mistake and another way of making it cannot be combined).
    pub fn combined(a: &Knobs, b: &Knobs) -> Option<Knobs> {
        /// `a`'s setting if `b` leaves the knob correct, `b`'s if `a` does.
        fn pick<T: PartialEq + Copy>(a: T, b: T, correct: T) -> Option<T> {
            match (a == correct, b == correct) {
                (_, true) => Some(a),
                (true, false) => Some(b),
                (false, false) => None,
            }
        }
        macro_rules! combine {
            ($($field:ident),*) => {
                Knobs { $($field: pick(a.$field, b.$field, Knobs::CORRECT.$field)?),* }
            };
        }
        Some(combine!(
            over,
            shift,
            fully_masked,
            polarity,
            mask_stage,
            scale,
            split,
            projection,
            kv_heads,
            output_projection,
            biases,
            swap,
            gate,
            routing,
            additive,
            additive_scale,
            averaged,
            causal,
            weighting,
            scale_stage,
            head_weights,
            returned,
            rope,
            decode,
            window,
            sink,
            tiling,
            positions,
            alibi,
            linear,
            mla
        ))
    }
}

/// Which entries one softmax normalises together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Over {
    /// Each row (the keys of one query): correct.
    Rows,
    /// Each column (the queries of one key).
    Columns,
    /// All entries of the matrix at once.
    WholeMatrix,
}

/// What is subtracted from the scores before `exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shift {
    /// The row's largest allowed score: correct.
    RowMax,
    /// The largest score of the whole matrix.
    GlobalMax,
    /// Nothing: `exp` overflows on large scores.
    Nothing,
    /// The row's largest score, masked keys included: every allowed `exp`
    /// underflows to 0 when a masked key beats them all by about 100.
    RowMaxOverMaskedKeys,
}

/// What a query row with no allowed key becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FullyMasked {
    /// All-zero weights: correct.
    Zeros,
    /// NaN, as a `-inf` fill gives.
    NotANumber,
    /// 1 / l_k everywhere, as a `-1e9` fill gives.
    Uniform,
}

/// What `true` in a mask means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Polarity {
    /// `true` = may attend: correct.
    TrueAllows,
    /// `true` = blocked.
    TrueBlocks,
}

/// Whether, when and how the mask is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MaskStage {
    /// Masked keys are left out of the softmax: correct.
    BeforeSoftmax,
    /// Softmax over every key, then masked weights set to 0 (no renormalising).
    AfterSoftmax,
    /// Never: every query attends to every key.
    Never,
    /// Masked scores replaced by 0 and left in the softmax.
    ZeroFill,
    /// Masked scores replaced by -1e4 (the half-precision fill), too little
    /// when the allowed scores are below it; a row with no allowed key gets
    /// what the `fully_masked` knob says.
    SmallFill,
    /// Softmax over every key, masked weights set to 0, the row divided by
    /// its new sum: 0 / 0 when a masked key dominates the row (or none is allowed).
    Renormalised,
    /// The same with `+ 1e-9` in the denominator: all zeros instead.
    RenormalisedWithEpsilon,
}

impl MaskStage {
    /// Whether the softmax runs over every key, masked ones included.
    pub fn softmax_over_every_key(self) -> bool {
        matches!(self, MaskStage::AfterSoftmax | MaskStage::Renormalised | MaskStage::RenormalisedWithEpsilon)
    }
}

/// What the dot-product scores are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// sqrt(d_k), d_k the per-head query width: correct.
    SqrtDk,
    /// sqrt(d_v), the per-head value width.
    SqrtDv,
    /// d_k itself.
    Dk,
    /// Nothing.
    One,
    /// sqrt(D), D the input width of the queries.
    SqrtModelWidth,
    /// sqrt(H·d_k), the full query projection width.
    SqrtProjectedWidth,
    /// sqrt(D / H) (integer division), d_k guessed from the input width.
    SqrtInputWidthPerHead,
    /// Multiplied by sqrt(d_k) instead of divided.
    TimesSqrtDk,
}

/// The widths a scale can be computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Widths {
    /// Per-head query/key width.
    pub d_k: usize,
    /// Per-head value width.
    pub d_v: usize,
    /// Input width of the queries (D).
    pub d_model: usize,
    /// Number of query heads.
    pub heads: usize,
}

impl Scale {
    /// The number the scores are divided by.
    pub fn divisor(self, w: Widths) -> f32 {
        let root = |n: usize| (n as f32).sqrt();
        match self {
            Scale::SqrtDk => root(w.d_k),
            Scale::SqrtDv => root(w.d_v),
            Scale::Dk => w.d_k as f32,
            Scale::One => 1.0,
            Scale::SqrtModelWidth => root(w.d_model),
            Scale::SqrtProjectedWidth => root(w.heads * w.d_k),
            Scale::SqrtInputWidthPerHead => root(w.d_model / w.heads),
            Scale::TimesSqrtDk => 1.0 / root(w.d_k),
        }
    }
}

/// How a projection is cut into heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    /// Head h = columns [h·d, (h+1)·d): correct.
    Contiguous,
    /// Head h = columns h, h + H, h + 2H, ...
    Strided,
    /// The row-major (L, H·d) buffer read as (H, L, d) without the transpose
    /// (numpy's `reshape(H, L, d)`), and merged back the same way.
    ReshapedWithoutTranspose,
}

/// How the heads' queries, keys and values are projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Projection {
    /// The full input times the full (D × H·d) matrix, then split: correct.
    Full,
    /// Head h: input columns [h·d, (h+1)·d) times the top-left (d × d) block of W.
    PerHeadBlock,
}

/// Which key/value head query head `h` reads, with H query and G KV heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KvHeads {
    /// h / (H / G): correct.
    Grouped,
    /// h % G.
    Modulo,
    /// Always key/value head 0.
    First,
}

impl KvHeads {
    /// The key/value head of query head `h`.
    pub fn of(self, h: usize, heads: usize, kv_heads: usize) -> usize {
        match self {
            KvHeads::Grouped => h / (heads / kv_heads),
            KvHeads::Modulo => h % kv_heads,
            KvHeads::First => 0,
        }
    }
}

/// Whether `w.o` is applied to the concatenated heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputProjection {
    /// Yes: correct.
    Applied,
    /// No: the concatenated heads are returned as they are.
    Missing,
}

/// The linear layers of the multi-head family, for [`Biases`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// `w.q`.
    Query,
    /// `w.k`.
    Key,
    /// `w.v`.
    Value,
    /// The gate of gated attention.
    Gate,
    /// The output projection `w.o`.
    Output,
}

/// Which linear layers keep their bias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Biases {
    /// All of them: correct.
    All,
    /// None (e.g. `x * &w.q.weight` everywhere).
    Nothing,
    /// All but this one's.
    AllBut(Layer),
    /// Only this one's.
    Only(Layer),
}

impl Biases {
    /// Whether `layer` keeps its bias.
    pub fn keeps(self, layer: Layer) -> bool {
        match self {
            Biases::All => true,
            Biases::Nothing => false,
            Biases::AllBut(dropped) => layer != dropped,
            Biases::Only(kept) => layer == kept,
        }
    }
}

/// Whether keys and values are mixed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swap {
    /// No: correct.
    Nothing,
    /// Keys projected with `w.v`, values with `w.k`.
    Projections,
    /// Keys projected from the `value` input, values from the `key` input.
    Inputs,
    /// Values projected with `w.k` (keys are right).
    ValuesWithKeyProjection,
}

/// Where and how the gate of gated attention is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// sigmoid(x·W_g + b_g) times the concatenated heads, before `w.o`: correct.
    SigmoidOnHeads,
    /// The raw x·W_g + b_g times the concatenated heads.
    RawOnHeads,
    /// sigmoid(x·W_g + b_g) times the output, after `w.o`.
    SigmoidOnOutput,
    /// sigmoid(concat·W_g + b_g): the gate read from the heads instead of x.
    FromHeads,
    /// tanh(x·W_g + b_g) times the concatenated heads.
    TanhOnHeads,
    /// No gate at all.
    Ignored,
}

/// Where cross-attention takes its queries, keys and values from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Routing {
    /// Queries from x, keys and values from memory: correct.
    QueriesFromXKeysValuesFromMemory,
    /// The two sides swapped: queries from memory, keys and values from x.
    QueriesFromMemory,
    /// Values from x.
    ValuesFromX,
    /// Keys from x.
    KeysFromX,
}

impl Routing {
    /// Picks (queries, keys, values) out of the correct (x, memory, memory).
    pub fn pick<'a, T: ?Sized>(self, x: &'a T, memory: &'a T) -> (&'a T, &'a T, &'a T) {
        match self {
            Routing::QueriesFromXKeysValuesFromMemory => (x, memory, memory),
            Routing::QueriesFromMemory => (memory, x, x),
            Routing::ValuesFromX => (x, memory, x),
            Routing::KeysFromX => (x, x, memory),
        }
    }
}

/// How the additive score combines the projected query `a = q·W_q` and key `b = k·W_k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdditiveScore {
    /// v_a · tanh(a + b): correct.
    TanhOfSum,
    /// v_a · (tanh(a) + tanh(b)).
    SumOfTanh,
    /// v_a · (a + b).
    NoTanh,
    /// tanh(v_a · (a + b)): the tanh outside the product.
    TanhOfScore,
}

/// What additive scores are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdditiveScale {
    /// Nothing: correct.
    None,
    /// sqrt(d_a), the alignment width.
    SqrtAlignmentWidth,
    /// sqrt(d_q), the query width.
    SqrtQueryWidth,
    /// sqrt(d_k), the key width.
    SqrtKeyWidth,
}

/// Which matrix the attention weights average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Averaged {
    /// The values: correct.
    Values,
    /// The keys.
    Keys,
}

/// Which keys the causal mask lets query `i` see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CausalRule {
    /// j <= i: correct.
    UpToDiagonal,
    /// j < i.
    BeforeDiagonal,
    /// j <= i + 1.
    OneAhead,
    /// j >= i.
    FromDiagonal,
    /// j > i (the correct mask with `true` meaning blocked).
    AfterDiagonal,
}

impl CausalRule {
    /// Whether query `i` may attend to key `j`.
    pub fn allows(self, i: usize, j: usize) -> bool {
        match self {
            CausalRule::UpToDiagonal => j <= i,
            CausalRule::BeforeDiagonal => j < i,
            CausalRule::OneAhead => j <= i + 1,
            CausalRule::FromDiagonal => j >= i,
            CausalRule::AfterDiagonal => j > i,
        }
    }
}

/// What turns a row of (masked) scores into weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weighting {
    /// exp, divided by the row's sum: correct.
    Softmax,
    /// exp without dividing by the sum.
    ExpNotNormalised,
    /// The logistic function of each score.
    Sigmoid,
    /// max(score, 0).
    Relu,
}

/// Where the scale is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScaleStage {
    /// To the scores, before the softmax: correct.
    Scores,
    /// To the weights, after the softmax.
    Weights,
    /// To the head's output, weights · v.
    Output,
}

/// Whether each head keeps its own weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadWeights {
    /// Yes: correct.
    PerHead,
    /// The heads' weights averaged, and that one matrix used (and returned) for every head.
    Averaged,
}

/// Which weights a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReturnedWeights {
    /// The ones the output was computed with: correct.
    Used,
    /// The softmax of the scores without the mask (the output is masked).
    Unmasked,
    /// The average over the heads, once per head (PyTorch's `average_attn_weights`).
    HeadMean,
}

/// A twin with one knob turned, and the mistake it reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mutant {
    /// The mistake a learner whose results match this twin has made.
    pub mistake: MistakeInfo,
    /// The twin's settings.
    pub knobs: Knobs,
}

/// Shorthand for the mutant lists below.
const fn mutant(mistake: MistakeInfo, knobs: Knobs) -> Mutant {
    Mutant { mistake, knobs }
}

const C: Knobs = Knobs::CORRECT;

/// Softmax over the wrong entries, or without the max subtraction.
pub(crate) const SOFTMAX: &[Mutant] = &[
    mutant(m::SOFTMAX_WRONG_AXIS, Knobs { over: Over::Columns, ..C }),
    mutant(m::NO_MAX_SUBTRACTION, Knobs { shift: Shift::Nothing, ..C }),
];

/// Something other than a softmax makes the weights.
pub(crate) const WEIGHTING: &[Mutant] = &[
    mutant(m::WEIGHTS_NOT_NORMALISED, Knobs { weighting: Weighting::ExpNotNormalised, shift: Shift::Nothing, ..C }),
    mutant(m::WEIGHTS_NOT_NORMALISED, Knobs { weighting: Weighting::ExpNotNormalised, ..C }),
    mutant(m::SIGMOID_INSTEAD_OF_SOFTMAX, Knobs { weighting: Weighting::Sigmoid, ..C }),
    mutant(m::RELU_INSTEAD_OF_SOFTMAX, Knobs { weighting: Weighting::Relu, ..C }),
];

/// One softmax (or one max) for the whole matrix: nalgebra's `.max()` and
/// `.sum()` of a matrix cover every entry.
pub(crate) const SOFTMAX_WHOLE: &[Mutant] = &[
    mutant(m::SOFTMAX_WHOLE_MATRIX, Knobs { over: Over::WholeMatrix, ..C }),
    mutant(m::GLOBAL_MAX_SUBTRACTION, Knobs { shift: Shift::GlobalMax, ..C }),
];

/// Mask handling.
pub(crate) const MASK: &[Mutant] = &[
    mutant(m::NAN_ON_FULLY_MASKED_ROW, Knobs { fully_masked: FullyMasked::NotANumber, ..C }),
    mutant(m::UNIFORM_ON_FULLY_MASKED_ROW, Knobs { fully_masked: FullyMasked::Uniform, ..C }),
    mutant(m::INVERTED_MASK, Knobs { polarity: Polarity::TrueBlocks, ..C }),
    mutant(m::MASK_AFTER_SOFTMAX, Knobs { mask_stage: MaskStage::AfterSoftmax, ..C }),
    mutant(m::MASK_IGNORED, Knobs { mask_stage: MaskStage::Never, ..C }),
    mutant(m::MASK_FILLED_WITH_ZERO, Knobs { mask_stage: MaskStage::ZeroFill, ..C }),
    mutant(m::MASK_FILL_TOO_SMALL, Knobs { mask_stage: MaskStage::SmallFill, ..C }),
    mutant(m::MASK_FILL_TOO_SMALL, Knobs { mask_stage: MaskStage::SmallFill, fully_masked: FullyMasked::Uniform, ..C }),
    mutant(m::RENORMALISED_AFTER_MASKING, Knobs { mask_stage: MaskStage::Renormalised, ..C }),
    mutant(m::RENORMALISED_AFTER_MASKING, Knobs { mask_stage: MaskStage::RenormalisedWithEpsilon, ..C }),
    mutant(m::MAX_OVER_MASKED_KEYS, Knobs { shift: Shift::RowMaxOverMaskedKeys, ..C }),
    mutant(m::RETURNED_WEIGHTS_UNMASKED, Knobs { returned: ReturnedWeights::Unmasked, ..C }),
];

/// Scaling by the value width, which only shows where d_v ≠ d_k (scaled
/// dot-product attention; the SPEC's multi-head variants have d_v = d_k).
pub(crate) const VALUE_WIDTH_SCALE: &[Mutant] = &[mutant(m::SCALE_BY_SQRT_D_V, Knobs { scale: Scale::SqrtDv, ..C })];

/// Wrong scales of one dot-product head.
pub(crate) const SCALE: &[Mutant] = &[
    mutant(m::SCALE_BY_D_K, Knobs { scale: Scale::Dk, ..C }),
    mutant(m::NO_SCALE, Knobs { scale: Scale::One, ..C }),
    mutant(m::SCALE_MULTIPLIED, Knobs { scale: Scale::TimesSqrtDk, ..C }),
];

/// The right scale at the wrong step (after the softmax).
pub(crate) const SCALE_STAGE: &[Mutant] = &[
    mutant(m::SCALE_AT_WRONG_STEP, Knobs { scale_stage: ScaleStage::Weights, ..C }),
    mutant(m::SCALE_AT_WRONG_STEP, Knobs { scale_stage: ScaleStage::Output, ..C }),
];

/// Wrong scales that need several heads to show.
pub(crate) const HEAD_SCALE: &[Mutant] = &[
    mutant(m::SCALE_BY_SQRT_D_MODEL, Knobs { scale: Scale::SqrtModelWidth, ..C }),
    mutant(m::SCALE_BY_SQRT_D_MODEL, Knobs { scale: Scale::SqrtProjectedWidth, ..C }),
];

/// d_k read off the input width, which only shows where D ≠ H·d_k (grouped-query
/// attention; the SPEC's other multi-head weights are D × D).
pub(crate) const INPUT_WIDTH_SCALE: &[Mutant] =
    &[mutant(m::D_K_FROM_INPUT_WIDTH, Knobs { scale: Scale::SqrtInputWidthPerHead, ..C })];

/// Splitting, projecting and merging heads.
pub(crate) const HEADS: &[Mutant] = &[
    mutant(m::STRIDED_HEAD_SPLIT, Knobs { split: Split::Strided, ..C }),
    mutant(m::HEADS_RESHAPED_WITHOUT_TRANSPOSE, Knobs { split: Split::ReshapedWithoutTranspose, ..C }),
    mutant(m::WEIGHTS_AVERAGED_OVER_HEADS, Knobs { head_weights: HeadWeights::Averaged, ..C }),
    mutant(m::WEIGHTS_AVERAGED_OVER_HEADS, Knobs { returned: ReturnedWeights::HeadMean, ..C }),
    mutant(m::MISSING_OUTPUT_PROJECTION, Knobs { output_projection: OutputProjection::Missing, ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::Nothing, ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::AllBut(Layer::Output), ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::Only(Layer::Output), ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::AllBut(Layer::Query), ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::AllBut(Layer::Value), ..C }),
    // Without the key's bias alone the results do not change: q·b_k adds the
    // same number to every score of a row, and softmax ignores that.
    mutant(m::KEY_VALUE_SWAPPED, Knobs { swap: Swap::Projections, ..C }),
    mutant(m::VALUES_FROM_KEY_PROJECTION, Knobs { swap: Swap::ValuesWithKeyProjection, ..C }),
];

/// Keys and values projected from each other's input (needs separate key and value inputs).
pub(crate) const SWAPPED_INPUTS: &[Mutant] = &[mutant(m::KEY_VALUE_SWAPPED, Knobs { swap: Swap::Inputs, ..C })];

/// Per-head block projection (needs H = G).
pub(crate) const BLOCK_PROJECTION: &[Mutant] = &[
    mutant(m::PER_HEAD_BLOCK_PROJECTION, Knobs { projection: Projection::PerHeadBlock, ..C }),
    // The popular tutorial's `Linear(head_dim, head_dim, bias=False)`: the block without its bias.
    mutant(
        m::PER_HEAD_BLOCK_PROJECTION,
        Knobs { projection: Projection::PerHeadBlock, biases: Biases::Only(Layer::Output), ..C },
    ),
];

/// Grouped-query head mapping.
pub(crate) const GROUPED: &[Mutant] = &[
    mutant(m::GQA_MODULO_MAPPING, Knobs { kv_heads: KvHeads::Modulo, ..C }),
    mutant(m::GQA_ONLY_FIRST_KV_HEAD, Knobs { kv_heads: KvHeads::First, ..C }),
];

/// The gate of gated attention.
pub(crate) const GATE: &[Mutant] = &[
    mutant(m::GATE_AFTER_OUTPUT_PROJECTION, Knobs { gate: Gate::SigmoidOnOutput, ..C }),
    mutant(m::GATE_WITHOUT_SIGMOID, Knobs { gate: Gate::RawOnHeads, ..C }),
    mutant(m::GATE_FROM_HEADS, Knobs { gate: Gate::FromHeads, ..C }),
    mutant(m::GATE_TANH_INSTEAD_OF_SIGMOID, Knobs { gate: Gate::TanhOnHeads, ..C }),
    mutant(m::GATE_IGNORED, Knobs { gate: Gate::Ignored, ..C }),
    mutant(m::MISSING_BIAS, Knobs { biases: Biases::AllBut(Layer::Gate), ..C }),
];

/// Cross-attention's sources.
pub(crate) const ROUTING: &[Mutant] = &[
    mutant(m::CROSS_QUERIES_FROM_MEMORY, Knobs { routing: Routing::QueriesFromMemory, ..C }),
    mutant(m::CROSS_VALUES_FROM_X, Knobs { routing: Routing::ValuesFromX, ..C }),
    mutant(m::CROSS_KEYS_FROM_X, Knobs { routing: Routing::KeysFromX, ..C }),
];

/// Averaging the keys instead of the values.
pub(crate) const AVERAGED: &[Mutant] = &[mutant(m::VALUES_FROM_KEYS, Knobs { averaged: Averaged::Keys, ..C })];

/// The additive score.
pub(crate) const ADDITIVE: &[Mutant] = &[
    mutant(m::ADDITIVE_SUM_OF_TANH, Knobs { additive: AdditiveScore::SumOfTanh, ..C }),
    mutant(m::ADDITIVE_MISSING_TANH, Knobs { additive: AdditiveScore::NoTanh, ..C }),
    mutant(m::ADDITIVE_TANH_OUTSIDE, Knobs { additive: AdditiveScore::TanhOfScore, ..C }),
    mutant(m::ADDITIVE_SCALED, Knobs { additive_scale: AdditiveScale::SqrtAlignmentWidth, ..C }),
    mutant(m::ADDITIVE_SCALED, Knobs { additive_scale: AdditiveScale::SqrtQueryWidth, ..C }),
    mutant(m::ADDITIVE_SCALED, Knobs { additive_scale: AdditiveScale::SqrtKeyWidth, ..C }),
];

/// The causal mask.
pub(crate) const CAUSAL: &[Mutant] = &[
    mutant(m::CAUSAL_MASK_STRICT, Knobs { causal: CausalRule::BeforeDiagonal, ..C }),
    mutant(m::CAUSAL_MASK_OFF_BY_ONE, Knobs { causal: CausalRule::OneAhead, ..C }),
    mutant(m::CAUSAL_MASK_TRANSPOSED, Knobs { causal: CausalRule::FromDiagonal, ..C }),
    mutant(m::INVERTED_MASK, Knobs { causal: CausalRule::AfterDiagonal, ..C }),
];
