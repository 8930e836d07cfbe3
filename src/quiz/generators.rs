//! Generated questions: fresh sizes every time, answers measured on the reference.
//!
//! Each generator draws sizes (batch N, lengths L and S, width D, heads H,
//! key/value heads G, ...) from the session's seeded random generator, then
//! runs or inspects the reference to get the answer: shapes and costs from
//! [`measure`](crate::measure::measure), parameter counts from the weights it
//! builds, mask counts from [`causal_mask`](crate::reference::causal_mask).
//! No answer is computed from a formula written next to the question; the
//! formulas appear only in the explanations, with the drawn sizes filled in.
//!
//! A generator's id (`gen.kv-cache-bytes`) is stable, so progress is tracked per
//! generator: a missed one comes back sooner, with new sizes.

use super::asked::{number, shape_text};
use super::question::{Kind, Question};
use super::topic::{self, Topic};
use crate::error::ShapeError;
use crate::layers::{Rope, RopeStyle};
use crate::measure::{Config, Measurement, Variant};
use crate::prelude::Matrix;
use crate::reference::mla::empty_mla_cache;
use crate::reference::{self, alibi, kv_cache, rope, sinusoidal, sliding_window};
use crate::sample::{MlaSizes, Sampler};
use crate::trace;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

/// A kind of generated question.
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    /// Stable id, `gen.<name>`; progress is kept under it.
    pub id: &'static str,
    /// The topic its questions belong to.
    pub topic: &'static Topic,
    /// The reference item that teaches it.
    pub reference: &'static str,
    /// The hint shown on `h`.
    pub hint: &'static str,
    /// Draws sizes and builds (prompt, explanation, kind with the measured answer).
    make: fn(&mut Draw) -> Result<Made, GeneratorError>,
}

/// What a generator's `make` returns: the prompt, the explanation and the answer.
type Made = (String, String, Kind);

/// A generator could not measure its answer: a bug, in the generator or the reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    /// The reference rejected the drawn sizes.
    #[error("the reference rejected the drawn sizes: {0}")]
    Shape(#[from] ShapeError),
    /// The traced run reported no step of this name.
    #[error("the reference reported no step `{0}`")]
    MissingStep(&'static str),
}

/// A generated question with the sizes it was drawn with.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The question, id and topic those of its generator.
    pub question: Question,
    /// The drawn sizes by the names the prompt uses ("N", "L", "D", "H", ...).
    pub sizes: Vec<(&'static str, usize)>,
}

impl Generated {
    /// The drawn size called `name`, if the generator drew one.
    pub fn size(&self, name: &str) -> Option<usize> {
        self.sizes.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }
}

impl Generator {
    /// A fresh question with sizes drawn from `rng`.
    ///
    /// # Errors
    /// Only if the answer cannot be measured, which would be a bug.
    pub fn generate(&self, rng: &mut StdRng) -> Result<Generated, GeneratorError> {
        let mut draw = Draw { rng, sizes: Vec::new() };
        let (prompt, explanation, kind) = (self.make)(&mut draw)?;
        let question = Question {
            id: self.id.to_string(),
            topic: self.topic,
            prompt,
            hint: self.hint.to_string(),
            explanation,
            reference: self.reference.to_string(),
            kind,
        };
        Ok(Generated { question, sizes: draw.sizes })
    }

    /// Whether its questions are answered with a shape (a generator always
    /// asks the same kind of question, whatever the sizes).
    pub fn answers_with_shape(&self) -> bool {
        use rand::SeedableRng;
        // Measured once per process: one draw of each generator.
        static SHAPE_GENERATORS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        let ids = SHAPE_GENERATORS.get_or_init(|| {
            GENERATORS
                .iter()
                .filter(|g| {
                    g.generate(&mut StdRng::seed_from_u64(0))
                        .is_ok_and(|made| matches!(made.question.kind, Kind::Shape { .. }))
                })
                .map(|g| g.id)
                .collect()
        });
        ids.contains(&self.id)
    }
}

/// Draws sizes and remembers them by name.
pub struct Draw<'r> {
    rng: &'r mut StdRng,
    sizes: Vec<(&'static str, usize)>,
}

impl Draw<'_> {
    /// One of `options`, remembered as `name`.
    fn size(&mut self, name: &'static str, options: &[usize]) -> usize {
        let value = *options.choose(self.rng).expect("generators draw from non-empty lists");
        self.sizes.push((name, value));
        value
    }

    /// A number of key/value heads for `heads` query heads: a divisor of H below H.
    fn kv_heads(&mut self, heads: usize) -> usize {
        let divisors: Vec<usize> = (1..heads).filter(|g| heads.is_multiple_of(*g)).collect();
        self.size("G", &divisors)
    }

    /// N sequences of L tokens of width D through H heads, small enough to run at once.
    fn layer(&mut self) -> Sizes {
        let (batch, len) = (self.size("N", &BATCHES), self.size("L", &LENGTHS));
        let (d_model, heads) = (self.size("D", &WIDTHS), self.size("H", &HEADS));
        Sizes { batch, len, kv_len: len, d_model, heads, kv_heads: heads }
    }

    /// A width D and H heads for a question about the weights alone (one token is run).
    fn weights(&mut self) -> Sizes {
        let (d_model, heads) = (self.size("D", &WIDE), self.size("H", &HEADS));
        Sizes { batch: 1, len: 1, kv_len: 1, d_model, heads, kv_heads: heads }
    }

    /// Runs `variant` at `sizes` on fresh random inputs and measures it.
    fn measure(&mut self, variant: Variant, sizes: Sizes) -> Result<Measurement, ShapeError> {
        let Sizes { batch, len, kv_len, d_model, heads, kv_heads } = sizes;
        let seed = self.rng.random();
        crate::measure::measure(
            variant,
            &Config { batch, len, kv_len, d_model, heads, kv_heads, seed, ..Config::default() },
        )
    }
}

/// The sizes of one measurement.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    batch: usize,
    len: usize,
    kv_len: usize,
    d_model: usize,
    heads: usize,
    kv_heads: usize,
}

impl Sizes {
    /// The per-head width d_k = D/H, for explanations.
    fn d_k(&self) -> usize {
        self.d_model / self.heads
    }
}

// The sizes drawn. Questions that run the whole layer keep N·L·D² small enough
// to answer at once, even in a debug build; questions about the weights alone go wider.
/// Batch sizes.
const BATCHES: [usize; 4] = [1, 2, 3, 4];
/// Sequence lengths.
const LENGTHS: [usize; 6] = [4, 6, 8, 10, 16, 32];
/// Model widths of questions that run the layer.
const WIDTHS: [usize; 3] = [32, 64, 128];
/// Model widths of questions about the weights alone.
const WIDE: [usize; 4] = [64, 128, 256, 512];
/// Query head counts (each divides every width).
const HEADS: [usize; 4] = [2, 4, 8, 16];

