//! `attn-quiz trace <variant> [sizes]`: run a variant on random inputs and
//! print every step with the shape it produced, then its costs.

use attn_quiz::explore::{self, sizes::Sizes};
use std::process::ExitCode;

/// Arguments of `attn-quiz trace`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Variant to run: sdpa, mha, self_attention, cross_attention, gated, gqa, mqa, additive.
    variant: String,
    /// Batch size N [default: 2].
    #[arg(long, value_name = "N")]
    batch: Option<usize>,
    /// Query length L [default: 10].
    #[arg(long, value_name = "L")]
    len: Option<usize>,
    /// Key/value length S, for variants with a separate key/value sequence [default: L].
    #[arg(long, value_name = "S")]
    kv_len: Option<usize>,
    /// Model width D [default: 512].
    #[arg(long, value_name = "D")]
    d_model: Option<usize>,
    /// Query heads H [default: 8].
    #[arg(long, value_name = "H")]
    heads: Option<usize>,
    /// Key/value heads G, for gqa [default: the largest divisor of H not above H/4].
    #[arg(long, value_name = "G")]
    kv_heads: Option<usize>,
    /// Apply a causal mask (query i sees keys j <= i).
    #[arg(long)]
    causal: bool,
    /// Seed of the random inputs and weights [default: 0].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
}

/// Runs `attn-quiz trace`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let sizes = Sizes {
        batch: args.batch,
        len: args.len,
        kv_len: args.kv_len,
        d_model: args.d_model,
        heads: args.heads,
        kv_heads: args.kv_heads,
        causal: args.causal,
        seed: args.seed,
    };
    let trace = explore::trace::run(explore::variant(&args.variant)?, &sizes)?;
    print!("{}", trace.render());
    Ok(ExitCode::SUCCESS)
}
