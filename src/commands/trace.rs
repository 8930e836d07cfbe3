//! `attn-quiz trace <variant> [sizes]`: run a variant on random inputs and
//! print every step with the shape it produced, then its costs.

use attn_quiz::explore::sizes::{DEFAULT_BATCH, DEFAULT_D_MODEL, DEFAULT_HEADS, DEFAULT_LEN, DEFAULT_SEED, Sizes};
use attn_quiz::explore::{trace, variant, variant_names};
use attn_quiz::heatmap;
use std::process::ExitCode;

/// Arguments of `attn-quiz trace`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(help = format!("Variant to run: {}", variant_names()))]
    variant: String,
    /// Batch size N.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH)]
    batch: usize,
    /// Query length L.
    #[arg(long, value_name = "L", default_value_t = DEFAULT_LEN)]
    len: usize,
    /// Key/value length S, for variants with a separate key/value sequence [default: L].
    #[arg(long, value_name = "S")]
    kv_len: Option<usize>,
    /// Model width D.
    #[arg(long, value_name = "D", default_value_t = DEFAULT_D_MODEL)]
    d_model: usize,
    // An Option, so that giving it to a single-head variant can be refused.
    #[arg(long, value_name = "H", help = format!("Query heads H, for multi-head variants [default: {DEFAULT_HEADS}]"))]
    heads: Option<usize>,
    /// Key/value heads G, for gqa, kv_cache, sliding_window and decoder [default: the largest divisor of H not above H/4].
    #[arg(long, value_name = "G")]
    kv_heads: Option<usize>,
    /// Apply a causal mask (query i sees keys j <= i + S − L), for variants that are not always causal.
    #[arg(long)]
    causal: bool,
    /// Sliding window W: keys each query sees, itself included (sliding_window, decoder) [default: 4].
    #[arg(long, value_name = "W")]
    window: Option<usize>,
    /// Tokens of the first call; the other L − P are decoded one per call (kv_cache, decoder) [default: L − 3, at least 1].
    #[arg(long, value_name = "P")]
    prefill: Option<usize>,
    /// Query block size of flash [default: 4].
    #[arg(long, value_name = "B")]
    block_q: Option<usize>,
    /// Key block size of flash [default: 4].
    #[arg(long, value_name = "B")]
    block_k: Option<usize>,
    /// Latent width d_c of mla [default: 4·D/H].
    #[arg(long, value_name = "D_C")]
    latent: Option<usize>,
    /// Rotary width d_r of mla's queries and shared key, even [default: D/(2H), even, at least 2].
    #[arg(long, value_name = "D_R")]
    rope_dim: Option<usize>,
    /// Run mla in its absorbed form: W_UK in the query, scores against the cached latents.
    #[arg(long)]
    absorbed: bool,
    /// Seed of the random inputs and weights.
    #[arg(long, value_name = "SEED", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Also draw the attention weights of the first sequence, one heatmap per head.
    #[arg(long)]
    heatmap: bool,
}

/// Runs `attn-quiz trace`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let sizes = Sizes {
        batch: Some(args.batch),
        len: Some(args.len),
        kv_len: args.kv_len,
        d_model: Some(args.d_model),
        heads: args.heads,
        kv_heads: args.kv_heads,
        causal: args.causal,
        seed: Some(args.seed),
        window: args.window,
        prefill: args.prefill,
        block_q: args.block_q,
        block_k: args.block_k,
        latent: args.latent,
        rope_dim: args.rope_dim,
        absorbed: args.absorbed,
    };
    let trace = trace::run(variant(&args.variant)?, &sizes)?;
    print!("{}", trace.render());
    if args.heatmap {
        print!("\n{}", trace.heatmaps(&heatmap::Options::new(heatmap::Mode::detect())));
    }
    Ok(ExitCode::SUCCESS)
}
