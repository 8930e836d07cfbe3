//! Shapes, sizes and costs of a variant, measured by running the reference.
//!
//! [`measure`] builds random inputs and weights of the requested sizes, runs
//! the reference under [`trace::record`], and reads everything it reports off
//! that run: the batched shape of every step, the parameters of the weights it
//! actually built, the FLOPs of the two attention products from the traced
//! shapes, and the bytes of the attention matrices and of the KV cache. Quiz
//! questions and `attn-quiz trace` take their numbers from here, so an answer
//! key cannot drift from the code.
//!
//! ```
//! use attn_quiz::measure::{measure, Config, Variant};
//!
//! // The classic: N = 2 sequences of L = 5 tokens, D = 16, H = 4 heads.
//! let config = Config { batch: 2, len: 5, kv_len: 5, d_model: 16, heads: 4, kv_heads: 4, causal: false, seed: 1 };
//! let m = measure(Variant::SelfAttention, &config).unwrap();
//! assert_eq!(m.output_shape, [2, 5, 16]);
//! assert_eq!(m.weights_shape, [2, 4, 5, 5]);
//! assert_eq!(m.parameters, 4 * 16 * 16 + 4 * 16);
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq};
use crate::prelude::{Mask, Matrix};
use crate::reference::{self, luong};
use crate::sample::Sampler;
use crate::trace::{self, Step};

/// Bytes of one `f32`.
const F32_BYTES: u64 = 4;

/// The variants that can be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Scaled dot-product attention on the raw inputs (one head, no weights).
    Sdpa,
    /// Multi-head attention with separate query and key/value sequences.
    MultiHead,
    /// Multi-head self-attention.
    SelfAttention,
    /// Multi-head cross-attention (queries of length `len`, memory of length `kv_len`).
    CrossAttention,
    /// Gated multi-head self-attention.
    Gated,
    /// Grouped-query attention (`kv_heads` = 1 is multi-query).
    GroupedQuery,
    /// Additive (Bahdanau) attention with alignment width d_a = d_model.
    Additive,
    /// Luong's dot score: unscaled q·kᵀ, one head, no weights.
    LuongDot,
    /// Luong's general score q·W_a·kᵀ, with W_a of shape (D × D).
    LuongGeneral,
}

impl Variant {
    /// Whether keys and values come from the same sequence as the queries.
    pub fn is_self_attention(self) -> bool {
        matches!(self, Variant::SelfAttention | Variant::Gated)
    }

    /// Whether the variant is one attention without heads.
    pub fn is_single_head(self) -> bool {
        matches!(self, Variant::Sdpa | Variant::Additive | Variant::LuongDot | Variant::LuongGeneral)
    }
}

/// The sizes to measure at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Batch size N.
    pub batch: usize,
    /// Query length L.
    pub len: usize,
    /// Key/value length S (must equal L for self-attention variants and causal masks).
    pub kv_len: usize,
    /// Model width D.
    pub d_model: usize,
    /// Query heads H (ignored by single-head variants).
    pub heads: usize,
    /// Key/value heads G (grouped-query only; others use H).
    pub kv_heads: usize,
    /// Apply a causal mask.
    pub causal: bool,
    /// Seed of the random inputs and weights.
    pub seed: u64,
}

/// One step of the run, with its shape over the whole batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredStep {
    /// The step's name as the reference reported it ("scores", "q_heads", ...).
    pub name: &'static str,
    /// [N, rows, cols], or [N, heads, rows, cols] for a per-head step.
    pub shape: Vec<usize>,
}

