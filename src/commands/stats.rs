//! `attn-quiz stats`: mastery per topic.

use super::quiz_files::{Opened, QuizFiles};
use attn_quiz::quiz::{mastery, progress};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `attn-quiz stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: QuizFiles,
}

/// Runs `attn-quiz stats`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let Opened { bank, path, progress: saved } = args.files.open()?;
    let rows = mastery::per_topic(&bank, &saved, progress::now());
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
