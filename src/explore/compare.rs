//! `attn-quiz compare`: every variant in one table.
//!
//! The descriptive columns come from the catalog's per-variant records
//! ([`catalog::VARIANTS`]): what attends to what, the gate, the positional
//! scheme ([`catalog::Positions`]) and the growth of time and memory in the
//! length ([`catalog::Cost`], with its notes); the head counts, parameters and
//! KV-cache bytes from running each variant ([`crate::measure`]). A variant
//! added to the catalog appears here with no change to this file. The columns
//! are split over three tables so that each stays under 100 characters wide.
//!
//! ```
//! use attn_quiz::explore::{compare, sizes::Sizes};
//!
//! let rows = compare::rows(&Sizes::default())?;
//! let mha = rows.iter().find(|r| r.variant.name == "mha").unwrap();
//! assert_eq!(mha.parameters, 4 * 512 * 512 + 4 * 512); // D = 512
//! # Ok::<(), attn_quiz::explore::Error>(())
//! ```

use super::sizes::Sizes;
use super::table::{Align, Table};
use super::{Error, measure_at, with_thousands};
use crate::measure::Measurement;
use crate::reference::catalog::{self, Heads, VariantInfo};
use colored::Colorize;

/// One variant's line in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The variant, with its descriptive fields.
    pub variant: &'static VariantInfo,
    /// Query heads H, counted in the run (1 for single-head variants).
    pub query_heads: usize,
    /// Key/value heads G, counted in the run (1 for single-head variants).
    pub kv_heads: usize,
    /// Learned numbers in the weights.
    pub parameters: usize,
    /// Bytes (f32) one token adds to the key and value cache of one layer
    /// (mla: its latent and rotary key; linear attention: 0).
    pub kv_cache_bytes_per_token: u64,
    /// Bytes (f32) of a fixed-size state kept instead of a cache (linear attention), else 0.
    pub state_bytes: u64,
    /// How many past tokens a decoder built on it must keep in its cache:
    /// `None` for all of them, `Some(W)` for a sliding window of W.
    pub cache_window: Option<usize>,
}

/// Measures every variant at the model width and head counts of `sizes`
/// (one sequence of one token: the columns do not depend on N or L).
///
/// # Errors
/// Sizes too large to run, or sizes some variant rejects (H not dividing D,
/// G not dividing H, a zero size).
pub fn rows(sizes: &Sizes) -> Result<Vec<Row>, Error> {
    let one_token = Sizes { batch: Some(1), len: Some(1), kv_len: None, causal: false, ..sizes.clone() };
    catalog::VARIANTS.iter().map(|variant| row(variant, &one_token)).collect()
}

/// Measures one variant.
fn row(variant: &'static VariantInfo, sizes: &Sizes) -> Result<Row, Error> {
    let m = measure_at(variant, &sizes.config(variant))?;
    Ok(Row {
        variant,
        query_heads: query_heads(&m),
        kv_heads: kv_heads(&m, variant),
        parameters: m.parameters,
        kv_cache_bytes_per_token: m.kv_cache_bytes_per_token,
        state_bytes: m.state_bytes,
        cache_window: variant.measured_as.has_window().then_some(sizes.config(variant).window),
    })
}

/// H: the head axis of the attention weights, [N, H, L, S] (single-head variants: [N, L, S]).
fn query_heads(m: &Measurement) -> usize {
    if m.weights_shape.len() == 4 { m.weights_shape[1] } else { 1 }
}

/// G: the head axis of the key heads, [N, G, S, d_k], if the variant reports its keys split into
/// heads; otherwise H for a variant with a key/value head per query head (alibi, differential), else 1.
fn kv_heads(m: &Measurement, variant: &VariantInfo) -> usize {
    let reported = m.steps.iter().find(|s| s.name == "k_heads").map(|s| s.shape[1]);
    reported.unwrap_or(if variant.heads == Heads::OneKvPerQuery { query_heads(m) } else { 1 })
}

/// The comparison as three tables, each at most 100 columns wide at the default
/// sizes: what attends to what; heads, weights and positions; costs in the
/// length and the cache. Every cell comes from the catalog or the run.
pub fn render(rows: &[Row], sizes: &Sizes) -> String {
    let heading = format!("All variants at D={}:", sizes.d_model());
    format!(
        "{}

{}
{}
{}",
        heading.bold(),
        what_attends(rows),
        heads_and_positions(rows),
        costs(rows)
    )
}