/// What one run of a variant showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measurement {
    /// Every step in the order first reported.
    pub steps: Vec<MeasuredStep>,
    /// Shape of the output over the batch, [N, L, D].
    pub output_shape: Vec<usize>,
    /// Shape of the attention weights, [N, H, L, S] (single-head variants: [N, L, S]).
    pub weights_shape: Vec<usize>,
    /// Learned numbers in the weights actually built.
    pub parameters: usize,
    /// FLOPs of the score computation over the batch: 2·L·S·d_k per head for
    /// Q·Kᵀ (a multiply-add counts 2); 3·L·S·d_a for the additive score.
    pub score_flops: u64,
    /// FLOPs of weights·V over the batch: 2·L·S·d_v per head.
    pub value_flops: u64,
    /// Bytes (f32) of all attention-weight matrices of the batch.
    pub attention_bytes: u64,
    /// Bytes (f32) one token adds to the key and value cache of one layer.
    pub kv_cache_bytes_per_token: u64,
}

/// Runs `variant` on random inputs of the sizes in `config` and measures it.
///
/// # Errors
/// A [`ShapeError`] for impossible sizes: a zero size, H not dividing D, G not
/// dividing H, or a key length different from L where it must equal L.
pub fn measure(variant: Variant, config: &Config) -> Result<Measurement, ShapeError> {
    check_config(variant, config)?;
    let mut sampler = Sampler::new(config.seed);
    let mask = config.causal.then(|| reference::causal_mask(config.len));
    let run = Run::build(variant, config, &mut sampler);
    let mut outputs = Vec::with_capacity(config.batch);
    let mut steps = Vec::new();
    for _ in 0..config.batch {
        let inputs = Inputs::sample(config, &mut sampler);
        let (result, recorded) = trace::record(|| run.forward(&inputs, mask.as_ref()));
        outputs.push(result?);
        steps = recorded; // every batch element reports the same steps
    }
    Ok(summarise(config, variant, &run, &steps, &outputs))
}

/// Weights for one variant, built once and shared by the batch.
enum Run {
    Sdpa,
    MultiHead(Variant, crate::layers::MultiHeadWeights),
    Gated(crate::layers::GatedWeights),
    GroupedQuery(crate::layers::GroupedQueryWeights),
    Additive(crate::layers::AdditiveWeights),
    LuongDot,
    LuongGeneral(Matrix),
}

/// The random sequences of one batch element: queries, keys, values.
struct Inputs {
    query: Matrix,
    key: Matrix,
    value: Matrix,
}

impl Inputs {
    /// Queries (L × D), keys and values (S × D); self-attention variants use only the queries.
    fn sample(c: &Config, s: &mut Sampler) -> Inputs {
        let query = s.matrix(c.len, c.d_model);
        let (key, value) = (s.matrix(c.kv_len, c.d_model), s.matrix(c.kv_len, c.d_model));
        Inputs { query, key, value }
    }
}

/// One batch element's result: the output and its attention weights (one per head).
type Forward = (Matrix, Vec<Matrix>);

impl Run {
    fn build(variant: Variant, c: &Config, s: &mut Sampler) -> Run {
        match variant {
            Variant::Sdpa => Run::Sdpa,
            Variant::MultiHead | Variant::SelfAttention | Variant::CrossAttention => {
                Run::MultiHead(variant, s.multi_head_weights(c.d_model, c.heads))
            }
            Variant::Gated => Run::Gated(s.gated_weights(c.d_model, c.heads)),
            Variant::GroupedQuery => {
                Run::GroupedQuery(s.grouped_query_weights(c.d_model, c.heads, c.kv_heads, c.d_model / c.heads))
            }
            Variant::Additive => Run::Additive(s.additive_weights(c.d_model, c.d_model, c.d_model)),
            Variant::LuongDot => Run::LuongDot,
            Variant::LuongGeneral => Run::LuongGeneral(s.linear(c.d_model, c.d_model).weight),
        }
    }

