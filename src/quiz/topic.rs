//! The quiz's topics: one question file per topic, one line per topic in the
//! summary and in `attn-quiz stats`.

/// A topic of the quiz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    /// Identifier used on the command line (`--topic`), in question ids and as
    /// the question file's name.
    pub id: &'static str,
    /// A short title for people.
    pub title: &'static str,
}

/// Shapes of every intermediate, from `[N, L, D]` to the output.
pub const SHAPES: Topic = Topic { id: "shapes", title: "Shapes through attention" };
/// The 1/sqrt(d_k) scale and the stable softmax.
pub const SCALING_SOFTMAX: Topic = Topic { id: "scaling_softmax", title: "Scaling and softmax" };
/// Causal and padding masks, fully masked rows.
pub const MASKS: Topic = Topic { id: "masks", title: "Masks" };
/// Heads: splitting, merging, parameters.
pub const MULTI_HEAD: Topic = Topic { id: "multi_head", title: "Multi-head attention" };
/// Where queries, keys and values come from.
pub const SELF_CROSS: Topic = Topic { id: "self_cross", title: "Self- and cross-attention" };
/// Gated attention.
pub const GATED: Topic = Topic { id: "gated", title: "Gated attention" };
/// Grouped-query and multi-query attention, the KV cache.
pub const GQA_KV_CACHE: Topic = Topic { id: "gqa_kv_cache", title: "GQA, MQA and the KV cache" };
/// The seq2seq scores of Bahdanau and Luong.
pub const ADDITIVE_LUONG: Topic = Topic { id: "additive_luong", title: "Additive and Luong attention" };
/// FLOPs and memory.
pub const COMPLEXITY: Topic = Topic { id: "complexity", title: "FLOPs and memory" };
/// RoPE, position schemes and context extension.
pub const POSITIONS_ROPE: Topic = Topic { id: "positions_rope", title: "Positions and RoPE" };
/// The KV cache in serving: prefill and decode, bytes, paging, quantisation, prefixes.
pub const KV_CACHE_SERVING: Topic = Topic { id: "kv_cache_serving", title: "The KV cache in serving" };
/// Sliding windows, rolling caches and attention sinks.
pub const WINDOWS_SINKS: Topic = Topic { id: "windows_sinks", title: "Sliding windows and sinks" };
/// The online softmax, FlashAttention forward and backward, the softmax backward.
pub const FLASH_ATTENTION: Topic = Topic { id: "flash_attention", title: "FlashAttention and backward" };
/// Position schemes and length extrapolation: sinusoidal, learned, ALiBi, NoPE.
pub const POSITION_SCHEMES: Topic = Topic { id: "position_schemes", title: "Position schemes, ALiBi" };
/// The 2024–25 architectures: MLA, linear, differential and sparse attention.
pub const MODERN_ARCHITECTURES: Topic = Topic { id: "modern_architectures", title: "MLA, linear and sparse" };
/// Attention inside the transformer block.
pub const TRANSFORMER: Topic = Topic { id: "transformer", title: "Attention in the transformer" };

/// Every topic, in the order a learner would meet them.
pub const TOPICS: &[Topic] = &[
    SHAPES,
    SCALING_SOFTMAX,
    MASKS,
    MULTI_HEAD,
    SELF_CROSS,
    GATED,
    GQA_KV_CACHE,
    ADDITIVE_LUONG,
    COMPLEXITY,
    TRANSFORMER,
    POSITIONS_ROPE,
    KV_CACHE_SERVING,
    WINDOWS_SINKS,
    FLASH_ATTENTION,
    POSITION_SCHEMES,
    MODERN_ARCHITECTURES,
];

/// The topic called `id`, if there is one.
pub fn find(id: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.id == id)
}

/// The topic ids separated by commas, for error messages.
pub fn list_ids() -> String {
    TOPICS.iter().map(|t| t.id).collect::<Vec<_>>().join(", ")
}
