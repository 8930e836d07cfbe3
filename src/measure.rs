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
//! let config = Config { batch: 2, len: 5, kv_len: 5, d_model: 16, heads: 4, kv_heads: 4, ..Config::default() };
//! let m = measure(Variant::SelfAttention, &config).unwrap();
//! assert_eq!(m.output_shape, [2, 5, 16]);
//! assert_eq!(m.weights_shape, [2, 4, 5, 5]);
//! assert_eq!(m.parameters, 4 * 16 * 16 + 4 * 16);
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq};
use crate::layers::{GroupedQueryWeights, KvCache, MlaCache, MlaWeights, MultiHeadWeights, Rope, RopeStyle};
use crate::prelude::{Mask, Matrix};
use crate::reference::decoder::{DecoderAttention, try_decoder_attention_step};
use crate::reference::differential::{DifferentialWeights, try_differential_attention};
use crate::reference::kv_cache::empty_cache;
use crate::reference::mla::{empty_mla_cache, try_mla_decode_step};
use crate::reference::mla_absorbed::try_mla_decode_step_absorbed;
use crate::reference::sinusoidal::try_sinusoidal_positions;
use crate::reference::{self, luong};
use crate::sample::{MlaSizes, Sampler};
use crate::trace::{self, Reading, Step};

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
    /// Causal multi-head self-attention with RoPE on q and k: one call of the
    /// KV-cache step on an empty cache, with G = H.
    Rope,
    /// Grouped-query decoding over a KV cache with RoPE: a prefill of `prefill`
    /// tokens, then the other `len − prefill` tokens one call each.
    KvCache,
    /// Grouped-query self-attention under a sliding-window mask of `window` keys.
    SlidingWindow,
    /// One head of attention with a learned sink logit (gpt-oss), on the raw inputs.
    Sinks,
    /// A gpt-oss-style decoder layer: GQA, RoPE, a window of `window` keys and a
    /// sink per head, called as [`Variant::KvCache`] is.
    Decoder,
    /// Flash attention (FA-2 order) on the raw inputs, in `block_q × block_k` tiles.
    Flash,
    /// Causal multi-head self-attention with ALiBi's distance biases (slopes for H heads).
    Alibi,
    /// Multi-head self-attention over x + PE, the sinusoidal position encodings added to the input.
    Sinusoidal,
    /// Multi-head latent attention decoding over its latent cache (latent width `latent`,
    /// rotary width `rope_dim`, per-head widths D/H), called as [`Variant::KvCache`] is;
    /// the absorbed form if `absorbed`.
    Mla,
    /// Causal linear attention (φ = elu + 1) of one head on the raw inputs: a fixed state, no weights.
    LinearAttention,
    /// Differential attention: H heads of two D/(2H)-wide halves, values D/H wide, λ_init of depth 0.
    Differential,
}

impl Variant {
    /// Whether keys and values come from the same sequence as the queries.
    pub fn is_self_attention(self) -> bool {
        matches!(
            self,
            Variant::SelfAttention
                | Variant::Gated
                | Variant::Rope
                | Variant::KvCache
                | Variant::SlidingWindow
                | Variant::Decoder
                | Variant::Alibi
                | Variant::Sinusoidal
                | Variant::Mla
                | Variant::Differential
        )
    }

    /// Whether the variant is one attention without heads.
    pub fn is_single_head(self) -> bool {
        matches!(
            self,
            Variant::Sdpa
                | Variant::Additive
                | Variant::LuongDot
                | Variant::LuongGeneral
                | Variant::Sinks
                | Variant::Flash
                | Variant::LinearAttention
        )
    }

    /// Whether the variant decodes over a KV cache in several calls (a prefill, then one token per call).
    pub fn uses_cache(self) -> bool {
        matches!(self, Variant::KvCache | Variant::Decoder | Variant::Mla)
    }

    /// Whether the variant has a sliding window of `window` keys.
    pub fn has_window(self) -> bool {
        matches!(self, Variant::SlidingWindow | Variant::Decoder)
    }