    fn forward(&self, x: &Inputs, mask: Option<&Mask>) -> Result<Forward, ShapeError> {
        let single = |(out, w): (Matrix, Matrix)| (out, vec![w]);
        match self {
            Run::Sdpa => reference::try_scaled_dot_product_attention(&x.query, &x.key, &x.value, mask).map(single),
            Run::MultiHead(Variant::SelfAttention, w) => reference::try_self_attention(&x.query, w, mask),
            Run::MultiHead(Variant::CrossAttention, w) => reference::try_cross_attention(&x.query, &x.key, w, mask),
            Run::MultiHead(_, w) => reference::try_multi_head_attention(&x.query, &x.key, &x.value, w, mask),
            Run::Gated(w) => reference::try_gated_self_attention(&x.query, w, mask),
            Run::GroupedQuery(w) => reference::try_grouped_query_attention(&x.query, &x.key, &x.value, w, mask),
            Run::Additive(w) => reference::try_additive_attention(&x.query, &x.key, &x.value, w, mask).map(single),
            Run::LuongDot => luong::try_luong_dot_attention(&x.query, &x.key, &x.value, mask).map(single),
            Run::LuongGeneral(w_a) => {
                luong::try_luong_general_attention(&x.query, &x.key, &x.value, w_a, mask).map(single)
            }
        }
    }

    fn parameters(&self) -> usize {
        match self {
            Run::Sdpa | Run::LuongDot => 0,
            Run::MultiHead(_, w) => w.parameter_count(),
            Run::Gated(w) => w.parameter_count(),
            Run::GroupedQuery(w) => w.parameter_count(),
            Run::Additive(w) => w.parameter_count(),
            Run::LuongGeneral(w_a) => w_a.len(),
        }
    }
}

/// Turns one element's recorded steps and the batch's outputs into a [`Measurement`].
fn summarise(c: &Config, variant: Variant, run: &Run, steps: &[Step], outputs: &[Forward]) -> Measurement {
    let n = c.batch;
    let batched = batch_steps(n, steps);
    let (out, weights) = &outputs[0];
    let (l, s) = weights[0].shape();
    let weights_shape = if !variant.is_single_head() { vec![n, weights.len(), l, s] } else { vec![n, l, s] };
    // Per-head widths, read off the trace: the query side of the scores and the weighted values.
    let d_k = width_of(steps, "q_heads").or_else(|| width_of(steps, "q_projected")).unwrap_or(c.d_model);
    let d_v = width_of(steps, "weighted_values").unwrap_or(c.d_model);
    let pairs = count_of(steps, "scores") as u64 * (l * s) as u64 * n as u64;
    let score_flops = if variant == Variant::Additive { 3 * pairs * d_k as u64 } else { 2 * pairs * d_k as u64 };
    // Keys and values a token leaves in the cache: their projected widths, or the raw (D-wide) inputs.
    let k_width = width_of(steps, "k_projected").unwrap_or(c.d_model);
    let v_width = width_of(steps, "v_projected").unwrap_or(c.d_model);
    Measurement {
        steps: batched,
        output_shape: vec![n, out.nrows(), out.ncols()],
        weights_shape,
        parameters: run.parameters(),
        score_flops,
        value_flops: 2 * pairs * d_v as u64,
        attention_bytes: outputs.iter().flat_map(|(_, w)| w).map(|w| w.len() as u64 * F32_BYTES).sum(),
        kv_cache_bytes_per_token: (k_width + v_width) as u64 * F32_BYTES,
    }
}

