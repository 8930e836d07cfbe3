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
             Result: output {:?}, {} {:?}.\n\n{}{}",
            heading.bold(),
            self.describe_sizes(),
            self.steps_table(),
            self.repeats_note(),
            self.variant_note(),
            m.output_shape,
            self.weights_name(),
            m.weights_shape,
            self.numbers(),
            self.costs_table()
        )
    }

    /// The numbers the reference reported while it ran, where they teach
    /// something: RoPE's angles, flash attention's online softmax per tile.
    /// Each ends with a blank line; empty for the other variants.
    fn numbers(&self) -> String {
        match self.variant.measured_as {
            Variant::Rope => self.rope_angles(),
            Variant::Flash => self.flash_recurrence(),
            _ => String::new(),
        }
    }

    /// The first reading called `name`, if the reference reported one.
    fn reading(&self, name: &str) -> Option<&[f64]> {
        self.measurement.readings.iter().find(|r| r.name == name).map(|r| r.values.as_slice())
    }

    /// θ_i of one head's pairs, with the angle pos·θ_i of each at the positions rotated.
    fn rope_angles(&self) -> String {
        let (Some(theta), Some(positions)) = (self.reading("theta"), self.reading("positions")) else {
            return String::new();
        };
        let rope = crate::measure::ROPE;
        let head_dim = 2 * theta.len();
        let shown_positions = elide(positions.len(), 6);
        let mut columns = vec![
            ("pair i", Align::Right),
            ("columns", Align::Left),
            ("θ_i rad/pos", Align::Right),
            ("turn every", Align::Right),
        ];
        let headers: Vec<String> =
            shown_positions.iter().map(|p| p.map_or("…".to_string(), |p| format!("pos {}", positions[p]))).collect();
        columns.extend(headers.iter().map(|h| (h.as_str(), Align::Right)));
        let mut table = Table::new(&columns);
        for i in elide(theta.len(), 8) {
            let Some(i) = i else {
                table.row(vec!["…".to_string(); columns.len()]);
                continue;
            };
            let (first, second) = crate::reference::rope::pair_columns(i, head_dim, rope.style);
            let mut cells = vec![
                i.to_string(),
                format!("({first}, {second})"),
                number(theta[i]),
                format!("{:.1} pos", std::f64::consts::TAU / theta[i]),
            ];
            cells
                .extend(shown_positions.iter().map(|p| p.map_or("…".to_string(), |p| number(positions[p] * theta[i]))));
            table.row(cells);
        }
        let (lowest, highest) = positions.iter().fold((f64::INFINITY, 0f64), |(lo, hi), &p| (lo.min(p), hi.max(p)));
        let smallest = theta.iter().copied().fold(f64::INFINITY, f64::min);
        format!(
            "RoPE angles (head_dim d = {head_dim}, base {}, {} pairs, alike in every head):\n\
             θ_i = base^(−2i/d) radians per position; pair i of the row at position p turns by p·θ_i.\n\n{}\n\
             Angles at positions {}..{}: from {} (pair {}, position {}) to {} rad (pair 0, position {}).\n\
             Turn every: 2π/θ_i, the positions one full turn takes.\n\n",
            rope.base,
            match rope.style {
                crate::layers::RopeStyle::HalfSplit => "half-split (i, i + d/2)",
                crate::layers::RopeStyle::Interleaved => "interleaved (2i, 2i + 1)",
            },
            table.render(),
            lowest,
            highest,
            number(lowest * smallest),
            theta.len() - 1,
            lowest,
            number(highest * theta[0]),
            highest,
        )
    }

    /// The online softmax of one query row (the last, which sees the most
    /// keys), tile by tile: the running max m, the rescale factor exp(m_old − m)
    /// and the running sum l after each key block.
    fn flash_recurrence(&self) -> String {
        let readings = &self.measurement.readings;
        let c = &self.config;
        let row = c.len - 1;
        let q0 = row / c.block_q * c.block_q;
        let r = row - q0;
        let mut table = Table::new(&[
            ("key block", Align::Left),
            ("running max m", Align::Right),
            ("rescale exp(m_old − m)", Align::Right),
            ("running sum l", Align::Right),
        ]);
        let mut last = None;
        // Each tile reports tile_origin, running_max, running_sum, rescale, in that order.
        for tile in readings.chunks(4).filter(|t| t.len() == 4 && t[0].name == "tile_origin") {
            if tile[0].values[0] as usize != q0 {
                continue;
            }
            let k0 = tile[0].values[1] as usize;
            let k_end = (k0 + c.block_k).min(c.kv_len) - 1;
            let keys = if k_end == k0 { k0.to_string() } else { format!("{k0}..{k_end}") };
            let (m, l, rescale) = (tile[1].values[r], tile[2].values[r], tile[3].values[r]);
            table.row(vec![keys, number(m), number(rescale), number(l)]);
            last = Some((m, l));
        }
        let Some((m, l)) = last else { return String::new() };
        format!(
            "Online softmax of query row {row} (query block {q0}..{}), one key block at a time:\n\n{}\n\
             Each block: m ← max(m, rowmax(S)); l ← exp(m_old − m)·l + rowsum(exp(S − m)); the row's\n\
             accumulator is multiplied by the same factor before exp(S − m)·V_c is added. The first factor\n\
             is exp(−∞ − m) = 0: nothing is rescaled yet; 1 means the max did not grow.\n\
             End: output row = accumulator / l, lse = m + ln l = {} + ln {} = {}.\n\n",
            (q0 + c.block_q).min(c.len) - 1,
            table.render(),
            number(m),
            number(l),
            number(m + l.ln()),
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

/// The indices 0..n to show when at most `keep` fit: all of them, or the
/// first keep − 2, a gap (`None`), and the last one.
fn elide(n: usize, keep: usize) -> Vec<Option<usize>> {
    if n <= keep {
        return (0..n).map(Some).collect();
    }
    (0..keep - 2).map(Some).chain([None, Some(n - 1)]).collect()
}

/// A number for a table: 4 decimals, trailing zeros dropped; scientific below 0.001.
fn number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if x.abs() < 1e-3 {
        return format!("{x:.2e}");
    }
    let fixed = format!("{x:.4}");
    fixed.trim_end_matches('0').trim_end_matches('.').to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::variant;
    use crate::sample::Sampler;

    /// The flash trace's numbers, recomputed by hand from the same inputs: flash
    /// has no weights, so q (6 × 4) and k (9 × 4) are the seed's first draws.
    /// Query row 5 sits in block 4..5 and, aligned causal (j ≤ i + 3), sees all
    /// 9 keys, in blocks 0..3, 4..7 and 8. After each block m is the largest
    /// score so far, l = Σ exp(s_j − m) over the keys so far, and the factor
    /// exp(m_before − m) (0 for the first block, whose m_before is −∞).
    #[test]
    fn flash_reports_the_online_softmax_of_each_tile() {
        let sizes = Sizes {
            batch: Some(1),
            len: Some(6),
            kv_len: Some(9),
            d_model: Some(4),
            causal: true,
            block_q: Some(4),
            block_k: Some(4),
            ..Sizes::default()
        };
        let trace = run(variant("flash").unwrap(), &sizes).unwrap();
        let mut sampler = Sampler::new(trace.config.seed);
        let (q, k) = (sampler.matrix(6, 4), sampler.matrix(9, 4));
        let scores: Vec<f64> = (0..9).map(|j| f64::from(q.row(5).dot(&k.row(j))) / 2.0).collect(); // / √4
        let readings = &trace.measurement.readings;
        let tiles: Vec<_> = readings.chunks(4).filter(|t| t[0].values == [4.0, t[0].values[1]]).collect();
        assert_eq!(tiles.len(), 3);
        let mut m_before = f64::NEG_INFINITY;
        for (tile, end) in tiles.iter().zip([4, 8, 9]) {
            let m = scores[..end].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let l: f64 = scores[..end].iter().map(|s| (s - m).exp()).sum();
            let [_, max, sum, rescale] = tile else { unreachable!() };
            assert!((max.values[1] - m).abs() < 1e-5, "m {} vs {m}", max.values[1]);
            assert!((sum.values[1] - l).abs() < 1e-4, "l {} vs {l}", sum.values[1]);
            assert!((rescale.values[1] - (m_before - m).exp()).abs() < 1e-5);
            m_before = m;
        }
        let text = trace.render();
        assert!(text.contains("Online softmax of query row 5 (query block 4..5)"), "{text}");
        let lse = scores.iter().map(|s| s.exp()).sum::<f64>().ln();
        assert!(text.contains(&format!("= {}.\n", number(lse))), "lse {lse}: {text}");
    }

    /// RoPE at d = 4 (D = 8, H = 2): θ = 10000^(−0/4) = 1 and 10000^(−2/4) = 0.01,
    /// positions 0, 1, 2: angles 0, 1, 2 and 0, 0.01, 0.02 rad.
    #[test]
    fn rope_reports_its_frequencies_and_positions() {
        let sizes = Sizes { len: Some(3), d_model: Some(8), heads: Some(2), ..Sizes::default() };
        let trace = run(variant("rope").unwrap(), &sizes).unwrap();
        let theta = trace.reading("theta").unwrap();
        assert_eq!(theta.len(), 2);
        assert!((theta[0] - 1.0).abs() < 1e-12 && (theta[1] - 0.01).abs() < 1e-12);
        assert_eq!(trace.reading("positions").unwrap(), [0.0, 1.0, 2.0]);
        let text = trace.render();
        assert!(text.contains("     1  (1, 3)          0.01"), "{text}");
        assert!(text.contains("from 0 (pair 1, position 0) to 2 rad (pair 0, position 2)"), "{text}");
    }

    #[test]
    fn numbers_drop_trailing_zeros_and_long_lists_are_elided() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.01), "0.01");
        assert_eq!(number(0.6028), "0.6028");
        assert_eq!(number(1e-4), "1.00e-4");
        assert_eq!(elide(3, 6), [Some(0), Some(1), Some(2)]);
        assert_eq!(elide(10, 4), [Some(0), Some(1), None, Some(9)]);
    }
}
