//! `attn-quiz trace`.

use std::process::ExitCode;

/// Arguments of `attn-quiz trace`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz trace`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz trace` is not available yet")
}
