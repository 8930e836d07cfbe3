//! `attn-quiz show [<name>] [--plain]`: the annotated reference source of a
//! module or variant, or the list of modules.

use attn_quiz::explore::source;
use std::process::ExitCode;

/// Arguments of `attn-quiz show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Module or variant to show (e.g. mha, self-attention, mqa); omit to list them.
    name: Option<String>,
    /// No colours, even on a terminal: the source file exactly as it is.
    #[arg(long)]
    plain: bool,
}

/// Runs `attn-quiz show`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    if args.plain {
        colored::control::set_override(false);
    }
    match args.name {
        Some(name) => print!("{}", source::render(source::module(&name)?)),
        None => print!("{}", source::listing()),
    }
    Ok(ExitCode::SUCCESS)
}
