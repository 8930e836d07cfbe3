//! `attn-quiz watch`.

use std::process::ExitCode;

/// Arguments of `attn-quiz watch`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz watch`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz watch` is not available yet")
}
