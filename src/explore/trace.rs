//! `attn-quiz trace`: run one variant on random inputs and show every step.
//!
//! The shapes are those the reference reported while it ran (through
//! [`crate::trace`]), batched by [`crate::measure`]; the parameter count, FLOPs and
//! bytes come from the same run. Nothing is written beside the code. (One
//! exception in form, not in substance: for `mla`, [`crate::measure`] itself
//! reports `cached_latent` and `cached_rope_keys` after each call, the shapes of
//! the cache the reference has just grown.)
//!
//! ```
//! use attn_quiz::explore::{sizes::Sizes, trace, variant};
//!
//! let run = trace::run(variant("mha")?, &Sizes { d_model: Some(64), ..Sizes::default() })?;
//! let scores = run.measurement.steps.iter().find(|s| s.name == "scores").unwrap();
//! assert_eq!(scores.shape, [2, 8, 10, 10]); // [N, H, L, S]
//! # Ok::<(), attn_quiz::explore::Error>(())
//! ```

use super::sizes::Sizes;
use super::table::{Align, Table};
use super::{Error, measure_at, with_thousands};
use crate::heatmap;
use crate::measure::{Config, Measurement, Variant};
use crate::reference::catalog::{Heads, VariantInfo};
use colored::Colorize;

/// One run of a variant: what ran, at which sizes, and what it showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The variant.
    pub variant: &'static VariantInfo,
    /// The sizes it ran at, defaults filled in.
    pub config: Config,
    /// Every step's shape and the costs, read off the run.
    pub measurement: Measurement,
}

/// Runs `variant` at `sizes` (defaults for the sizes not given).
///
/// # Errors
/// A size the variant has no use for, sizes too large to run, or sizes the
/// reference rejects (zero, H not dividing D, G not dividing H, S ≠ L with a
/// causal mask).
pub fn run(variant: &'static VariantInfo, sizes: &Sizes) -> Result<Trace, Error> {
    sizes.check_applies_to(variant)?;
    let config = sizes.config(variant);
    let measurement = measure_at(variant, &config)?;
    Ok(Trace { variant, config, measurement })
}

impl Trace {
    /// The first batch element's attention weights as heatmaps, one per head
    /// (of the last call, for the variants with a cache).
    pub fn heatmaps(&self, options: &heatmap::Options) -> String {
        let weights = &self.measurement.weights;
        if weights.is_empty() {
            return format!("{} keeps no attention weights to draw (only the log-sum-exp).\n", self.variant.name);
        }
        let call = match self.measurement.calls.len() {
            0 | 1 => String::new(),
            n => format!(", call {n} of {n}"),
        };
        format!(
            "Attention weights of batch element 0{call} (rows: queries, columns: keys):\n\n{}",
            heatmap::render_heads(weights, options)
        )
    }

    /// The report: a heading with the sizes, the steps with their shapes, the costs.
    pub fn render(&self) -> String {
        let heading = format!("{}: {}", self.variant.name, self.variant.title);
        let m = &self.measurement;
        format!(
            "{}\n{}\n\n{}\nPer-head steps are [N, heads, rows, cols]; the others [N, rows, cols]{}.{}\n\
             Result: output {:?}, {} {:?}.\n\n{}",
            heading.bold(),
            self.describe_sizes(),
            self.steps_table(),
            self.repeats_note(),
            self.variant_note(),
            m.output_shape,
            self.weights_name(),
            m.weights_shape,
            self.costs_table()
        )
    }