/// Which sequence attends to which, and through what.
fn what_attends(rows: &[Row]) -> String {
    let mut table = Table::new(&[
        ("variant", Align::Left),
        ("attends", Align::Left),
        ("queries", Align::Left),
        ("keys, values", Align::Left),
    ]);
    for v in rows.iter().map(|row| row.variant) {
        table.row(vec![v.name.to_string(), v.attends.to_string(), v.queries.to_string(), v.keys_values.to_string()]);
    }
    table.render()
}

/// The gate, the heads, the learned numbers and the positional scheme.
fn heads_and_positions(rows: &[Row]) -> String {
    let mut table = Table::new(&[
        ("variant", Align::Left),
        ("gate", Align::Left),
        ("H", Align::Right),
        ("G", Align::Right),
        ("parameters", Align::Right),
        ("positions", Align::Left),
    ]);
    for row in rows {
        let v = row.variant;
        table.row(vec![
            v.name.to_string(),
            v.gate.to_string(),
            row.query_heads.to_string(),
            row.kv_heads.to_string(),
            with_thousands(row.parameters as u64),
            v.positions.describe().to_string(),
        ]);
    }
    format!(
        "{}\nH, G: query and key/value heads, counted in each variant's run.\n\
         Parameters: learned numbers, biases included.\n\
         Positions: how the attention itself tells positions apart. none: it is blind to order; a model\n\
         adds learned or sinusoidal vectors to x before it (a causal mask gives order only implicitly).\n",
        table.render()
    )
}

/// Time and memory in the length L, next to what a token costs in the cache.
fn costs(rows: &[Row]) -> String {
    let window = |row: &Row| match (row.cache_window, row.state_bytes) {
        (Some(w), _) => format!("last W={w}"),
        (None, 0) => "all tokens".to_string(),
        (None, bytes) => format!("no cache: a {} B state", with_thousands(bytes)),
    };
    let marked = |text: &str, row: &Row| if row.variant.cost.note.is_some() { format!("{text}*") } else { text.into() };
    let mut table = Table::new(&[
        ("variant", Align::Left),
        ("time", Align::Left),
        ("memory", Align::Left),
        ("KV cache/token", Align::Right),
        ("cache keeps", Align::Left),
    ]);
    for row in rows {
        let cost = row.variant.cost;
        table.row(vec![
            row.variant.name.to_string(),
            cost.time.to_string(),
            marked(cost.memory, row),
            format!("{} B", with_thousands(row.kv_cache_bytes_per_token)),
            window(row),
        ]);
    }
    let notes: String = rows
        .iter()
        .filter_map(|row| row.variant.cost.note.map(|note| wrap(&format!("{}: {note}.", row.variant.name), 96)))
        .collect();
    format!(
        "{}\nTime, memory: how the attention grows with the length, as the reference computes it (the\n\
         projections, O(L·D²), left out). L tokens (S keys in cross-attention), D model width, d head\n\
         width (= D for one head over raw inputs), H, G heads, d_c, d_r mla's latent and rotary widths;\n\
         /token: one decode step over a cache of L tokens. Memory: the scores or weights held, or the\n\
         cache. *: see the note.\n{notes}\
         KV cache/token: f32 bytes one token adds to the key and value cache of one layer: 2·G·d_k·4\n\
         for the projected variants, 2·D·4 for those that attend over their raw k, v, (d_c + d_r)·4 for\n\
         mla (its latent and shared rotary key), 0 for linear_attention, which keeps a fixed state instead.\n\
         Cache keeps: the past tokens a decoding layer must keep; a sliding window of W needs only\n\
         the last W, in a ring buffer (the reference's decoder keeps every row but masks all but W);\n\
         linear_attention keeps its state S and z, d_k·(d_v + 1) numbers, however long the text.\n",
        table.render()
    )
}

/// `text` broken at spaces into lines of at most `width` characters, the first
/// indented by 2, the others by 4, each ending in a newline.
fn wrap(text: &str, width: usize) -> String {
    let mut lines = vec![String::from("  ")];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if line.trim().is_empty() || line.chars().count() + 1 + word.chars().count() <= width {
            if !line.trim().is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(format!("    {word}"));
        }
    }
    lines.into_iter().map(|line| line + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_wrap_at_spaces_with_a_hanging_indent() {
        assert_eq!(wrap("flash: one tile at a time", 14), "  flash: one\n    tile at a\n    time\n");
        assert_eq!(wrap("short", 96), "  short\n");
    }
}
