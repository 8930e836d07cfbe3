//! The reference's own table of contents: every module with its source text,
//! and every runnable variant with what sets it apart.
//!
//! Tools (`attn-quiz show`, `trace`, `compare`, the quiz's reference pointers)
//! read these tables rather than keeping lists of their own, so a new variant
//! appears everywhere by being added here. The source is embedded at build
//! time from the very files the library is compiled from.
//!
//! ```
//! use attn_quiz::reference::catalog;
//! let gqa = catalog::find("gqa").unwrap();
//! assert!(gqa.source.contains("pub fn grouped_query_attention"));
//! // Variant names and aliases lead to the module that implements them.
//! assert_eq!(catalog::find("multi-query").unwrap().name, "gqa");
//! assert_eq!(catalog::find_variant("Multi-Query").unwrap().name, "mqa");
//! ```

use crate::measure;

/// One file of the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    /// Module name, as in `attn_quiz::reference::<name>`.
    pub name: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The file's full source text.
    pub source: &'static str,
}

/// Every reference module, in reading order.
pub const MODULES: &[Module] = &[
    Module { name: "softmax", title: "Stable row softmax with masks", source: include_str!("softmax.rs") },
    Module { name: "mask", title: "Causal and padding masks", source: include_str!("mask.rs") },
    Module { name: "sdpa", title: "Scaled dot-product attention", source: include_str!("sdpa.rs") },
    Module { name: "heads", title: "Splitting and merging heads", source: include_str!("heads.rs") },
    Module { name: "mha", title: "Multi-head attention", source: include_str!("mha.rs") },
    Module { name: "self_attention", title: "Self-attention", source: include_str!("self_attention.rs") },
    Module { name: "cross_attention", title: "Cross-attention", source: include_str!("cross_attention.rs") },
    Module { name: "gated", title: "Gated self-attention", source: include_str!("gated.rs") },
    Module { name: "gqa", title: "Grouped-query and multi-query attention", source: include_str!("gqa.rs") },
    Module { name: "rope", title: "Rotary position embeddings (RoPE)", source: include_str!("rope.rs") },
    Module { name: "kv_cache", title: "Decoding with a KV cache", source: include_str!("kv_cache.rs") },
    Module {
        name: "sliding_window",
        title: "Sliding-window and streaming masks",
        source: include_str!("sliding_window.rs"),
    },
    Module { name: "sinks", title: "Attention with a learned sink", source: include_str!("sinks.rs") },
    Module { name: "decoder", title: "A gpt-oss-style decoder attention", source: include_str!("decoder.rs") },
    // Positions without RoPE, then the 2024–25 architectures: each changes one
    // thing of the multi-head attention above (mla also reuses rope and kv_cache).
    Module { name: "sinusoidal", title: "Sinusoidal position encodings", source: include_str!("sinusoidal.rs") },
    Module { name: "alibi", title: "ALiBi: linear distance biases", source: include_str!("alibi.rs") },
    Module { name: "mla", title: "Multi-head latent attention (MLA)", source: include_str!("mla.rs") },
    Module { name: "mla_absorbed", title: "MLA, absorbed form", source: include_str!("mla_absorbed.rs") },
    Module {
        name: "linear_attention",
        title: "Linear attention; sparse attention",
        source: include_str!("linear_attention.rs"),
    },
    Module { name: "differential", title: "Differential attention", source: include_str!("differential.rs") },
    Module { name: "additive", title: "Additive (Bahdanau) attention", source: include_str!("additive.rs") },
    Module { name: "luong", title: "Luong dot and general attention", source: include_str!("luong.rs") },
    Module { name: "batched", title: "The [N, L, D] batch view", source: include_str!("batched.rs") },
    // The modern part: the same attention computed differently, then differentiated.
    // Each file needs only the ones above it (softmax -> online softmax -> flash;
    // sdpa -> sdpa_backward -> flash_backward, which also rebuilds flash's tiles).
    Module { name: "online_softmax", title: "Online softmax (one pass)", source: include_str!("online_softmax.rs") },
    Module { name: "flash", title: "Flash attention (tiled, FA-2 order)", source: include_str!("flash.rs") },
    Module { name: "sdpa_backward", title: "Backward pass of SDPA", source: include_str!("sdpa_backward.rs") },
    Module {
        name: "flash_backward",
        title: "Flash attention backward pass",
        source: include_str!("flash_backward.rs"),
    },
];

