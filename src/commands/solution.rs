//! `attn-quiz solution`.

use std::process::ExitCode;

/// Arguments of `attn-quiz solution`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `attn-quiz solution`.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`attn-quiz solution` is not available yet")
}