/// Every generator.
pub const GENERATORS: &[Generator] = &[
    Generator {
        id: "gen.mha-weights-shape",
        topic: &topic::SHAPES,
        reference: "reference::batched::batched_self_attention",
        hint: "One L×L matrix of weights per head, per sequence; the head width d_k does not appear.",
        make: mha_weights_shape,
    },
    Generator {
        id: "gen.head-split-shape",
        topic: &topic::MULTI_HEAD,
        reference: "reference::heads::split_heads",
        hint: "Splitting keeps the total width: H heads of d_k = D/H columns each.",
        make: head_split_shape,
    },
    Generator {
        id: "gen.cross-attention-weights-shape",
        topic: &topic::SELF_CROSS,
        reference: "reference::cross_attention::cross_attention",
        hint: "Rows of the weights are queries (from x), columns are keys (from the memory).",
        make: cross_attention_weights_shape,
    },
    Generator {
        id: "gen.gqa-key-shape",
        topic: &topic::GQA_KV_CACHE,
        reference: "reference::gqa::grouped_query_attention",
        hint: "The key projection makes only G heads, each d_k = D/H wide.",
        make: gqa_key_shape,
    },
    Generator {
        id: "gen.mha-parameters",
        topic: &topic::MULTI_HEAD,
        reference: "layers::MultiHeadWeights",
        hint: "Four D×D projections, each with a bias. Does H change anything?",
        make: mha_parameters,
    },
    Generator {
        id: "gen.gqa-parameters",
        topic: &topic::GQA_KV_CACHE,
        reference: "layers::GroupedQueryWeights",
        hint: "Q and O are as in multi-head attention; K and V project to G heads of d_k = D/H.",
        make: gqa_parameters,
    },
    Generator {
        id: "gen.gate-parameters",
        topic: &topic::GATED,
        reference: "reference::gated::gated_self_attention",
        hint: "The gate is one more linear layer, from x (width D) to the concatenated heads (width D).",
        make: gate_parameters,
    },
    Generator {
        id: "gen.score-flops",
        topic: &topic::COMPLEXITY,
        reference: "reference::sdpa::scaled_dot_product_attention",
        hint: "Per head and sequence: L·L dot products of length d_k, 2 FLOPs per multiply-add.",
        make: score_flops,
    },
    Generator {
        id: "gen.attention-matrix-bytes",
        topic: &topic::COMPLEXITY,
        reference: "reference::softmax::softmax_rows",
        hint: "Count the weights: one L×L matrix per head and per sequence, 4 bytes each.",
        make: attention_matrix_bytes,
    },
    Generator {
        id: "gen.kv-cache-bytes",
        topic: &topic::GQA_KV_CACHE,
        reference: "reference::gqa::grouped_query_attention",
        hint: "Each token keeps one key and one value vector per key/value head, d_k = D/H numbers each.",
        make: kv_cache_bytes,
    },
    Generator {
        id: "gen.kv-cache-saving",
        topic: &topic::GQA_KV_CACHE,
        reference: "reference::gqa::kv_head_for",
        hint: "The cache holds key/value heads only; compare their numbers.",
        make: kv_cache_saving,
    },
    Generator {
        id: "gen.causal-mask-allowed",
        topic: &topic::MASKS,
        reference: "reference::mask::causal_mask",
        hint: "Query i may attend to keys 0..=i: count row by row.",
        make: causal_mask_allowed,
    },
    Generator {
        id: "gen.additive-parameters",
        topic: &topic::ADDITIVE_LUONG,
        reference: "layers::AdditiveWeights",
        hint: "W_q maps d_q to d_a, W_k maps d_k to d_a, and v_a turns d_a numbers into one score.",
        make: additive_parameters,
    },
    Generator {
        id: "gen.rope-angle",
        topic: &topic::POSITIONS_ROPE,
        reference: "reference::rope::frequencies",
        hint: "θ_i = base^(−2i/d) radians per position; multiply by the position. No reduction modulo 2π.",
        make: rope_angle,
    },
    Generator {
        id: "gen.decoder-kv-cache-bytes",
        topic: &topic::KV_CACHE_SERVING,
        reference: "reference::kv_cache::decode_step",
        hint: "2 (K and V) · layers · G · d_k · bytes per number, per token; then times tokens and sequences.",
        make: decoder_kv_cache_bytes,
    },
    Generator {
        id: "gen.kv-cache-rows",
        topic: &topic::KV_CACHE_SERVING,
        reference: "reference::kv_cache::decode_step",
        hint: "Every call appends its tokens; the cache keeps the G key/value heads, not the H query heads.",
        make: kv_cache_rows,
    },
    Generator {
        id: "gen.window-visible-keys",
        topic: &topic::WINDOWS_SINKS,
        reference: "reference::sliding_window::streaming_mask",
        hint: "The window is the current token and the W − 1 before it; sinks are the first tokens. Do they overlap?",
        make: window_visible_keys,
    },
    Generator {
        id: "gen.sink-row-sum",
        topic: &topic::WINDOWS_SINKS,
        reference: "reference::sinks::attention_with_sink",
        hint: "The sink adds exp(sink) to every row's denominator and has no value.",
        make: sink_row_sum,
    },
    Generator {
        id: "gen.flash-tiles",
        topic: &topic::FLASH_ATTENTION,
        reference: "reference::flash::flash_attention",
        hint: "Count query blocks and key blocks (the last ones may be short); with a causal mask, skip key blocks \
               that start after a query block's last query.",
        make: flash_tiles,
    },
    Generator {
        id: "gen.alibi-slope",
        topic: &topic::POSITION_SCHEMES,
        reference: "reference::alibi::alibi_slopes",
        hint: "A power of two H gives 2^(−8(h+1)/H). Otherwise take the c slopes of c heads (c the largest power \
               of two below H), then every other slope of 2c heads.",
        make: alibi_slope,
    },
    Generator {
        id: "gen.sinusoidal-value",
        topic: &topic::POSITION_SCHEMES,
        reference: "reference::sinusoidal::sinusoidal_positions",
        hint: "Column c belongs to pair i = c div 2, with ω_i = 10000^(−2i/D); even columns hold the sine, odd ones \
               the cosine of p·ω_i.",
        make: sinusoidal_value,
    },
    Generator {
        id: "gen.latent-cache-bytes",
        topic: &topic::MODERN_ARCHITECTURES,
        reference: "reference::mla",
        hint: "MHA and GQA cache a key and a value per key/value head; MLA caches one latent and one shared rotary \
               key, whatever H is.",
        make: latent_cache_bytes,
    },
    Generator {
        id: "gen.linear-state-vs-weights",
        topic: &topic::MODERN_ARCHITECTURES,
        reference: "reference::linear_attention::linear_attention",
        hint: "Softmax keeps an L × L matrix of weights per head; linear attention a d_k × d_v state S.",
        make: linear_state_vs_weights,
    },
    Generator {
        id: "gen.context-kv-cache-bytes",
        topic: &topic::KV_CACHE_SERVING,
        reference: "reference::kv_cache::decode_step",
        hint: "Per token: 2 (K and V) · layers · G · d_k numbers. fp16 and bf16 take 2 bytes a number, fp8 one. \
               Then times the tokens of the context.",
        make: context_kv_cache_bytes,
    },
    Generator {
        id: "gen.window-cache-bytes",
        topic: &topic::WINDOWS_SINKS,
        reference: "reference::sliding_window::sliding_window_mask",
        hint: "A query sees at most W keys, so the rolling buffer needs W slots however long the text; each slot holds \
               a key and a value per key/value head.",
        make: window_cache_bytes,
    },
    Generator {
        id: "gen.flash-working-set",
        topic: &topic::FLASH_ATTENTION,
        reference: "reference::flash::flash_attention",
        hint: "Scores: L² numbers. Working set: block_q·block_k (the tile) + block_q·d (the accumulator) + 2·block_q \
               (m and l). Both in f32, so the 4 bytes cancel.",
        make: flash_working_set,
    },
    Generator {
        id: "gen.backward-flops-ratio",
        topic: &topic::FLASH_ATTENTION,
        reference: "reference::flash_backward::flash_attention_backward",
        hint: "Forward: S = Q·Kᵀ and O = P·V. Backward: S again (recomputed), then dV = Pᵀ·dO, dP = dO·Vᵀ, \
               dQ = dS·K and dK = dSᵀ·Q. A product (m × k)·(k × n) costs 2·m·k·n FLOPs.",
        make: backward_flops_ratio,
    },
];

