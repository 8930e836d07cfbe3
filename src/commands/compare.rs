//! `attn-quiz compare [--d-model D] [--heads H] [--kv-heads G] [--window W] [--latent D_C] [--rope-dim D_R]`: all variants
//! in one table.

use attn_quiz::explore::compare;
use attn_quiz::explore::sizes::{DEFAULT_D_MODEL, DEFAULT_HEADS, Sizes};
use std::process::ExitCode;

/// Arguments of `attn-quiz compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model width D.
    #[arg(long, value_name = "D", default_value_t = DEFAULT_D_MODEL)]
    d_model: usize,
    /// Query heads H of the multi-head variants.
    #[arg(long, value_name = "H", default_value_t = DEFAULT_HEADS)]
    heads: usize,
    /// Key/value heads G of gqa, kv_cache, sliding_window and decoder [default: the largest divisor of H not above H/4].
    #[arg(long, value_name = "G")]
    kv_heads: Option<usize>,
    /// Sliding window W of sliding_window and decoder [default: 4].
    #[arg(long, value_name = "W")]
    window: Option<usize>,
    /// Latent width d_c of mla [default: 4·D/H].
    #[arg(long, value_name = "D_C")]
    latent: Option<usize>,
    /// Rotary width d_r of mla, even [default: D/(2H), even, at least 2].
    #[arg(long, value_name = "D_R")]
    rope_dim: Option<usize>,
}

/// Runs `attn-quiz compare`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let sizes = Sizes {
        d_model: Some(args.d_model),
        heads: Some(args.heads),
        kv_heads: args.kv_heads,
        window: args.window,
        latent: args.latent,
        rope_dim: args.rope_dim,
        ..Sizes::default()
    };
    print!("{}", compare::render(&compare::rows(&sizes)?, &sizes));
    Ok(ExitCode::SUCCESS)
}
