//! `attn-quiz stats`.

use std::process::ExitCode;

/// Arguments of `attn-quiz stats`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz stats`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz stats` is not available yet")
}