/// The generator with id `id`, if there is one.
pub fn find(id: &str) -> Option<&'static Generator> {
    GENERATORS.iter().find(|g| g.id == id)
}

/// The shape of the step `name` in a measurement.
fn step_shape(m: &Measurement, name: &'static str) -> Result<Vec<usize>, GeneratorError> {
    m.steps.iter().find(|s| s.name == name).map(|s| s.shape.clone()).ok_or(GeneratorError::MissingStep(name))
}

/// "G = 1 key/value head", "G = 4 key/value heads".
fn kv_heads_text(g: usize) -> String {
    format!("G = {g} key/value head{}", if g == 1 { "" } else { "s" })
}

/// The name of attention with H query heads and G key/value heads.
fn attention_name(h: usize, g: usize) -> &'static str {
    match g {
        1 => "multi-query attention",
        _ if g == h => "multi-head attention",
        _ => "grouped-query attention",
    }
}

/// The name of a cache dtype of `bytes` bytes per number.
fn dtype_name(bytes: usize) -> &'static str {
    match bytes {
        1 => "fp8",
        2 => "bf16",
        _ => "fp32",
    }
}

/// A numeric answer that must be exact.
fn exact(value: u64) -> Kind {
    Kind::Numeric { answer: value as f64, tolerance: 0.0 }
}

fn mha_weights_shape(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let Sizes { batch: n, len: l, d_model: d, heads: h, .. } = sizes;
    let shape = draw.measure(Variant::SelfAttention, sizes)?.weights_shape;
    let prompt = format!(
        "x is [N, L, D] = [{n}, {l}, {d}] and goes through multi-head self-attention with H = {h} heads. \
         What is the shape of the attention weights (the softmax output), batch first?"
    );
    let explanation = format!(
        "Every head of every sequence has its own L×L matrix of weights, one row per query and one column per key: \
         [N, H, L, L] = {}. The head width d_k = D/H = {} is summed away in Q·Kᵀ and does not appear.",
        shape_text(&shape),
        sizes.d_k()
    );
    Ok((prompt, explanation, Kind::Shape { shape }))
}

fn head_split_shape(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let Sizes { batch: n, len: l, d_model: d, heads: h, .. } = sizes;
    let shape = step_shape(&draw.measure(Variant::SelfAttention, sizes)?, "q_heads")?;
    let prompt = format!(
        "Multi-head self-attention, x is [N, L, D] = [{n}, {l}, {d}], H = {h} heads. After the query projection \
         is split into heads of width d_k = D/H, what is the shape of the queries, as [N, H, L, d_k]?"
    );
    let explanation = format!(
        "The projection keeps the width D; splitting cuts it into H contiguous blocks of d_k = D/H = {d}/{h} \
         columns: {}. In PyTorch this is view(N, L, H, d_k).transpose(1, 2).",
        shape_text(&shape)
    );
    Ok((prompt, explanation, Kind::Shape { shape }))
}

fn cross_attention_weights_shape(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let sizes = Sizes { kv_len: draw.size("S", &LENGTHS), ..sizes };
    let Sizes { batch: n, len: l, kv_len: s, d_model: d, heads: h, .. } = sizes;
    let shape = draw.measure(Variant::CrossAttention, sizes)?.weights_shape;
    let prompt = format!(
        "In an encoder-decoder transformer, the decoder states x are [N, L, D] = [{n}, {l}, {d}] and the encoder \
         output (memory) is [N, S, D] = [{n}, {s}, {d}]. Cross-attention with H = {h} heads: what is the shape of \
         its attention weights, batch first?"
    );
    let explanation = format!(
        "Queries come from x (L = {l} rows), keys and values from the memory (S = {s} columns): [N, H, L, S] = {}. \
         The output has the queries' length, [N, L, D].",
        shape_text(&shape)
    );
    Ok((prompt, explanation, Kind::Shape { shape }))
}

fn gqa_key_shape(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let sizes = Sizes { kv_heads: draw.kv_heads(sizes.heads), ..sizes };
    let Sizes { batch: n, len: l, d_model: d, heads: h, kv_heads: g, .. } = sizes;
    let shape = step_shape(&draw.measure(Variant::GroupedQuery, sizes)?, "k_projected")?;
    let prompt = format!(
        "Grouped-query attention on x of shape [N, L, D] = [{n}, {l}, {d}] with H = {h} query heads and {}, \
         every head d_k = D/H wide. What is the shape of K right after the key projection (before splitting into \
         heads)?",
        kv_heads_text(g)
    );
    let explanation = format!(
        "The key projection makes G heads of d_k = D/H = {} columns each, so K is [N, L, G·d_k] = {}; \
         the queries are [N, L, H·d_k] = [{n}, {l}, {d}]. Query head h reads key/value head h / (H/G).",
        sizes.d_k(),
        shape_text(&shape)
    );
    Ok((prompt, explanation, Kind::Shape { shape }))
}

fn mha_parameters(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.weights();
    let Sizes { d_model: d, heads: h, .. } = sizes;
    let parameters = draw.measure(Variant::MultiHead, sizes)?.parameters as u64;
    let prompt = format!(
        "How many learned parameters does a multi-head attention layer with d_model D = {d} and H = {h} heads have? \
         Count the weights and biases of the Q, K, V and output projections."
    );
    let explanation = format!(
        "Four D×D weight matrices and four biases of length D: 4·(D² + D) = {}. The number of heads does not \
         appear: heads cut the projections' columns into blocks, they do not add any.",
        number(parameters as f64)
    );
    Ok((prompt, explanation, exact(parameters)))
}

fn gqa_parameters(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.weights();
    let sizes = Sizes { kv_heads: draw.kv_heads(sizes.heads), ..sizes };
    let Sizes { d_model: d, heads: h, kv_heads: g, .. } = sizes;
    let parameters = draw.measure(Variant::GroupedQuery, sizes)?.parameters as u64;
    let prompt = format!(
        "Grouped-query attention with d_model D = {d}, H = {h} query heads and {}, every head d_k = D/H wide \
         and every projection with a bias. How many learned parameters does it have?",
        kv_heads_text(g)
    );
    let explanation = format!(
        "Q and O are D×D with a bias of D, as in multi-head attention; K and V map D to G·d_k = {g}·{} numbers \
         (plus as many biases): 2·(D² + D) + 2·(D·G·d_k + G·d_k) = {}.",
        sizes.d_k(),
        number(parameters as f64)
    );
    Ok((prompt, explanation, exact(parameters)))
}

