//! `attn-quiz init`.

use std::process::ExitCode;

/// Arguments of `attn-quiz init`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz init`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz init` is not available yet")
}
