//! `attn-quiz reset`.

use std::process::ExitCode;

/// Arguments of `attn-quiz reset`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz reset`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz reset` is not available yet")
}