fn gate_parameters(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.weights();
    let Sizes { d_model: d, heads: h, .. } = sizes;
    let gated = draw.measure(Variant::Gated, sizes)?.parameters;
    let plain = draw.measure(Variant::SelfAttention, sizes)?.parameters;
    let extra = (gated - plain) as u64;
    let prompt = format!(
        "Gated self-attention (AlphaFold 2 style) with d_model D = {d} and H = {h} heads. The gate is a linear \
         layer with a bias from x (width D) to the concatenated heads (width H·d_v = D), followed by a sigmoid. \
         How many parameters does it add to plain multi-head self-attention?"
    );
    let explanation = format!(
        "The gate is sigmoid(x·W_g + b_g), multiplied into the concatenated heads before W_O. W_g is D × H·d_v = \
         D×D and b_g has D entries: D² + D = {}.",
        number(extra as f64)
    );
    Ok((prompt, explanation, exact(extra)))
}

fn score_flops(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let Sizes { batch: n, len: l, d_model: d, heads: h, .. } = sizes;
    let flops = draw.measure(Variant::SelfAttention, sizes)?.score_flops;
    let prompt = format!(
        "Multi-head self-attention on [N, L, D] = [{n}, {l}, {d}] with H = {h} heads of width d_k = D/H. How many \
         FLOPs does computing the scores Q·Kᵀ take over the whole batch? Count a multiply-add as 2 FLOPs; leave out the projections, \
         the scaling and the softmax."
    );
    let explanation = format!(
        "N·H = {n}·{h} score matrices of L·L = {l}·{l} entries, each a dot product of length d_k = D/H = {}: \
         2·N·H·L²·d_k = 2·N·L²·D = {} FLOPs. Quadratic in L, and independent of H.",
        sizes.d_k(),
        number(flops as f64)
    );
    Ok((prompt, explanation, exact(flops)))
}

fn attention_matrix_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.layer();
    let Sizes { batch: n, len: l, d_model: d, heads: h, .. } = sizes;
    let bytes = draw.measure(Variant::SelfAttention, sizes)?.attention_bytes;
    let prompt = format!(
        "Multi-head self-attention on [N, L, D] = [{n}, {l}, {d}] with H = {h} heads, in f32. How many bytes do the \
         attention weights (the softmax outputs) of the whole batch take if they are all kept, as for the backward \
         pass?"
    );
    let explanation = format!(
        "[N, H, L, L] = [{n}, {h}, {l}, {l}] numbers of 4 bytes: 4·N·H·L² = {} bytes. This is the memory that grows \
         with L² and that FlashAttention avoids storing.",
        number(bytes as f64)
    );
    Ok((prompt, explanation, exact(bytes)))
}

fn kv_cache_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let sizes = draw.weights();
    let h = sizes.heads;
    let sizes = Sizes { kv_heads: draw.size("G", &[1, h / 2, h]), ..sizes }; // multi-query, grouped or multi-head
    let Sizes { d_model: d, kv_heads: g, .. } = sizes;
    let width = draw.size("bytes", &[4, 2, 1]);
    let dtype = dtype_name(width);
    // The reference keeps f32 (4 bytes): count its numbers, then store each in the drawn dtype.
    let numbers = draw.measure(Variant::GroupedQuery, sizes)?.kv_cache_bytes_per_token / 4;
    let bytes = numbers * width as u64;
    let prompt = format!(
        "A decoder layer uses {} with d_model D = {d}, H = {h} query heads and {}, every head d_k = D/H wide, and \
         keeps its KV cache in {dtype} ({width} byte(s) per number). How many bytes does each generated token add \
         to this layer's KV cache?",
        attention_name(h, g),
        kv_heads_text(g)
    );
    let explanation = format!(
        "A token leaves one key and one value per key/value head, each d_k = D/H = {} numbers: 2·G·d_k = {numbers} \
         numbers of {width} byte(s) in {dtype}, {} bytes. Multi-head attention (G = H) stores 2·D numbers per token; \
         multi-query (G = 1) H times fewer.",
        sizes.d_k(),
        number(bytes as f64)
    );
    Ok((prompt, explanation, exact(bytes)))
}

fn kv_cache_saving(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let multi_head = draw.weights();
    let grouped = Sizes { kv_heads: draw.kv_heads(multi_head.heads), ..multi_head };
    let Sizes { d_model: d, heads: h, kv_heads: g, .. } = grouped;
    let before = draw.measure(Variant::GroupedQuery, multi_head)?.kv_cache_bytes_per_token;
    let after = draw.measure(Variant::GroupedQuery, grouped)?.kv_cache_bytes_per_token;
    let factor = before as f64 / after as f64;
    let prompt = format!(
        "A model with d_model D = {d} and H = {h} heads (each d_k = D/H wide) switches from multi-head attention \
         to {} with {}. By what factor does its KV cache shrink?",
        attention_name(h, g),
        kv_heads_text(g)
    );
    let explanation = format!(
        "The cache holds keys and values of the key/value heads only: 2·H·d_k numbers per token before, 2·G·d_k \
         after, a factor H/G = {}. The queries, computed fresh for each new token, are never cached.",
        number(factor)
    );
    Ok((prompt, explanation, Kind::Numeric { answer: factor, tolerance: 0.0 }))
}

fn causal_mask_allowed(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let l = draw.size("L", &[3, 4, 5, 6, 8, 10, 12, 16, 20, 32]);
    let allowed = reference::causal_mask(l).iter().filter(|&&allowed| allowed).count() as u64;
    let prompt = format!(
        "A causal mask for a sequence of L = {l} tokens, where each query may attend to its own position and \
                 the earlier ones: how many (query, key) pairs are allowed to attend?"
    );
    let explanation = format!(
        "Query i may attend to keys 0..=i, i.e. i + 1 keys: 1 + 2 + ... + L = L(L+1)/2 = {allowed} of the L² = \
         {l}·{l} pairs (the lower triangle with the diagonal)."
    );
    Ok((prompt, explanation, exact(allowed)))
}

fn additive_parameters(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let (d_q, d_k, d_a) = (draw.size("d_q", &WIDE), draw.size("d_k", &WIDE), draw.size("d_a", &[32, 64, 128]));
    let parameters = Sampler::new(draw.rng.random()).additive_weights(d_q, d_k, d_a).parameter_count() as u64;
    let prompt = format!(
        "Bahdanau (additive) attention scores v_a · tanh(q·W_q + k·W_k) with query width d_q = {d_q}, key width \
         d_k = {d_k} and alignment width d_a = {d_a}, no biases. How many learned parameters does it have?"
    );
    let explanation = format!(
        "W_q is d_q × d_a, W_k is d_k × d_a and v_a has d_a entries: d_a·(d_q + d_k + 1) = {}. Unlike dot-product \
         attention, queries and keys may have different widths.",
        number(parameters as f64)
    );
    Ok((prompt, explanation, exact(parameters)))
}