    /// Whether the variant is causal by construction (no `causal` choice).
    pub fn is_always_causal(self) -> bool {
        matches!(
            self,
            Variant::Rope
                | Variant::KvCache
                | Variant::SlidingWindow
                | Variant::Decoder
                | Variant::Alibi
                | Variant::Mla
                | Variant::LinearAttention
        )
    }

    /// Whether a causal mask may have fewer queries than keys (aligned bottom-right).
    fn allows_aligned_causal(self) -> bool {
        matches!(self, Variant::Sinks | Variant::Flash)
    }
}

/// The sizes to measure at.
///
/// The default is one sequence of one token of width 1 with one head, a window
/// and blocks of 1 and a one-token prefill: a base to fill in with `..`.
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
    /// Sliding window W, keys each query sees (sliding_window and decoder only).
    pub window: usize,
    /// Tokens of the first call (KV-cache variants only; the rest are decoded one per call).
    pub prefill: usize,
    /// Query block size (flash only).
    pub block_q: usize,
    /// Key block size (flash only).
    pub block_k: usize,
    /// Latent width d_c (mla only).
    pub latent: usize,
    /// Rotary width d_r of each query head and of the shared key, even (mla only).
    pub rope_dim: usize,
    /// Run MLA in its absorbed form (mla only).
    pub absorbed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            batch: 1,
            len: 1,
            kv_len: 1,
            d_model: 1,
            heads: 1,
            kv_heads: 1,
            causal: false,
            seed: 0,
            window: 1,
            prefill: 1,
            block_q: 1,
            block_k: 1,
            latent: 1,
            rope_dim: 2,
            absorbed: false,
        }
    }
}

/// One step of the run, with its shape over the whole batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredStep {
    /// The step's name as the reference reported it ("scores", "q_heads", ...).
    pub name: &'static str,
    /// [N, rows, cols], or [N, heads, rows, cols] for a per-head step.
    pub shape: Vec<usize>,
    /// How many times the step was reported with this shape in one call, outside
    /// the heads (1 for most steps; the tiles of flash attention repeat).
    pub repeats: usize,
    /// The call it belongs to: an index into [`Measurement::calls`] (0 for one-call variants).
    pub call: usize,
}

/// One call of a KV-cache variant: which tokens it brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// Position of its first token (the cache rows before the call).
    pub start: usize,
    /// Tokens in the call.
    pub tokens: usize,
}

/// What one run of a variant showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Every step in the order first reported, call after call.
    pub steps: Vec<MeasuredStep>,
    /// The calls, in order (one call for variants without a cache).
    pub calls: Vec<Call>,
    /// Shape of the output over the batch, [N, L, D] (all calls' rows together).
    pub output_shape: Vec<usize>,
    /// Shape of the attention weights, [N, H, L, S] (single-head variants: [N, L, S];
    /// KV-cache variants: the last call's; flash: its log-sum-exp, [N, L]).
    pub weights_shape: Vec<usize>,
    /// Learned numbers in the weights actually built.
    pub parameters: usize,
    /// FLOPs of the score computation over the batch: 2·L·S·d_k per head for
    /// Q·Kᵀ (a multiply-add counts 2); 3·L·S·d_a for the additive score.
    pub score_flops: u64,
    /// FLOPs of weights·V over the batch: 2·L·S·d_v per head.
    pub value_flops: u64,
    /// Bytes (f32) of all attention-weight matrices of the batch (every call).
    pub attention_bytes: u64,
    /// Bytes (f32) of the largest matrix of scores held at once: a head's whole
    /// (L × S) scores, or one tile of flash attention.
    pub largest_scores_bytes: u64,
    /// Bytes (f32) one token adds to the key and value cache of one layer
    /// (MLA: its latent and rotary key; linear attention: 0, see `state_bytes`).
    pub kv_cache_bytes_per_token: u64,
    /// The attention weights of the first batch element's last call, one
    /// matrix per head (none for flash, which keeps no weights).
    pub weights: Vec<Matrix>,
    /// Bytes (f32) of a fixed-size state that replaces the cache, whatever the
    /// length (linear attention: S and z, d_k·(d_v + 1) numbers); 0 for the others.
    pub state_bytes: u64,
    /// The numbers the reference reported with [`trace::values`] while it ran
    /// the first batch element, every call in order (RoPE's frequencies, flash
    /// attention's running statistics per tile; empty for most variants).
    pub readings: Vec<Reading>,
}

