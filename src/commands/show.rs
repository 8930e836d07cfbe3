//! `attn-quiz show`.

use std::process::ExitCode;

/// Arguments of `attn-quiz show`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz show`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz show` is not available yet")
}