/// Groups the steps of one batch element by name, in order of first appearance,
/// and gives each its batched shape.
fn batch_steps(n: usize, steps: &[Step]) -> Vec<MeasuredStep> {
    let mut names: Vec<&'static str> = Vec::new();
    for step in steps {
        if !names.contains(&step.name) {
            names.push(step.name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let first = steps.iter().find(|s| s.name == name).expect("name taken from the steps");
            let (rows, cols) = first.shape;
            let shape = match first.head {
                Some(_) => vec![n, count_of(steps, name), rows, cols],
                None => vec![n, rows, cols],
            };
            MeasuredStep { name, shape }
        })
        .collect()
}

/// How many times a step was reported (once per head for per-head steps).
fn count_of(steps: &[Step], name: &str) -> usize {
    steps.iter().filter(|s| s.name == name).count()
}

/// Columns of the first step called `name`, if any.
fn width_of(steps: &[Step], name: &str) -> Option<usize> {
    steps.iter().find(|s| s.name == name).map(|s| s.shape.1)
}

/// Rejects sizes the variant cannot run with.
fn check_config(variant: Variant, c: &Config) -> Result<(), ShapeError> {
    for (what, size) in [("batch size", c.batch), ("len", c.len), ("kv_len", c.kv_len), ("d_model", c.d_model)] {
        if size == 0 {
            return Err(ShapeError::Zero { what });
        }
    }
    if variant.is_self_attention() {
        expect_eq("kv_len of a self-attention variant (must equal len)", c.len, c.kv_len)?;
    }
    if c.causal {
        expect_eq("kv_len with a causal mask (must equal len)", c.len, c.kv_len)?;
    }
    if variant.is_single_head() {
        return Ok(());
    }
    expect_divisible("d_model", c.d_model, c.heads)?;
    if variant == Variant::GroupedQuery {
        if c.kv_heads == 0 {
            return Err(ShapeError::Zero { what: "num_kv_heads" });
        }
        if !c.heads.is_multiple_of(c.kv_heads) {
            return Err(ShapeError::KvHeadsDoNotDivide { heads: c.heads, kv_heads: c.kv_heads });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(heads: usize, kv_heads: usize) -> Config {
        Config { batch: 2, len: 5, kv_len: 5, d_model: 16, heads, kv_heads, causal: false, seed: 3 }
    }

    #[test]
    fn multi_head_steps_and_costs() {
        let m = measure(Variant::MultiHead, &config(4, 4)).unwrap();
        let shape_of = |name| m.steps.iter().find(|s| s.name == name).unwrap().shape.clone();
        assert_eq!(shape_of("q_projected"), [2, 5, 16]);
        assert_eq!(shape_of("q_heads"), [2, 4, 5, 4]);
        assert_eq!(shape_of("scores"), [2, 4, 5, 5]);
        assert_eq!(shape_of("merged"), [2, 5, 16]);
        // Q·Kᵀ: 2 (batch) · 4 (heads) · 5·5 (pairs) · 4 (d_k) multiply-adds, 2 FLOPs each.
        assert_eq!(m.score_flops, 2 * 2 * 4 * 25 * 4);
        // 2 · 4 heads · 5·5 f32 weights.
        assert_eq!(m.attention_bytes, 2 * 4 * 25 * 4);
        assert_eq!(m.kv_cache_bytes_per_token, 2 * 16 * 4);
    }

    #[test]
    fn grouped_query_shrinks_the_cache() {
        let m = measure(Variant::GroupedQuery, &Config { d_model: 64, heads: 8, kv_heads: 2, ..config(8, 2) }).unwrap();
        // K and V: 2 KV heads of d_k = 8, 4 bytes each.
        assert_eq!(m.kv_cache_bytes_per_token, 2 * 2 * 8 * 4);
        // q, o: 64·64 + 64 each; k, v: 64·16 + 16 each.
        assert_eq!(m.parameters, 2 * 4160 + 2 * 1040);
        assert_eq!(m.weights_shape, [2, 8, 5, 5]);
    }

    #[test]
    fn impossible_configs_are_errors() {
        assert!(matches!(measure(Variant::MultiHead, &config(3, 3)), Err(ShapeError::HeadsDoNotDivide { .. })));
        assert!(matches!(measure(Variant::GroupedQuery, &config(4, 3)), Err(ShapeError::KvHeadsDoNotDivide { .. })));
        let ragged = Config { kv_len: 7, ..config(4, 4) };
        assert!(measure(Variant::SelfAttention, &ragged).is_err());
        assert_eq!(measure(Variant::CrossAttention, &ragged).unwrap().weights_shape, [2, 4, 5, 7]);
    }
}