/// Runs `variant` on random inputs of the sizes in `config` and measures it.
///
/// # Errors
/// A [`ShapeError`] for impossible sizes: a zero size, H not dividing D, G not
/// dividing H, or a key length different from L where it must equal L.
pub fn measure(variant: Variant, config: &Config) -> Result<Measurement, ShapeError> {
    check_config(variant, config)?;
    let mut sampler = Sampler::new(config.seed);
    let mask = config.causal.then(|| reference::aligned_causal_mask(config.len, config.kv_len));
    let run = Run::build(variant, config, &mut sampler);
    let calls = calls_of(variant, config);
    let mut outputs = Vec::with_capacity(config.batch);
    let mut steps = Vec::new();
    let mut readings = Vec::new();
    for element_index in 0..config.batch {
        let inputs = Inputs::sample(config, &mut sampler);
        let mut cache = run.empty_cache();
        let mut element = Vec::with_capacity(calls.len());
        steps.clear(); // every batch element reports the same steps
        for call in &calls {
            let (result, recorded, numbers) =
                trace::record_with_values(|| run.forward(&inputs, mask.as_ref(), call, cache.as_mut()));
            element.push(result?);
            steps.push(recorded);
            if element_index == 0 {
                readings.extend(numbers);
            }
        }
        outputs.push(element);
    }
    Ok(Measurement { readings, ..summarise(config, variant, &run, &calls, &steps, &outputs) })
}

/// The calls a variant is run in: one for all tokens, or a prefill and then
/// one call per token for the KV-cache variants.
fn calls_of(variant: Variant, c: &Config) -> Vec<Call> {
    if !variant.uses_cache() {
        return vec![Call { start: 0, tokens: c.len }];
    }
    let decode = (c.prefill..c.len).map(|start| Call { start, tokens: 1 });
    std::iter::once(Call { start: 0, tokens: c.prefill }).chain(decode).collect()
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
    Rope(GroupedQueryWeights),
    KvCache(GroupedQueryWeights),
    SlidingWindow(GroupedQueryWeights, Mask),
    Sinks(f32),
    Decoder(DecoderAttention),
    Flash { causal: bool, block_q: usize, block_k: usize },
    Alibi(MultiHeadWeights),
    Sinusoidal(MultiHeadWeights),
    Mla { weights: MlaWeights, absorbed: bool },
    LinearAttention,
    Differential(DifferentialWeights),
}

/// The cache of a variant that decodes over one.
enum Cache {
    /// Keys and values (kv_cache, decoder).
    Kv(KvCache),
    /// Latents and rotary keys (mla).
    Latent(MlaCache),
}

