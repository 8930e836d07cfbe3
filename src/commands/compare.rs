//! `attn-quiz compare [--d-model D] [--heads H] [--kv-heads G]`: all variants
//! in one table.

use attn_quiz::explore::{compare, sizes::Sizes};
use std::process::ExitCode;

/// Arguments of `attn-quiz compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model width D [default: 512].
    #[arg(long, value_name = "D")]
    d_model: Option<usize>,
    /// Query heads H of the multi-head variants [default: 8].
    #[arg(long, value_name = "H")]
    heads: Option<usize>,
    /// Key/value heads G of gqa [default: the largest divisor of H not above H/4].
    #[arg(long, value_name = "G")]
    kv_heads: Option<usize>,
}

/// Runs `attn-quiz compare`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let sizes = Sizes { d_model: args.d_model, heads: args.heads, kv_heads: args.kv_heads, ..Sizes::default() };
    print!("{}", compare::render(&compare::rows(&sizes)?, &sizes));
    Ok(ExitCode::SUCCESS)
}