/// A numeric answer that is right within `relative` of itself (at least 1e-6).
fn approximately(value: f64, relative: f64) -> Kind {
    Kind::Numeric { answer: value, tolerance: (value.abs() * relative).max(1e-6) }
}

fn rope_angle(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let d = draw.size("d", &[16, 32, 64, 128]);
    let i = draw.size("i", &[0, 1, 2, d / 8, d / 4, d / 2 - 1]);
    let p = draw.size("p", &[1, 3, 10, 50, 100, 1000]);
    let base = draw.size("base", &[10_000, 500_000]);
    // The reference's own frequencies, then position × θ_i.
    let theta = rope::frequencies(d, base as f32)[i];
    let angle = p as f64 * theta;
    let prompt = format!(
        "RoPE with base {base} and head width d = {d}. By what angle, in radians, is pair i = {i} of a query at \
         position p = {p} rotated? Give p·θ_i itself, not reduced modulo 2π (within 0.1%)."
    );
    let explanation = format!(
        "θ_i = base^(−2i/d) = {base}^(−{}/{d}) = {theta:.6} rad per position, so the angle is p·θ_i = {p}·{theta:.6} \
         = {angle:.4} rad. Pair 0 always turns by 1 rad per position; later pairs turn more slowly, and a larger \
         base slows them further.",
        2 * i
    );
    Ok((prompt, explanation, approximately(angle, 1e-3)))
}

/// Numbers one token leaves in one layer's cache: run a decode step on an
/// empty cache and read the cached widths (weights with a small model width,
/// since the cache does not depend on it).
fn cached_numbers_per_token(heads: usize, kv_heads: usize, d_k: usize, seed: u64) -> Result<usize, ShapeError> {
    let w = Sampler::new(seed).grouped_query_weights(8, heads, kv_heads, d_k);
    let mut cache = kv_cache::empty_cache(&w);
    let rope = Rope { base: 10_000.0, style: RopeStyle::HalfSplit };
    kv_cache::try_decode_step(&Matrix::zeros(1, 8), &mut cache, &w, Some(&rope))?;
    Ok(cache.keys.len() + cache.values.len())
}

fn decoder_kv_cache_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let layers = draw.size("layers", &[12, 24, 32, 48, 80]);
    let h = draw.size("H", &[16, 32, 64]);
    let g = draw.size("G", &[1, 2, 4, 8]);
    let d_k = draw.size("d_k", &[64, 128]);
    let tokens = draw.size("tokens", &[1024, 2048, 4096, 8192, 32768]);
    let batch = draw.size("batch", &[1, 4, 8, 16]);
    let bytes = draw.size("bytes", &[1, 2, 4]);
    let dtype = match bytes {
        1 => "int8",
        2 => "fp16",
        _ => "fp32",
    };
    let per_token_layer = cached_numbers_per_token(h, g, d_k, draw.rng.random())? as u64;
    let total = per_token_layer * (layers * tokens * batch * bytes) as u64;
    let prompt = format!(
        "A decoder has {layers} layers, each with grouped-query attention of H = {h} query heads and G = {g} \
         key/value heads of width d_k = {d_k}, and keeps its KV cache in {dtype} ({bytes} byte(s) per number). \
         How many bytes does the cache take for a batch of {batch} sequence(s) of {tokens} tokens?"
    );
    let explanation = format!(
        "Per token and layer the cache keeps one key and one value per key/value head: 2·G·d_k = 2·{g}·{d_k} = \
         {per_token_layer} numbers. Times {layers} layers, {tokens} tokens, {batch} sequence(s) and {bytes} byte(s): \
         {} bytes ({:.3} GiB). H does not appear: queries are never cached.",
        number(total as f64),
        total as f64 / f64::from(1u32 << 30)
    );
    Ok((prompt, explanation, exact(total)))
}

fn kv_cache_rows(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let prefill = draw.size("P", &[3, 5, 8, 12]);
    let steps = draw.size("n", &[1, 2, 4, 6]);
    let h = draw.size("H", &[4, 8, 16]);
    let g = draw.size("G", &[1, 2, 4]);
    let d_k = draw.size("d_k", &[2, 4, 8]);
    // Run it: a prefill call, then one call per generated token, on one cache.
    let w = Sampler::new(draw.rng.random()).grouped_query_weights(8, h, g, d_k);
    let mut cache = kv_cache::empty_cache(&w);
    let rope = Rope { base: 10_000.0, style: RopeStyle::Interleaved };
    let x = Sampler::new(draw.rng.random()).matrix(prefill + steps, 8);
    kv_cache::try_decode_step(&x.rows(0, prefill).into_owned(), &mut cache, &w, Some(&rope))?;
    for t in prefill..prefill + steps {
        kv_cache::try_decode_step(&x.rows(t, 1).into_owned(), &mut cache, &w, Some(&rope))?;
    }
    let shape = vec![cache.keys.nrows(), cache.keys.ncols()];
    let prompt = format!(
        "One layer with H = {h} query heads and G = {g} key/value heads of width d_k = {d_k} prefills a prompt of \
         P = {prefill} tokens, then decodes n = {steps} tokens one call at a time. What is the shape of its cached \
         keys afterwards, [tokens, G·d_k]?"
    );
    let explanation = format!(
        "The prefill appends {prefill} rows and each decode call one more: {} rows, each the G·d_k = {g}·{d_k} \
         numbers of the rotated keys of the G key/value heads: {}. The values have the same shape.",
        shape[0],
        shape_text(&shape)
    );
    Ok((prompt, explanation, Kind::Shape { shape }))
}

fn window_visible_keys(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let window = draw.size("W", &[2, 3, 4, 8, 16, 128]);
    let sinks = draw.size("sinks", &[0, 1, 4]);
    let position = draw.size("p", &[0, 1, 2, 5, 10, 20, 100, 1000]);
    // The reference's mask for one query at `position` over a cache of position + 1 keys.
    let mask = sliding_window::try_streaming_mask(1, position + 1, sinks, window)?;
    let visible = mask.iter().filter(|&&allowed| allowed).count() as u64;
    let kept = if sinks == 0 {
        "a plain sliding window (0 sink tokens)".to_string()
    } else {
        format!("a StreamingLLM cache that also keeps the first {sinks} token(s) as sinks")
    };
    let prompt = format!(
        "Decoding with {kept} and a window of W = {window} (the current token counts). The cache holds every \
         token so far. How many keys does the query of the token at position p = {position} attend to?"
    );
    let explanation = format!(
        "The window is positions max(0, p − W + 1)..p, at most W = {window} keys; the sinks are positions \
         0..{sinks} (exclusive), visible to every query. Counting their union for p = {position}: {visible} keys."
    );
    Ok((prompt, explanation, exact(visible)))
}