/// The rotary embedding the RoPE variants are run with (Llama's base, Hugging Face's pairing).
pub const ROPE: Rope = Rope { base: 10000.0, style: RopeStyle::HalfSplit };

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
            Variant::Rope => Run::Rope(s.grouped_query_weights(c.d_model, c.heads, c.heads, c.d_model / c.heads)),
            Variant::KvCache => {
                Run::KvCache(s.grouped_query_weights(c.d_model, c.heads, c.kv_heads, c.d_model / c.heads))
            }
            Variant::SlidingWindow => Run::SlidingWindow(
                s.grouped_query_weights(c.d_model, c.heads, c.kv_heads, c.d_model / c.heads),
                reference::sliding_window_mask(c.len, c.len, c.window),
            ),
            Variant::Sinks => Run::Sinks(s.row(1)[0]),
            Variant::Decoder => Run::Decoder(DecoderAttention {
                attn: s.grouped_query_weights(c.d_model, c.heads, c.kv_heads, c.d_model / c.heads),
                sinks: s.row(c.heads).iter().copied().collect(),
                rope: ROPE,
                window: Some(c.window),
            }),
            Variant::Flash => Run::Flash { causal: c.causal, block_q: c.block_q, block_k: c.block_k },
            Variant::Alibi => Run::Alibi(s.multi_head_weights(c.d_model, c.heads)),
            Variant::Sinusoidal => Run::Sinusoidal(s.multi_head_weights(c.d_model, c.heads)),
            Variant::Mla => {
                let d_h = c.d_model / c.heads;
                let sizes = MlaSizes { d_c: c.latent, d_n: d_h, d_r: c.rope_dim, d_v: d_h };
                Run::Mla { weights: s.mla_weights(c.d_model, c.heads, sizes), absorbed: c.absorbed }
            }
            Variant::LinearAttention => Run::LinearAttention,
            Variant::Differential => {
                Run::Differential(s.differential_weights(c.d_model, c.heads, c.d_model / (2 * c.heads), 0))
            }
        }
    }

    /// A fresh, empty cache for the variants that decode over one.
    fn empty_cache(&self) -> Option<Cache> {
        match self {
            Run::Rope(w) | Run::KvCache(w) => Some(Cache::Kv(empty_cache(w))),
            Run::Decoder(layer) => Some(Cache::Kv(empty_cache(&layer.attn))),
            Run::Mla { weights, .. } => Some(Cache::Latent(empty_mla_cache(weights))),
            _ => None,
        }
    }

    /// One call: all tokens, or (KV-cache variants) the tokens of `call` over `cache`.
    fn forward(
        &self,
        x: &Inputs,
        mask: Option<&Mask>,
        call: &Call,
        cache: Option<&mut Cache>,
    ) -> Result<Forward, ShapeError> {
        let single = |(out, w): (Matrix, Matrix)| (out, vec![w]);
        let tokens = || x.query.rows(call.start, call.tokens).into_owned(); // (tokens, D)
        match self {
            Run::Rope(w) | Run::KvCache(w) => reference::try_decode_step(&tokens(), kv(cache), w, Some(&ROPE)),
            Run::Decoder(layer) => try_decoder_attention_step(&tokens(), kv(cache), layer),
            Run::Mla { weights, absorbed } => {
                let Some(Cache::Latent(cache)) = cache else { unreachable!("mla has a latent cache") };
                let step = if *absorbed { try_mla_decode_step_absorbed } else { try_mla_decode_step };
                let result = step(&tokens(), cache, weights, &ROPE)?;
                // What the cache holds after the call (the reference reports only the new rows).
                trace::step("cached_latent", &cache.latent);
                trace::step("cached_rope_keys", &cache.rope_keys);
                Ok(result)
            }
            Run::Alibi(w) => reference::try_alibi_self_attention(&x.query, w),
            Run::Sinusoidal(w) => {
                let positions = try_sinusoidal_positions(x.query.nrows(), x.query.ncols())?; // (L, D)
                reference::try_self_attention(&(&x.query + positions), w, mask)
            }
            Run::LinearAttention => {
                reference::try_linear_attention(&x.query, &x.key, &x.value, true).map(|out| (out, Vec::new()))
            }
            Run::Differential(w) => try_differential_attention(&x.query, w, mask),
            Run::SlidingWindow(w, window) => {
                reference::try_grouped_query_attention(&x.query, &x.query, &x.query, w, Some(window))
            }
            Run::Sinks(sink) => reference::try_attention_with_sink(&x.query, &x.key, &x.value, *sink, mask).map(single),
            Run::Flash { causal, block_q, block_k } => {
                reference::try_flash_attention(&x.query, &x.key, &x.value, *causal, *block_q, *block_k)
                    .map(|(out, _lse)| (out, Vec::new()))
            }
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
            Run::Rope(w) | Run::KvCache(w) | Run::SlidingWindow(w, _) => w.parameter_count(),
            Run::Sinks(_) => 1,
            Run::Decoder(layer) => layer.attn.parameter_count() + layer.sinks.len(),
            Run::Flash { .. } | Run::LinearAttention => 0,
            Run::Alibi(w) | Run::Sinusoidal(w) => w.parameter_count(),
            Run::Mla { weights: w, .. } => {
                w.q.parameter_count()
                    + w.kv_down.parameter_count()
                    + w.kv_norm.len()
                    + w.k_up.len()
                    + w.v_up.len()
                    + w.o.parameter_count()
            }
            Run::Differential(w) => {
                let lambdas = [&w.lambda_q1, &w.lambda_k1, &w.lambda_q2, &w.lambda_k2];
                w.attn.parameter_count() + lambdas.iter().map(|l| l.len()).sum::<usize>() + w.norm.len()
            }
        }
    }
}