/// How a variant lays out its heads. This decides which head counts a user may
/// choose and how many key/value heads the variant is run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heads {
    /// One attention, no heads to choose.
    Single,
    /// H query heads, each with its own key/value head (G = H).
    OneKvPerQuery,
    /// H query heads sharing G key/value heads, G chosen by the user.
    Grouped,
    /// H query heads sharing a single key/value head (G = 1).
    SharedKv,
}

/// A variant that can be run on random inputs, with what sets it apart.
///
/// The descriptive fields name the inputs as the variant's function does
/// (`x`, `memory`, `query`, `q`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantInfo {
    /// Short name, as typed on the command line.
    pub name: &'static str,
    /// Other names accepted for it (compared ignoring case, `-` and `_`).
    pub aliases: &'static [&'static str],
    /// A one-line title.
    pub title: &'static str,
    /// The [`MODULES`] entry whose source implements it.
    pub module: &'static str,
    /// Which sequence attends to which.
    pub attends: &'static str,
    /// Where the queries come from.
    pub queries: &'static str,
    /// Where the keys and values come from.
    pub keys_values: &'static str,
    /// How a query is scored against a key.
    pub score: &'static str,
    /// The gate on the heads, `-` if there is none.
    pub gate: &'static str,
    /// How the heads are laid out.
    pub heads: Heads,
    /// How it tells positions apart.
    pub positions: Positions,
    /// How its time and memory grow with the length.
    pub cost: Cost,
    /// What [`measure::measure`] runs for it.
    pub measured_as: measure::Variant,
}

/// How a variant tells positions apart, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// Nothing in the attention itself: it is blind to order (a model adds
    /// learned or sinusoidal vectors to x before it; a causal mask gives order
    /// only implicitly).
    None,
    /// Rotary: q and k turned by position-dependent angles ([`rope`](super::rope)).
    Rope,
    /// MLA's decoupled RoPE: only a d_r-wide part of q and one shared key is rotated.
    DecoupledRope,
    /// Sinusoidal encodings added to x before the projections ([`sinusoidal`](super::sinusoidal)).
    Sinusoidal,
    /// ALiBi: a bias −m_h·(i − j) added to the scores ([`alibi`](super::alibi)).
    Alibi,
}

impl Positions {
    /// A few words for a table cell.
    pub fn describe(self) -> &'static str {
        match self {
            Positions::None => "none",
            Positions::Rope => "RoPE on q, k",
            Positions::DecoupledRope => "decoupled RoPE, d_r",
            Positions::Sinusoidal => "sinusoidal, on x",
            Positions::Alibi => "ALiBi score bias",
        }
    }
}

/// How a variant's attention grows with the sequence length L, as the
/// reference computes it (the projections, O(L·D²), are left out; they do not
/// depend on how tokens attend).
///
/// Symbols: L tokens (S keys where they differ), D model width, d head width,
/// H query heads, G key/value heads, d_c a latent width, d_r a rotary width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Time of the attention over L tokens, or of one decode step (`/token`).
    pub time: &'static str,
    /// Memory it holds beyond inputs and outputs: the scores or weights, or the cache.
    pub memory: &'static str,
    /// Where the reference differs from an optimised kernel, or a caveat.
    pub note: Option<&'static str>,
}

/// The cost of every full-attention variant with H heads over L tokens:
/// H·L² scores of width d = D/H.
const FULL_HEADS: Cost = Cost { time: "O(L²·D)", memory: "O(H·L²)", note: None };

/// The cost of one head over raw inputs of width d (= D).
const ONE_HEAD: Cost = Cost { time: "O(L²·d)", memory: "O(L²)", note: None };

/// The score rule of every dot-product variant.
const SCALED_DOT: &str = "Q·Kᵀ/√d_k";

/// No gate.
const NO_GATE: &str = "-";