fn sink_row_sum(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let keys = draw.size("n", &[1, 2, 3, 4, 6, 8]);
    let sink = draw.size("sink", &[0, 1, 2]);
    // A zero query scores 0 against every key; run the reference and sum the weights.
    let mut sampler = Sampler::new(draw.rng.random());
    let (k, v) = (sampler.matrix(keys, 4), sampler.matrix(keys, 4));
    let (_, weights) = reference::try_attention_with_sink(&Matrix::zeros(1, 4), &k, &v, sink as f32, None)?;
    let row_sum = f64::from(weights.sum());
    let prompt = format!(
        "A head with a learned sink logit sink = {sink}: w_j = exp(s_j) / (exp(sink) + Σ_j' exp(s_j')). One query \
         has n = {keys} visible keys, all with scaled score 0. What do its key weights sum to (within 0.1%)?"
    );
    let explanation = format!(
        "Each key gets exp(0) / (exp({sink}) + n·exp(0)) = 1 / (e^{sink} + {keys}), so the row sums to n / (e^{sink} + n) \
         = {row_sum:.4}; the sink takes the rest, {:.4}, and has no value, so the output shrinks by that much.",
        1.0 - row_sum
    );
    Ok((prompt, explanation, approximately(row_sum, 1e-3)))
}

fn flash_tiles(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let len = draw.size("l", &[64, 100, 128, 256, 500, 1024]);
    let block_q = draw.size("block_q", &[16, 32, 64, 128]);
    let block_k = draw.size("block_k", &[16, 32, 64, 128]);
    let causal = draw.rng.random_bool(0.5); // named in the prompt, not a size
    // Run it on tiny heads and count the tiles of scores it reports.
    let mut sampler = Sampler::new(draw.rng.random());
    let (q, k, v) = (sampler.matrix(len, 2), sampler.matrix(len, 2), sampler.matrix(len, 2));
    let (result, steps) = trace::record(|| reference::try_flash_attention(&q, &k, &v, causal, block_q, block_k));
    result?;
    let tiles = steps.iter().filter(|s| s.name == "score_tile").count() as u64;
    let mask = if causal {
        "with a causal mask (key blocks entirely after a query block's last query are skipped)"
    } else {
        "without a mask"
    };
    let prompt = format!(
        "FlashAttention-2 over l = {len} queries and {len} keys, block_q = {block_q}, block_k = {block_k}, {mask}. \
         How many tiles of scores does it compute?"
    );
    let (q_blocks, k_blocks) = (len.div_ceil(block_q), len.div_ceil(block_k));
    let explanation = if causal {
        format!(
            "⌈{len}/{block_q}⌉ = {q_blocks} query blocks. Query block b ends at query min(l, (b+1)·block_q) − 1 and \
             needs the key blocks up to that position: ⌈min(l, (b+1)·block_q) / block_k⌉ of them. Summed: {tiles} \
             tiles, against {q_blocks}·{k_blocks} = {} without the mask.",
            q_blocks * k_blocks
        )
    } else {
        format!(
            "Every query block meets every key block: ⌈{len}/{block_q}⌉·⌈{len}/{block_k}⌉ = {q_blocks}·{k_blocks} = \
             {tiles} tiles (the last blocks may be short). Only one block_q × block_k tile exists at a time."
        )
    };
    Ok((prompt, explanation, exact(tiles)))
}

fn alibi_slope(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let heads = draw.size("H", &[2, 4, 6, 8, 12, 16, 20, 24, 32, 40, 64]);
    let candidates: Vec<usize> = [0, 1, heads / 2 - 1, heads / 2, heads - 2, heads - 1].into_iter().collect();
    let head = draw.size("h", &candidates);
    let slopes = alibi::alibi_slopes(heads);
    let slope = f64::from(slopes[head]);
    let prompt = format!(
        "ALiBi with H = {heads} heads, slopes as in the authors' code (heads counted from 0). What is the slope m \
         of head h = {head}? (within 0.1%)"
    );
    let c = 1usize << heads.ilog2(); // the largest power of two not above H
    let rule = if c == heads {
        format!("H = {heads} is a power of two: m_h = 2^(−8(h+1)/H) = 2^(−{}/{heads})", 8 * (head + 1))
    } else if head < c {
        format!(
            "H = {heads} is not a power of two, so the first c = {c} heads take the slopes of {c} heads: \
             m_h = 2^(−8(h+1)/{c}) = 2^(−{}/{c})",
            8 * (head + 1)
        )
    } else {
        let k = head - c;
        format!(
            "H = {heads} is not a power of two: the first c = {c} heads take the slopes of {c} heads, the other \
             {} take every other slope of {} heads; head {head} is number {k} of those, slope {} of {} heads: \
             2^(−{}/{})",
            heads - c,
            2 * c,
            2 * k,
            2 * c,
            8 * (2 * k + 1),
            2 * c
        )
    };
    let explanation = format!("{rule} ≈ {slope:.6}. Its penalty grows by m for every token of distance.");
    Ok((prompt, explanation, approximately(slope, 1e-3)))
}

fn sinusoidal_value(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let d = draw.size("D", &[4, 8, 16, 64, 128, 512]);
    let column = draw.size("c", &[0, 1, 2, 3, d / 2, d / 2 + 1, d - 2, d - 1]);
    let p = draw.size("p", &[1, 2, 3, 5, 10, 50, 100, 1000]);
    let value = f64::from(sinusoidal::sinusoidal_positions(p + 1, d)[(p, column)]);
    let i = column / 2;
    let omega = 10_000f64.powf(-2.0 * i as f64 / d as f64);
    let function = if column.is_multiple_of(2) { "sin" } else { "cos" };
    let prompt = format!(
        "The sinusoidal position encoding of 'Attention Is All You Need', D = {d}, sine in the even and cosine in \
         the odd columns (columns counted from 0). What is PE[p = {p}, column c = {column}]? (within 0.0005)"
    );
    let explanation = format!(
        "Column {column} belongs to pair i = {i}, ω_{i} = 10000^(−2·{i}/{d}) = {omega:.6}; it is {}, so \
         PE[{p}, {column}] = {function}({p}·{omega:.6}) = {function}({:.6}) ≈ {value:.4}.",
        if column.is_multiple_of(2) { "even: the sine" } else { "odd: the cosine" },
        p as f64 * omega
    );
    Ok((prompt, explanation, Kind::Numeric { answer: value, tolerance: 5e-4 }))
}

/// Numbers one token leaves in one MLA layer's cache: decode one token on an
/// empty cache and read the cached widths (tiny model width and content widths:
/// the cache depends only on d_c and d_r).
fn mla_cached_numbers_per_token(heads: usize, d_c: usize, d_r: usize, seed: u64) -> Result<usize, ShapeError> {
    let w = Sampler::new(seed).mla_weights(8, heads, MlaSizes { d_c, d_n: 1, d_r, d_v: 1 });
    let mut cache = empty_mla_cache(&w);
    let rope = Rope { base: 10_000.0, style: RopeStyle::HalfSplit };
    reference::mla::try_mla_decode_step(&Matrix::zeros(1, 8), &mut cache, &w, &rope)?;
    Ok(cache.latent.len() + cache.rope_keys.len())
}