/// The key/value cache of a KV-cache variant.
fn kv(cache: Option<&mut Cache>) -> &mut KvCache {
    match cache {
        Some(Cache::Kv(cache)) => cache,
        _ => unreachable!("a KV-cache variant has a KV cache"),
    }
}

/// Turns one element's recorded steps (per call) and the batch's outputs into a [`Measurement`].
fn summarise(
    c: &Config,
    variant: Variant,
    run: &Run,
    calls: &[Call],
    steps: &[Vec<Step>],
    outputs: &[Vec<Forward>],
) -> Measurement {
    let n = c.batch;
    let batched = steps.iter().enumerate().flat_map(|(call, steps)| batch_steps(n, call, steps)).collect();
    let all_steps: Vec<&Step> = steps.iter().flatten().collect();
    let first = |name| all_steps.iter().find(|s| s.name == name).map(|s| s.shape.1);
    let element = &outputs[0];
    let (last_out, last_weights) = element.last().expect("at least one call");
    let output_rows: usize = element.iter().map(|(out, _)| out.nrows()).sum();
    // Linear attention's state S (d_k × d_v), the one matrix it keeps instead of weights.
    let state = all_steps.iter().find(|s| s.name == "state").map(|s| s.shape);
    let weights_shape = match (last_weights.first(), state) {
        (None, Some((d_k, d_v))) => vec![n, d_k, d_v], // linear attention: the final state
        (None, None) => vec![n, output_rows],          // flash: one log-sum-exp per query
        (Some(w), _) if !variant.is_single_head() => vec![n, last_weights.len(), w.nrows(), w.ncols()],
        (Some(w), _) => vec![n, w.nrows(), w.ncols()],
    };
    // Per-head widths, read off the trace: the query side of the scores and the weighted values.
    let rotary = first("rope_key").unwrap_or(0);
    let d_k = match variant {
        // The scores' width: d_n + d_r per head, or d_c + d_r once W_UK is absorbed into the query.
        Variant::Mla => first("q_latent").or_else(|| first("k_heads").map(|w| w - rotary)).unwrap_or(0) + rotary,
        Variant::Alibi => c.d_model / c.heads, // its heads are not reported, only their biased scores
        Variant::Differential => c.d_model / (2 * c.heads), // each map scores one half of the head
        _ => first("q_heads").or_else(|| first("q_projected")).unwrap_or(c.d_model),
    };
    let d_v = first("weighted_values").unwrap_or(c.d_model);
    // Every (query, key) score computed, over all heads, calls and tiles.
    let score_matrices = all_steps.iter().filter(|s| matches!(s.name, "scores" | "score_tile" | "biased_scores"));
    let pairs = score_matrices.clone().map(|s| (s.shape.0 * s.shape.1) as u64).sum::<u64>() * n as u64;
    let largest_scores = score_matrices.map(|s| (s.shape.0 * s.shape.1) as u64).max().unwrap_or(0);
    let (score_flops, value_flops) = match (variant, state) {
        // Linear attention: 2·d_k·d_v per key to build S, and per query to read it.
        (Variant::LinearAttention, Some((d_k, d_v))) => {
            let per_row = 2 * (d_k * d_v) as u64 * n as u64;
            (per_row * c.kv_len as u64, per_row * c.len as u64)
        }
        (Variant::Additive, _) => (3 * pairs * d_k as u64, 2 * pairs * d_v as u64),
        _ => (2 * pairs * d_k as u64, 2 * pairs * d_v as u64),
    };
    // What a token leaves in the cache: MLA its latent and rotary key; the others their projected
    // keys and values, or the raw (D-wide) inputs; linear attention nothing (a fixed state instead).
    let cached_numbers = match (variant, state) {
        (Variant::Mla, _) => first("latent").unwrap_or(0) + rotary,
        (_, Some(_)) => 0,
        _ => first("k_projected").unwrap_or(c.d_model) + first("v_projected").unwrap_or(c.d_model),
    };
    let state_numbers = state.map_or(0, |(d_k, d_v)| d_k * d_v + d_k); // S and z
    let weights_bytes = outputs.iter().flatten().flat_map(|(_, w)| w).map(|w| w.len() as u64 * F32_BYTES).sum();
    Measurement {
        steps: batched,
        calls: calls.to_vec(),
        output_shape: vec![n, output_rows, last_out.ncols()],
        weights_shape,
        parameters: run.parameters(),
        score_flops,
        value_flops,
        attention_bytes: weights_bytes,
        largest_scores_bytes: largest_scores * F32_BYTES,
        kv_cache_bytes_per_token: cached_numbers as u64 * F32_BYTES,
        state_bytes: state_numbers as u64 * F32_BYTES,
        weights: last_weights.clone(),
        readings: Vec::new(),
    }
}

