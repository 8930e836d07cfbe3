//! `attn-quiz list`: every exercise, its status and the file to edit.

use super::check::{ExercisesDir, StateDir, load_progress};
use anyhow::bail;
use attn_quiz::harness::exercises::EXERCISES;
use attn_quiz::harness::progress::{CheckResult, FileStatus};
use colored::{ColoredString, Colorize};
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `attn-quiz list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub exercises: ExercisesDir,
    #[command(flatten)]
    pub state: StateDir,
}

/// Runs `attn-quiz list`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let dir = &args.exercises.exercises_dir;
    if !dir.is_dir() {
        bail!("no exercises folder at {}: `attn-quiz init` writes one, or pass --exercises-dir DIR", dir.display());
    }
    let progress = load_progress(&args.state)?.progress;
    let mut passed = 0;
    let mut next = None;
    println!("{:<16} {:<12} file", "exercise", "status");
    for exercise in EXERCISES {
        let file = args.exercises.file_of(exercise);
        let status = progress.file_status(exercise, &file);
        if status == FileStatus::Checked(CheckResult::Passed) {
            passed += 1;
        } else if next.is_none() && status != FileStatus::Missing {
            next = Some(file.clone());
        }
        println!("{:<16} {} {}{}", exercise.name, label(status), file.display(), advice(status, &file));
    }
    println!("\n{passed} of {} passed.", EXERCISES.len());
    if let Some(file) = next {
        println!("Next: edit {0}, then `attn-quiz check {0}`.", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The status column, padded to 12 characters and colored.
fn label(status: FileStatus) -> ColoredString {
    match status {
        FileStatus::Missing => format!("{:<12}", "missing").red(),
        FileStatus::NotStarted | FileStatus::Checked(CheckResult::NotStarted) => {
            format!("{:<12}", "not started").normal()
        }
        FileStatus::NotChecked => format!("{:<12}", "not checked").yellow(),
        FileStatus::Checked(CheckResult::Failing) => format!("{:<12}", "failing").red(),
        FileStatus::Checked(CheckResult::Passed) => format!("{:<12}", "passed").green(),
    }
}

/// A note after the file name where one helps.
fn advice(status: FileStatus, file: &Path) -> String {
    match status {
        FileStatus::Missing => format!("  (`attn-quiz reset {}` writes it)", file.display()),
        FileStatus::NotChecked => "  (edited since the last check)".to_string(),
        _ => String::new(),
    }
}
