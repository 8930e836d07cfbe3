//! The files `run`, `stats` and `mock` share: the question bank and the progress file.

use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::progress::{self, Progress};
use colored::Colorize;
use std::path::PathBuf;

/// Where the quiz commands find their questions and keep progress.
#[derive(Debug, clap::Args)]
pub struct QuizFiles {
    /// Directory of the progress file [default: $ATTN_QUIZ_STATE_DIR, else the platform state directory].
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Use the questions in DIR/<topic>.toml instead of the built-in bank (for question authors).
    #[arg(long, value_name = "DIR")]
    bank_dir: Option<PathBuf>,
}

/// The opened bank and the progress read from `path`.
pub struct Opened {
    /// The questions.
    pub bank: Bank,
    /// The progress file.
    pub path: PathBuf,
    /// What it held (empty if it was missing or damaged).
    pub progress: Progress,
}

impl QuizFiles {
    /// The `--state-dir` given, if any.
    pub fn state_dir(&self) -> Option<&std::path::Path> {
        self.state_dir.as_deref()
    }

    /// Loads the bank and the progress, warning on stderr if a damaged progress file was set aside.
    pub fn open(&self) -> anyhow::Result<Opened> {
        let bank = Bank::open(self.bank_dir.as_deref())?;
        let path = progress::path(self.state_dir.as_deref())?;
        let loaded = progress::load(&path)?;
        if let Some(warning) = &loaded.warning {
            eprintln!("{} {warning}", "warning:".yellow().bold());
        }
        Ok(Opened { bank, path, progress: loaded.value })
    }
}
