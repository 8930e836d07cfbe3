//! `attn-quiz trace`: run one variant on random inputs and show every step.
//!
//! The shapes are those the reference reported while it ran (through
//! [`crate::trace`]), batched by [`crate::measure`]; the parameter count, FLOPs and
//! bytes come from the same run. Nothing is written beside the code.
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
use crate::measure::{Config, Measurement};
use crate::reference::catalog::{Heads, VariantInfo};
use colored::Colorize;

/// One run of a variant: what ran, at which sizes, and what it showed.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The report: a heading with the sizes, the steps with their shapes, the costs.
    pub fn render(&self) -> String {
        let heading = format!("{}: {}", self.variant.name, self.variant.title);
        let m = &self.measurement;
        format!(
            "{}\n{}\n\n{}\nPer-head steps are [N, heads, rows, cols]; the others [N, rows, cols].\n\
             Result: output {:?}, attention weights {:?}.\n\n{}",
            heading.bold(),
            self.describe_sizes(),
            self.steps_table(),
            m.output_shape,
            m.weights_shape,
            self.costs_table()
        )
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
        parts.push(if c.causal { "causal mask" } else { "no mask" }.to_string());
        parts.push(format!("seed {}", c.seed));
        parts.join(", ")
    }

    /// Every step in the order the reference took it, with its batched shape.
    fn steps_table(&self) -> String {
        let mut table = Table::new(&[("step", Align::Left), ("shape", Align::Left)]);
        for step in &self.measurement.steps {
            table.row(vec![step.name.to_string(), format!("{:?}", step.shape)]);
        }
        table.render()
    }

    /// Parameters, FLOPs and bytes of this configuration.
    fn costs_table(&self) -> String {
        let m = &self.measurement;
        let mut table = Table::new(&[("cost", Align::Left), ("value", Align::Right)]);
        let costs = [
            ("parameters (learned numbers)".to_string(), m.parameters as u64),
            (format!("FLOPs of the scores, {}", self.variant.score), m.score_flops),
            ("FLOPs of weights·V".to_string(), m.value_flops),
            ("attention weights of the batch, bytes (f32)".to_string(), m.attention_bytes),
            ("KV cache per token and layer, bytes (f32)".to_string(), m.kv_cache_bytes_per_token),
        ];
        for (cost, value) in costs {
            table.row(vec![cost, with_thousands(value)]);
        }
        table.render()
    }
}
