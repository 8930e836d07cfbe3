//! `attn-quiz hint`.

use std::process::ExitCode;

/// Arguments of `attn-quiz hint`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz hint`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz hint` is not available yet")
}
