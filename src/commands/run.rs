//! `attn-quiz run`.

use std::process::ExitCode;

/// Arguments of `attn-quiz run`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz run`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz run` is not available yet")
}
