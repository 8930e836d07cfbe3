//! `attn-quiz compare`.

use std::process::ExitCode;

/// Arguments of `attn-quiz compare`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz compare`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz compare` is not available yet")
}
