//! `attn-quiz list`.

use std::process::ExitCode;

/// Arguments of `attn-quiz list`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz list`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz list` is not available yet")
}