    /// What the second result is called.
    fn weights_name(&self) -> &'static str {
        match self.variant.measured_as {
            Variant::Flash => "log-sum-exp per query (no weights are kept)",
            Variant::LinearAttention => "final state S (d_k × d_v; no L × L weights exist)",
            Variant::Differential => "differential maps P1 − λ·P2",
            v if v.uses_cache() => "attention weights of the last call",
            _ => "attention weights",
        }
    }

    /// Explains `×k` after a shape, if any step repeats.
    fn repeats_note(&self) -> &'static str {
        if self.measurement.steps.iter().any(|s| s.repeats > 1) {
            "; ×k: reported k times with that shape (one per tile)"
        } else {
            ""
        }
    }

    /// A line on what is particular to this variant's steps, if anything.
    fn variant_note(&self) -> String {
        let c = &self.config;
        match self.variant.measured_as {
            Variant::Differential => format!(
                "\nEach head reports its two maps: scores, weights and weighted_values count 2H = {} heads\n\
                 of half-width d = D/(2H) = {}; λ_init = {:.2} (layer 0).",
                2 * c.heads,
                c.d_model / (2 * c.heads),
                crate::reference::differential::DifferentialWeights::lambda_init_at(0)
            ),
            Variant::LinearAttention => {
                "\nThe state S (d_k × d_v) and z (d_k) are updated once per key and read once\n\
                 per query; their size does not depend on L."
                    .to_string()
            }
            Variant::Mla if c.absorbed => {
                "\nAbsorbed: q_latent = q^C·W_UKᵀ meets the cached latents directly (each score a dot product\n\
                 over d_c + d_r columns); no per-head key or value is built. cached_*: the cache after each call."
                    .to_string()
            }
            Variant::Mla => "\nNaive: every call rebuilds each head's keys [c·W_UK | rotary key] from all cached\n\
                 latents (--absorbed: scores against the latents instead). cached_*: the cache after each call."
                .to_string(),
            _ => String::new(),
        }
    }

    /// The sizes that matter for this variant, e.g. `N=2, L=10, S=10, D=512, H=8, no mask, seed 0`.
    fn describe_sizes(&self) -> String {
        let c = &self.config;
        let mut parts = vec![format!("N={}", c.batch), format!("L={}", c.len)];
        if !self.variant.measured_as.is_self_attention() {
            parts.push(format!("S={}", c.kv_len));
        }
        parts.push(format!("D={}", c.d_model));
        if self.variant.heads != Heads::Single {
            parts.push(format!("H={}", c.heads));
        }
        if matches!(self.variant.heads, Heads::Grouped | Heads::SharedKv) {
            parts.push(format!("G={}", c.kv_heads));
        }
        let measured = self.variant.measured_as;
        if measured == Variant::Flash {
            parts.push(format!("block_q={}, block_k={}", c.block_q, c.block_k));
        }
        if measured.uses_cache() {
            parts.push(format!("prefill P={} then {} decode call(s)", c.prefill, c.len - c.prefill));
        }
        if measured.has_window() {
            parts.push(format!("window W={}", c.window));
        }
        if measured == Variant::Mla {
            let form = if c.absorbed { "absorbed" } else { "naive" };
            parts.push(format!("d_c={}, d_r={}, {form} form", c.latent, c.rope_dim));
        }
        parts.push(match (measured.is_always_causal(), c.causal) {
            (true, _) => "causal".to_string(),
            (false, true) => "causal mask".to_string(),
            (false, false) => "no mask".to_string(),
        });
        parts.push(format!("seed {}", c.seed));
        parts.join(", ")
    }

    /// Every step in the order the reference took it, with its batched shape.
    /// Calls of a KV-cache variant get a first column naming the call (prefill
    /// or decode, with the positions of its tokens), on the call's first step.
    fn steps_table(&self) -> String {
        let m = &self.measurement;
        let shape = |step: &crate::measure::MeasuredStep| match step.repeats {
            1 => format!("{:?}", step.shape),
            k => format!("{:?} ×{k}", step.shape),
        };
        if !self.variant.measured_as.uses_cache() {
            let mut table = Table::new(&[("step", Align::Left), ("shape", Align::Left)]);
            for step in &m.steps {
                table.row(vec![step.name.to_string(), shape(step)]);
            }
            return table.render();
        }
        let mut table = Table::new(&[("call", Align::Left), ("step", Align::Left), ("shape", Align::Left)]);
        let mut previous = None;
        for step in &m.steps {
            let label = if previous == Some(step.call) { String::new() } else { call_label(m, step.call) };
            previous = Some(step.call);
            table.row(vec![label, step.name.to_string(), shape(step)]);
        }
        table.render()
    }

    /// Parameters, FLOPs and bytes of this configuration.
    fn costs_table(&self) -> String {
        let m = &self.measurement;
        let mut table = Table::new(&[("cost", Align::Left), ("value", Align::Right)]);
        let linear = self.variant.measured_as == Variant::LinearAttention;
        let mut costs = vec![("parameters (learned numbers)".to_string(), m.parameters as u64)];
        if linear {
            costs.push(("FLOPs of the state updates φ(k)ᵀ·v".to_string(), m.score_flops));
            costs.push(("FLOPs of the reads φ(q)·S".to_string(), m.value_flops));
        } else {
            costs.push((format!("FLOPs of the scores, {}", self.variant.score), m.score_flops));
            costs.push(("FLOPs of weights·V".to_string(), m.value_flops));
            costs.push(("attention weights of the batch, bytes (f32)".to_string(), m.attention_bytes));
        }
        costs.push(("KV cache per token and layer, bytes (f32)".to_string(), m.kv_cache_bytes_per_token));
        if linear {
            costs.push(("fixed state S and z of one sequence, bytes (f32)".to_string(), m.state_bytes));
        }
        if self.variant.measured_as == Variant::Flash {
            costs.push(("largest score tile held at once, bytes (f32)".to_string(), m.largest_scores_bytes));
        }
        if let Some(bytes) = self.final_cache_bytes() {
            costs.push(("KV cache of the batch after the last call, bytes (f32)".to_string(), bytes));
        }
        for (cost, value) in costs {
            table.row(vec![cost, with_thousands(value)]);
        }
        table.render()
    }

    /// The bytes of the cache after the last call, read off the last call's
    /// `cached_*` steps (KV-cache variants: keys and values; mla: latents and
    /// rotary keys).
    fn final_cache_bytes(&self) -> Option<u64> {
        let m = &self.measurement;
        let last_call = m.calls.len().checked_sub(1)?;
        if !self.variant.measured_as.uses_cache() {
            return None;
        }
        let cached = m.steps.iter().filter(|s| s.call == last_call && s.name.starts_with("cached_"));
        let bytes: u64 = cached.map(|step| step.shape.iter().product::<usize>() as u64 * 4).sum();
        (bytes > 0).then_some(bytes)
    }
}

/// "prefill 0..6" or "decode 7": the call and the positions of its tokens.
fn call_label(m: &Measurement, call: usize) -> String {
    let c = m.calls[call];
    match (call, c.tokens) {
        (0, 1) => format!("prefill {}", c.start),
        (0, t) => format!("prefill {}..{}", c.start, c.start + t - 1),
        (_, 1) => format!("decode {}", c.start),
        (_, t) => format!("decode {}..{}", c.start, c.start + t - 1),
    }
}