/// Groups the steps of one call of one batch element and gives each group its
/// batched shape: per-head steps are grouped by name and shape over the whole
/// call and count their heads; other steps are grouped only when the same step
/// is reported again right after itself (flash's tiles), and count their repeats.
fn batch_steps(n: usize, call: usize, steps: &[Step]) -> Vec<MeasuredStep> {
    let mut groups: Vec<(&Step, usize)> = Vec::new();
    for step in steps {
        let same = |g: &(&Step, usize)| g.0.name == step.name && g.0.shape == step.shape;
        let group = match step.head {
            Some(_) => groups.iter_mut().find(|g| g.0.head.is_some() && same(g)),
            None => groups.last_mut().filter(|g| g.0.head.is_none() && same(g)),
        };
        match group {
            Some(group) => group.1 += 1,
            None => groups.push((step, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(step, count)| {
            let (rows, cols) = step.shape;
            let (shape, repeats) = match step.head {
                Some(_) => (vec![n, count, rows, cols], 1),
                None => (vec![n, rows, cols], count),
            };
            MeasuredStep { name: step.name, shape, repeats, call }
        })
        .collect()
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
    if c.causal && variant.allows_aligned_causal() {
        if c.len > c.kv_len {
            return Err(ShapeError::CausalNeedsMoreKeys { queries: c.len, keys: c.kv_len });
        }
    } else if c.causal {
        expect_eq("kv_len with a causal mask (must equal len)", c.len, c.kv_len)?;
    }
    if variant.has_window() && c.window == 0 {
        return Err(ShapeError::Zero { what: "window" });
    }
    if variant.uses_cache() {
        if c.prefill == 0 {
            return Err(ShapeError::Zero { what: "prefill" });
        }
        if c.prefill > c.len {
            return Err(ShapeError::Mismatch { what: "prefill (at most len)", expected: c.len, got: c.prefill });
        }
    }
    if variant == Variant::LinearAttention && c.len > c.kv_len {
        return Err(ShapeError::CausalNeedsMoreKeys { queries: c.len, keys: c.kv_len });
    }
    if variant == Variant::Sinusoidal {
        expect_eq("d_model mod 2 (sin/cos pairs need an even width)", 0, c.d_model % 2)?;
    }
    if variant.is_single_head() {
        return Ok(());
    }
    expect_divisible("d_model", c.d_model, c.heads)?;
    if variant == Variant::Differential {
        expect_eq("d_model mod 2·H (each head splits its width into two halves)", 0, c.d_model % (2 * c.heads))?;
    }
    if variant == Variant::Mla {
        if c.latent == 0 {
            return Err(ShapeError::Zero { what: "latent width d_c" });
        }
        if c.rope_dim == 0 {
            return Err(ShapeError::Zero { what: "rotary width d_r" });
        }
        expect_eq("rope_dim mod 2 (RoPE turns pairs of columns)", 0, c.rope_dim % 2)?;
    }
    if matches!(variant, Variant::GroupedQuery | Variant::KvCache | Variant::SlidingWindow | Variant::Decoder) {
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
        Config { batch: 2, len: 5, kv_len: 5, d_model: 16, heads, kv_heads, seed: 3, ..Config::default() }
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