fn latent_cache_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let scheme = *["mha", "gqa", "mqa", "mla", "mla"].choose(draw.rng).expect("non-empty"); // named in the prompt
    let h = draw.size("H", &[16, 32, 64, 128]);
    let d_h = draw.size("d_h", &[64, 128]);
    let bytes = draw.size("bytes", &[1, 2, 4]);
    let dtype = match bytes {
        1 => "fp8",
        2 => "bf16",
        _ => "fp32",
    };
    let seed = draw.rng.random();
    let (attention, numbers, rule) = match scheme {
        "mla" => {
            let d_c = draw.size("d_c", &[256, 512]);
            let d_r = draw.size("d_r", &[32, 64]);
            let numbers = mla_cached_numbers_per_token(h, d_c, d_r, seed)?;
            let attention = format!(
                "multi-head latent attention (MLA) with a latent of width d_c = {d_c} and a shared rotary key of \
                 width d_r = {d_r}"
            );
            (attention, numbers, format!("MLA caches the latent and the shared rotary key: d_c + d_r = {numbers}"))
        }
        _ => {
            let g = match scheme {
                "mha" => h,
                "mqa" => 1,
                _ => draw.size("G", &[2, 4, 8]),
            };
            let numbers = cached_numbers_per_token(h, g, d_h, seed)?;
            let attention = match scheme {
                "mha" => "multi-head attention (one key/value head per query head)".to_string(),
                "mqa" => "multi-query attention (one key/value head for all)".to_string(),
                _ => format!("grouped-query attention with G = {g} key/value heads"),
            };
            (attention, numbers, format!("A key and a value per key/value head: 2·G·d_h = 2·{g}·{d_h} = {numbers}"))
        }
    };
    let total = (numbers * bytes) as u64;
    let prompt = format!(
        "A decoder layer has H = {h} query heads of width d_h = {d_h} and uses {attention}. Its cache is kept in \
         {dtype} ({bytes} byte(s) per number). How many bytes does one token add to this layer's cache?"
    );
    let explanation = format!(
        "{rule} numbers per token, times {bytes} byte(s): {} bytes. For comparison, multi-head attention would keep \
         2·H·d_h = {} numbers per token.",
        number(total as f64),
        number((2 * h * d_h) as f64)
    );
    Ok((prompt, explanation, exact(total)))
}

fn linear_state_vs_weights(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let len = draw.size("L", &[128, 256, 512, 1024]);
    let d_k = draw.size("d_k", &[16, 32, 64, 128]);
    let d_v = draw.size("d_v", &[16, 32, 64, 128]);
    let mut sampler = Sampler::new(draw.rng.random());
    // Softmax: the weights one head keeps, as SDPA returns them (a width of 1 is enough for their shape).
    let (q, k, v) = (sampler.matrix(len, 1), sampler.matrix(len, 1), sampler.matrix(len, 1));
    let (_, weights) = reference::try_scaled_dot_product_attention(&q, &k, &v, None)?;
    // Linear attention: the state S it reports, at the drawn widths. Its size does not depend on
    // the length, so a few tokens show it (and keep the question quick in a debug build).
    let (q, k, v) = (sampler.matrix(4, d_k), sampler.matrix(4, d_k), sampler.matrix(4, d_v));
    let (result, steps) = trace::record(|| reference::try_linear_attention(&q, &k, &v, true));
    result?;
    let state = steps.iter().find(|s| s.name == "state").ok_or(GeneratorError::MissingStep("state"))?.shape;
    let ratio = weights.len() as f64 / (state.0 * state.1) as f64;
    let prompt = format!(
        "One head over L = {len} tokens with d_k = {d_k} and d_v = {d_v}, all in f32. Softmax attention keeps its \
         L × L weights; causal linear attention keeps its state S (d_k × d_v) instead. How many times as many bytes \
         do the softmax weights take as S? (a fraction if S is larger)"
    );
    let explanation = format!(
        "The weights are L² = {} numbers, S is d_k·d_v = {} numbers, both 4 bytes each: a ratio of L²/(d_k·d_v) = \
         {}. The weights grow with L², S not at all (with z, the state is d_k·(d_v + 1) numbers).",
        number(weights.len() as f64),
        number((state.0 * state.1) as f64),
        number(ratio)
    );
    Ok((prompt, explanation, Kind::Numeric { answer: ratio, tolerance: 0.0 }))
}

/// A cache dtype named in a prompt, and the bytes one number takes in it.
fn cache_dtype(draw: &mut Draw) -> (&'static str, usize) {
    *[("fp16", 2), ("bf16", 2), ("fp8", 1)].choose(draw.rng).expect("non-empty") // named in the prompt
}

fn context_kv_cache_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let layers = draw.size("layers", &[16, 24, 32, 48, 80]);
    let h = draw.size("H", &[8, 16, 32, 64]);
    let g = draw.kv_heads(h); // 1 (multi-query) or a divisor of H below it (grouped-query)
    let d_k = draw.size("d_k", &[64, 128]);
    let tokens = draw.size("tokens", &[2048, 4096, 8192, 32768, 131072]);
    let (dtype, bytes) = cache_dtype(draw);
    // The numbers one token leaves in one layer, read off a real cache after one decode step.
    let per_token_layer = cached_numbers_per_token(h, g, d_k, draw.rng.random())?;
    let total = (per_token_layer * layers * bytes * tokens) as u64;
    let prompt = format!(
        "A decoder has {layers} layers of {} with H = {h} query heads and {} of width d_k = {d_k}. Its KV cache is \
         kept in {dtype}. How many bytes does the cache of one sequence take once it holds a context of {tokens} \
         tokens?",
        attention_name(h, g),
        kv_heads_text(g)
    );
    let explanation = format!(
        "Each token leaves a key and a value per key/value head in every layer: 2·G·d_k = 2·{g}·{d_k} = \
         {per_token_layer} numbers per layer, {} over {layers} layers. {dtype} takes {bytes} byte(s) a number, so \
         2·layers·G·d_k·bytes·tokens = {} bytes ({:.3} GiB). With G = H = {h} (multi-head) it would be {} times \
         as much; H itself does not enter, since queries are never cached.",
        number((per_token_layer * layers) as f64),
        number(total as f64),
        total as f64 / f64::from(1u32 << 30),
        h / g
    );
    Ok((prompt, explanation, exact(total)))
}

fn window_cache_bytes(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let window = draw.size("W", &[128, 512, 1024, 4096]);
    let tokens = draw.size("T", &[8192, 16384, 32768, 131072]);
    let h = draw.size("H", &[8, 16, 32, 64]);
    let g = draw.kv_heads(h);
    let d_k = draw.size("d_k", &[64, 128]);
    let (dtype, bytes) = cache_dtype(draw);
    // The keys the latest query (at T − 1) may attend to: all a rolling buffer must keep.
    let mask = sliding_window::try_sliding_window_mask(1, tokens, window)?;
    let slots = mask.iter().filter(|&&allowed| allowed).count();
    let per_token = cached_numbers_per_token(h, g, d_k, draw.rng.random())?;
    let total = (slots * per_token * bytes) as u64;
    let prompt = format!(
        "A sliding-window layer with W = {window} (the current token counts), H = {h} query heads and {} of width \
         d_k = {d_k} keeps its cache in {dtype} as a rolling buffer: only the keys and values the latest query could \
         attend to. How many bytes does this layer's cache hold for one sequence after T = {tokens} tokens?",
        kv_heads_text(g)
    );
    let explanation = format!(
        "The latest query sees the last W = {window} positions, so the buffer holds {slots} slots (token t sits in \
         slot t mod W), each a key and a value per key/value head: 2·G·d_k = {per_token} numbers of {bytes} byte(s) \
         in {dtype}. W·2·G·d_k·bytes = {} bytes, the same for any T ≥ W; a full-attention layer would hold T = \
         {tokens} tokens, {} times as much.",
        number(total as f64),
        number(tokens as f64 / slots as f64)
    );
    Ok((prompt, explanation, exact(total)))
}

