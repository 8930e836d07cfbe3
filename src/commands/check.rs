//! `attn-quiz check`.

use std::process::ExitCode;

/// Arguments of `attn-quiz check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz check`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz check` is not available yet")
}
