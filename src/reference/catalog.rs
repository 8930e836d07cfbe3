//! The reference's own table of contents: every module with its source text.
//!
//! Tools (`attn-quiz show`, the quiz's reference pointers) read this table
//! rather than keeping lists of their own, so a new variant appears everywhere
//! by being added here. The source is embedded at build time from the very
//! files the library is compiled from.
//!
//! ```
//! use attn_quiz::reference::catalog;
//! let gqa = catalog::find("gqa").unwrap();
//! assert!(gqa.source.contains("pub fn grouped_query_attention"));
//! ```

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
    Module { name: "additive", title: "Additive (Bahdanau) attention", source: include_str!("additive.rs") },
    Module { name: "luong", title: "Luong dot and general attention", source: include_str!("luong.rs") },
    Module { name: "batched", title: "The [N, L, D] batch view", source: include_str!("batched.rs") },
];

/// The module called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.name == name)
}