fn flash_working_set(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let len = draw.size("L", &[256, 512, 1024]);
    let d = draw.size("d", &[32, 64, 128]);
    let block_q = draw.size("block_q", &[16, 32, 64, 128]);
    let block_k = draw.size("block_k", &[16, 32, 64, 128]);
    let seed = draw.rng.random();
    // Standard attention's scores at this length (their shape does not depend on d, so d = 1 is run).
    let sdpa =
        crate::measure::measure(Variant::Sdpa, &Config { len, kv_len: len, d_model: 1, seed, ..Config::default() })?;
    // Flash on one full block of queries and keys: every tile of the long run is at most this
    // large (the blocks are shorter than L), and the working set does not grow with L.
    let flash = crate::measure::measure(
        Variant::Flash,
        &Config { len: block_q, kv_len: block_k, d_model: d, block_q, block_k, seed, ..Config::default() },
    )?;
    let tile = flash.largest_scores_bytes / 4;
    let accumulator: usize = step_shape(&flash, "block_output")?.iter().skip(1).product(); // [N, b_q, d]
    let statistics: usize =
        flash.readings.iter().filter(|r| matches!(r.name, "running_max" | "running_sum")).map(|r| r.values.len()).sum();
    let working = tile + (accumulator + statistics) as u64;
    let scores = sdpa.largest_scores_bytes / 4;
    let ratio = scores as f64 / working as f64;
    let prompt = format!(
        "One attention head, L = {len} queries and keys, head width d = {d}, all in f32. Standard attention holds \
         the whole L × L score matrix. FlashAttention-2 with block_q = {block_q} and block_k = {block_k} holds, \
         besides its inputs and outputs, one block_q × block_k tile of scores, the block_q × d output accumulator \
         of its query block, and that block's running max and running sum (block_q numbers each). How many times as \
         many bytes does the score matrix take as this working set? (within 0.1%)"
    );
    let explanation = format!(
        "Scores: L² = {} numbers, {} bytes. Working set: {block_q}·{block_k} (tile) + {block_q}·{d} (accumulator) \
         + 2·{block_q} (m and l) = {} numbers, {} bytes. Ratio ≈ {ratio:.2}. The working set is fixed by the block \
         sizes and d, which are chosen to fit in on-chip SRAM, and does not grow with L; the score matrix grows as L².",
        number(scores as f64),
        number(sdpa.largest_scores_bytes as f64),
        number(working as f64),
        number((working * 4) as f64)
    );
    Ok((prompt, explanation, approximately(ratio, 1e-3)))
}

/// FLOPs of a product (m × k)·(k × n): m·n dot products of length k, 2 FLOPs per multiply-add.
fn product_flops((m, k, n): (usize, usize, usize)) -> u64 {
    (2 * m * k * n) as u64
}

fn backward_flops_ratio(draw: &mut Draw) -> Result<Made, GeneratorError> {
    let l_q = draw.size("l_q", &[16, 32, 64, 100]);
    let l_k = draw.size("l_k", &[16, 32, 64, 100]);
    let d_k = draw.size("d_k", &[32, 64, 128, 192]);
    let d_v = draw.size("d_v", &[32, 64, 128]);
    let mut sampler = Sampler::new(draw.rng.random());
    let (q, k, v) = (sampler.matrix(l_q, d_k), sampler.matrix(l_k, d_k), sampler.matrix(l_k, d_v));
    let d_out = sampler.matrix(l_q, d_v);
    let block = 16;
    // Run the forward and record its tiles; run the backward on its output and lse, which visits
    // the same tiles (no mask: every pair of blocks). The reference's products are not
    // instrumented, so each is counted from the shapes of the matrices it multiplies in a tile:
    // the tile's (b_q, b_k) from the run, d_k and d_v from the inputs.
    let (result, steps) = trace::record(|| reference::try_flash_attention(&q, &k, &v, false, block, block));
    let (out, lse) = result?;
    let (dq, dk, dv) = reference::try_flash_attention_backward(&q, &k, &v, &out, &lse, &d_out, false, block, block)?;
    let tiles: Vec<(usize, usize)> = steps.iter().filter(|s| s.name == "score_tile").map(|s| s.shape).collect();
    let (d_k, d_v) = (dq.ncols(), dv.ncols()); // the gradients' widths: those of Q and V
    debug_assert_eq!((dk.nrows(), dk.ncols()), (l_k, d_k));
    let forward: u64 = tiles
        .iter()
        .map(|&(b_q, b_k)| {
            product_flops((b_q, d_k, b_k)) // S = Q_b·K_cᵀ
                + product_flops((b_q, b_k, d_v)) // P̃·V_c
        })
        .sum();
    let backward: u64 = tiles
        .iter()
        .map(|&(b_q, b_k)| {
            product_flops((b_q, d_k, b_k)) // S recomputed, then P = exp(S − lse)
                + product_flops((b_k, b_q, d_v)) // dV_c += Pᵀ·dO_b
                + product_flops((b_q, d_v, b_k)) // dP = dO_b·V_cᵀ
                + product_flops((b_q, b_k, d_k)) // dQ_b += dS·K_c
                + product_flops((b_k, b_q, d_k)) // dK_c += dSᵀ·Q_b
        })
        .sum();
    let ratio = backward as f64 / forward as f64;
    let prompt = format!(
        "FlashAttention-2 on one head with l_q = {l_q} queries, l_k = {l_k} keys, d_k = {d_k} and d_v = {d_v}, no \
         mask. Its backward saves no P: it recomputes the scores from Q, K and lse. Counting only matrix products \
         (a multiply-add is 2 FLOPs), how many times the forward's FLOPs does the backward take? (within 0.1%)"
    );
    let explanation = format!(
        "Forward: S = Q·Kᵀ costs 2·l_q·l_k·d_k and O = P·V 2·l_q·l_k·d_v, {} FLOPs. Backward: S again (2·l_q·l_k·d_k), \
         dV = Pᵀ·dO and dP = dO·Vᵀ (2·l_q·l_k·d_v each), dQ = dS·K and dK = dSᵀ·Q (2·l_q·l_k·d_k each): {} FLOPs. \
         Ratio (3·d_k + 2·d_v)/(d_k + d_v) = {ratio:.4}; with d_k = d_v it is 5 products against 2, 2.5 \
         (2 without the recomputation). The lengths cancel.",
        number(forward as f64),
        number(backward as f64)
    );
    Ok((prompt, explanation, approximately(ratio, 1e-3)))
}