/// Every runnable variant, simplest first.
pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "sdpa",
        aliases: &["scaled-dot-product"],
        title: "Scaled dot-product attention",
        module: "sdpa",
        attends: "q to k",
        queries: "q",
        keys_values: "k, v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: ONE_HEAD,
        measured_as: measure::Variant::Sdpa,
    },
    VariantInfo {
        name: "mha",
        aliases: &["multi-head"],
        title: "Multi-head attention",
        module: "mha",
        attends: "query to key",
        queries: "query·W_q",
        keys_values: "key·W_k, value·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::None,
        cost: FULL_HEADS,
        measured_as: measure::Variant::MultiHead,
    },
    VariantInfo {
        name: "self_attention",
        aliases: &["self"],
        title: "Multi-head self-attention",
        module: "self_attention",
        attends: "x to itself",
        queries: "x·W_q",
        keys_values: "x·W_k, x·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::None,
        cost: FULL_HEADS,
        measured_as: measure::Variant::SelfAttention,
    },
    VariantInfo {
        name: "cross_attention",
        aliases: &["cross", "encoder-decoder"],
        title: "Multi-head cross-attention",
        module: "cross_attention",
        attends: "x to memory",
        queries: "x·W_q",
        keys_values: "memory·W_k, memory·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::None,
        cost: Cost { time: "O(L·S·D)", memory: "O(H·L·S)", note: None },
        measured_as: measure::Variant::CrossAttention,
    },
    VariantInfo {
        name: "gated",
        aliases: &["gated-self-attention"],
        title: "Gated multi-head self-attention",
        module: "gated",
        attends: "x to itself",
        queries: "x·W_q",
        keys_values: "x·W_k, x·W_v",
        score: SCALED_DOT,
        gate: "sigmoid(x·W_g) ⊙ heads",
        heads: Heads::OneKvPerQuery,
        positions: Positions::None,
        cost: FULL_HEADS,
        measured_as: measure::Variant::Gated,
    },
    VariantInfo {
        name: "gqa",
        aliases: &["grouped-query"],
        title: "Grouped-query attention",
        module: "gqa",
        attends: "query to key",
        queries: "query·W_q",
        keys_values: "key·W_k, value·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::Grouped,
        positions: Positions::None,
        cost: FULL_HEADS,
        measured_as: measure::Variant::GroupedQuery,
    },
    VariantInfo {
        name: "mqa",
        aliases: &["multi-query"],
        title: "Multi-query attention",
        module: "gqa",
        attends: "query to key",
        queries: "query·W_q",
        keys_values: "key·W_k, value·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::SharedKv,
        positions: Positions::None,
        cost: FULL_HEADS,
        measured_as: measure::Variant::GroupedQuery,
    },
    VariantInfo {
        name: "additive",
        aliases: &["bahdanau"],
        title: "Additive (Bahdanau) attention, d_a = D",
        module: "additive",
        attends: "q to k",
        queries: "q·W_q",
        keys_values: "k·W_k, v",
        score: "v_a·tanh(Q + K)",
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: Cost {
            time: "O(L²·D)",
            memory: "O(L²)",
            note: Some("each score is v_a·tanh of a D-wide sum: d_a = D operations per pair"),
        },
        measured_as: measure::Variant::Additive,
    },
    VariantInfo {
        name: "luong_dot",
        aliases: &["luong", "dot"],
        title: "Luong dot attention (unscaled)",
        module: "luong",
        attends: "q to k",
        queries: "q",
        keys_values: "k, v",
        score: "Q·Kᵀ",
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: ONE_HEAD,
        measured_as: measure::Variant::LuongDot,
    },
    VariantInfo {
        name: "luong_general",
        aliases: &["general"],
        title: "Luong general attention",
        module: "luong",
        attends: "q to k",
        queries: "q",
        keys_values: "k, v",
        score: "Q·W_a·Kᵀ",
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: ONE_HEAD,
        measured_as: measure::Variant::LuongGeneral,
    },
    // The modern decoder: positions, the cache, windows, sinks, then tiles.
    VariantInfo {
        name: "rope",
        aliases: &["rotary"],
        title: "Causal multi-head self-attention with RoPE",
        module: "rope",
        attends: "x to its past",
        queries: "RoPE(x·W_q)",
        keys_values: "RoPE(x·W_k), x·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::Rope,
        cost: FULL_HEADS,
        measured_as: measure::Variant::Rope,
    },
    VariantInfo {
        name: "kv_cache",
        aliases: &["decode", "decode_step"],
        title: "GQA decoding over a KV cache (prefill, then one token per call)",
        module: "kv_cache",
        attends: "new tokens to the cache",
        queries: "RoPE(x·W_q)",
        keys_values: "cached RoPE(x·W_k), x·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::Grouped,
        positions: Positions::Rope,
        cost: Cost {
            time: "O(L·D)/token",
            memory: "O(L·G·d)",
            note: Some("per decoded token: H heads read all L cached rows; the cache grows by 2·G·d per token"),
        },
        measured_as: measure::Variant::KvCache,
    },
    VariantInfo {
        name: "sliding_window",
        aliases: &["window", "swa", "local"],
        title: "Grouped-query self-attention with a sliding window",
        module: "sliding_window",
        attends: "x to its last W",
        queries: "x·W_q",
        keys_values: "x·W_k, x·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::Grouped,
        positions: Positions::None,
        cost: Cost {
            time: "O(L²·D)",
            memory: "O(H·L²)",
            note: Some(
                "the reference scores all L² pairs and masks all but W per row; a banded kernel needs O(L·W·D) time, O(H·L·W) memory",
            ),
        },
        measured_as: measure::Variant::SlidingWindow,
    },
    VariantInfo {
        name: "sinks",
        aliases: &["sink", "attention_sink"],
        title: "Attention with a learned sink logit",
        module: "sinks",
        attends: "q to k, or nothing",
        queries: "q",
        keys_values: "k, v",
        score: "Q·Kᵀ/√d_k + sink",
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: ONE_HEAD,
        measured_as: measure::Variant::Sinks,
    },
    VariantInfo {
        name: "decoder",
        aliases: &["gpt-oss", "gpt_oss_decoder"],
        title: "gpt-oss-style decoder attention (GQA, RoPE, window, sinks, KV cache)",
        module: "decoder",
        attends: "new tokens to last W",
        queries: "RoPE(x·W_q)",
        keys_values: "cached RoPE(x·W_k), x·W_v",
        score: "Q·Kᵀ/√d_k + sink",
        gate: NO_GATE,
        heads: Heads::Grouped,
        positions: Positions::Rope,
        cost: Cost {
            time: "O(L·D)/token",
            memory: "O(L·G·d)",
            note: Some(
                "the reference keeps and scores every cached row, masking all but the last W; a ring buffer of W rows makes it O(W·D) per token, O(W·G·d) memory",
            ),
        },
        measured_as: measure::Variant::Decoder,
    },
    VariantInfo {
        name: "flash",
        aliases: &["flash_attention", "flashattention"],
        title: "Flash attention (FA-2 order, tile by tile)",
        module: "flash",
        attends: "q to k, in tiles",
        queries: "q",
        keys_values: "k, v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: Cost {
            time: "O(L²·d)",
            memory: "O(L·d)",
            note: Some(
                "the same FLOPs as sdpa, but only one block_q × block_k tile of scores at a time, plus the output and lse",
            ),
        },
        measured_as: measure::Variant::Flash,
    },
    // Positions without RoPE, then the 2024–25 architectures.
    VariantInfo {
        name: "sinusoidal",
        aliases: &["sinusoidal_positions"],
        title: "Multi-head self-attention over x + sinusoidal position encodings",
        module: "sinusoidal",
        attends: "x + PE to itself",
        queries: "(x + PE)·W_q",
        keys_values: "(x + PE)·W_k, (x + PE)·W_v",
        score: SCALED_DOT,
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::Sinusoidal,
        cost: FULL_HEADS,
        measured_as: measure::Variant::Sinusoidal,
    },
    VariantInfo {
        name: "alibi",
        aliases: &["linear_biases"],
        title: "Causal multi-head self-attention with ALiBi distance biases",
        module: "alibi",
        attends: "x to its past",
        queries: "x·W_q",
        keys_values: "x·W_k, x·W_v",
        score: "Q·Kᵀ/√d_k − m_h·(i − j)",
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::Alibi,
        cost: FULL_HEADS,
        measured_as: measure::Variant::Alibi,
    },
    VariantInfo {
        name: "mla",
        aliases: &["latent", "multi_head_latent"],
        title: "Multi-head latent attention decoding over a latent cache (prefill, then one token per call)",
        module: "mla",
        attends: "new tokens to the cache",
        queries: "[q^C | RoPE(q^R)]",
        keys_values: "cached c·W_UK | RoPE key, c·W_UV",
        score: "Q·Kᵀ/√(d_n + d_r)",
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::DecoupledRope,
        cost: Cost {
            time: "O(L·d_c·D)/token",
            memory: "O(L·(d_c+d_r))",
            note: Some(
                "naive form: each step rebuilds every head's keys and values from all L latents; the absorbed form scores the latents directly, O(L·H·(d_c + d_r)) per token",
            ),
        },
        measured_as: measure::Variant::Mla,
    },
    VariantInfo {
        name: "linear_attention",
        aliases: &["linear"],
        title: "Causal linear attention (φ = elu + 1), one head, as a running state",
        module: "linear_attention",
        attends: "q to k, as a recurrence",
        queries: "φ(q)",
        keys_values: "Σ φ(k)ᵀ·v, Σ φ(k)",
        score: "φ(q)·φ(k)ᵀ / Σ",
        gate: NO_GATE,
        heads: Heads::Single,
        positions: Positions::None,
        cost: Cost {
            time: "O(L·d²)",
            memory: "O(d²)",
            note: Some("a d × d state updated once per token (d = D here, one head): no L × L matrix, no cache"),
        },
        measured_as: measure::Variant::LinearAttention,
    },
    VariantInfo {
        name: "differential",
        aliases: &["diff", "diff_transformer"],
        title: "Differential attention (P1 − λ·P2, per-head RMSNorm ×(1 − λ_init), layer 0)",
        module: "differential",
        attends: "x to itself",
        queries: "x·W_q, two halves",
        keys_values: "x·W_k, two halves; x·W_v",
        score: "Q_t·K_tᵀ/√d, P1 − λ·P2",
        gate: NO_GATE,
        heads: Heads::OneKvPerQuery,
        positions: Positions::None,
        cost: Cost {
            time: "O(L²·D)",
            memory: "O(H·L²)",
            note: Some("two softmax maps per head, each of half width: 2H·L² weights, the same FLOPs as mha"),
        },
        measured_as: measure::Variant::Differential,
    },
];

