//! `attn-quiz stats`: mastery per topic.

use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::{mastery, progress};
use colored::Colorize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `attn-quiz stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of the progress file [default: $ATTN_QUIZ_STATE_DIR, else the platform state directory].
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Count the questions in DIR/<topic>.toml instead of the built-in bank (for question authors).
    #[arg(long, value_name = "DIR")]
    bank_dir: Option<PathBuf>,
}

/// Runs `attn-quiz stats`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let bank = Bank::open(args.bank_dir.as_deref())?;
    let path = progress::path(args.state_dir.as_deref())?;
    let loaded = progress::load(&path)?;
    if let Some(warning) = loaded.warning {
        eprintln!("{} {warning}", "warning:".yellow().bold());
    }
    let rows = mastery::per_topic(&bank, &loaded.value, progress::now());
    let mut out = std::io::stdout().lock();
    mastery::write_table(&mut out, &rows)?;
    let seen: usize = rows.iter().map(|(_, counts)| counts.seen).sum();
    if seen == 0 {
        writeln!(out, "\nNo answers recorded in {} yet: start with `attn-quiz run`.", path.display())?;
    } else {
        writeln!(out, "\nMastered: answered right three times in a row, days apart. Progress: {}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
