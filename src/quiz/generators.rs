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
use crate::measure::{Config, Measurement, Variant};
use crate::reference;
use crate::sample::Sampler;
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
         is split into heads, what is the shape of the queries, as [N, H, L, d_k]?"
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
        "Grouped-query attention on x of shape [N, L, D] = [{n}, {l}, {d}] with H = {h} query heads and {}. \
         What is the shape of K right after the key projection (before splitting into heads)?",
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
        "Grouped-query attention with d_model D = {d}, H = {h} query heads and {}, every projection with a bias. \
         How many learned parameters does it have?",
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
        "Gated self-attention (AlphaFold 2 style) with d_model D = {d} and H = {h} heads: how many parameters does \
         the gate add to plain multi-head self-attention?"
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
        "Multi-head self-attention on [N, L, D] = [{n}, {l}, {d}] with H = {h} heads. How many FLOPs does computing \
         the scores Q·Kᵀ take over the whole batch? Count a multiply-add as 2 FLOPs; leave out the projections, \
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
    let bytes = draw.measure(Variant::GroupedQuery, sizes)?.kv_cache_bytes_per_token;
    let prompt = format!(
        "A decoder layer uses {} with d_model D = {d}, H = {h} query heads and {}, in f32. \
         How many bytes does each generated token add to this layer's KV cache?",
        attention_name(h, g),
        kv_heads_text(g)
    );
    let explanation = format!(
        "A token leaves one key and one value per key/value head, each d_k = D/H = {} numbers: 2·G·d_k·4 bytes \
         = {} bytes. Multi-head attention (G = H) stores 2·D numbers per token; multi-query (G = 1) H times fewer.",
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
        "A model with d_model D = {d} and H = {h} heads switches from multi-head attention to {} with {}. \
         By what factor does its KV cache shrink?",
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
    let prompt =
        format!("A causal mask for a sequence of L = {l} tokens: how many (query, key) pairs are allowed to attend?");
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