impl VariantInfo {
    /// Whether `name` is this variant's name or one of its aliases.
    pub fn is_called(&self, name: &str) -> bool {
        std::iter::once(self.name).chain(self.aliases.iter().copied()).any(|n| same_name(n, name))
    }
}

/// The variant called `name` (its name or an alias, ignoring case, `-` and `_`).
pub fn find_variant(name: &str) -> Option<&'static VariantInfo> {
    VARIANTS.iter().find(|v| v.is_called(name))
}

/// The module called `name`, or the module implementing the variant called
/// `name` (ignoring case, `-` and `_`).
pub fn find(name: &str) -> Option<&'static Module> {
    let module_name = MODULES.iter().find(|m| same_name(m.name, name)).map(|m| m.name);
    let module_name = module_name.or_else(|| find_variant(name).map(|v| v.module))?;
    MODULES.iter().find(|m| m.name == module_name)
}

/// Whether two names are equal once case and the `-`/`_` difference are ignored.
fn same_name(a: &str, b: &str) -> bool {
    let canonical = |s: &str| s.trim().to_lowercase().replace('-', "_");
    canonical(a) == canonical(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_points_at_a_module() {
        for variant in VARIANTS {
            assert!(MODULES.iter().any(|m| m.name == variant.module), "{} -> {}", variant.name, variant.module);
        }
    }

    #[test]
    fn every_variant_states_its_cost_in_the_length() {
        for v in VARIANTS {
            assert!(v.cost.time.starts_with("O(") && v.cost.memory.starts_with("O("), "{}", v.name);
            assert!(v.cost.time.contains('L') || v.cost.note.is_some(), "{}", v.name);
        }
        // The ones the interview asks about.
        assert_eq!(find_variant("flash").unwrap().cost.memory, "O(L·d)");
        assert_eq!(find_variant("linear").unwrap().cost.memory, "O(d²)");
        assert_eq!(find_variant("rotary").unwrap().positions, Positions::Rope);
        assert_eq!(find_variant("mla").unwrap().positions, Positions::DecoupledRope);
    }

    #[test]
    fn no_name_is_taken_twice() {
        for (i, a) in VARIANTS.iter().enumerate() {
            for b in &VARIANTS[i + 1..] {
                assert!(!b.is_called(a.name) && a.aliases.iter().all(|alias| !b.is_called(alias)), "{}", a.name);
            }
        }
    }

    #[test]
    fn names_ignore_case_dashes_and_underscores() {
        assert_eq!(find("Self-Attention").unwrap().name, "self_attention");
        assert_eq!(find("bahdanau").unwrap().name, "additive");
        assert_eq!(find("softmax").unwrap().name, "softmax");
        assert_eq!(find_variant("multi_head").unwrap().name, "mha");
        assert!(find("no_such_variant").is_none());
        assert_eq!(find("Flash").unwrap().name, "flash");
        assert!(find_variant("softmax").is_none());
        assert_eq!(find_variant("gpt-oss").unwrap().name, "decoder");
        assert_eq!(find("SWA").unwrap().name, "sliding_window");
    }
}
