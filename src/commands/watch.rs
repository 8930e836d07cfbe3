//! `attn-quiz watch [file]`: re-check on every save.
//!
//! Watches the file's folder (editors often save by writing a new file and
//! renaming it, which a watch on the file itself would lose) and waits for a
//! short quiet spell after a change, so one save that arrives as several file
//! system events gives one check.

use super::check::{CheckOptions, ExercisesDir, resolve_exercise};
use anyhow::{Context, bail};
use colored::Colorize;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long the folder must stay quiet after a change before checking.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Arguments of `attn-quiz watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to re-check on every save [default: whichever exercise file in the exercises folder changes].
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub exercises: ExercisesDir,
    #[command(flatten)]
    pub options: CheckOptions,
}

/// Runs `attn-quiz watch` until interrupted.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let (dir, wanted) = match &args.file {
        Some(file) => {
            super::check::run(file, &args.options, false)?;
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            (dir.to_path_buf(), Wanted::File(file.file_name().context("the file to watch has no name")?.into()))
        }
        None if args.options.exercise.is_some() => bail!("--exercise needs a FILE to watch"),
        None => (args.exercises.exercises_dir.clone(), Wanted::AnyExercise),
    };
    if !dir.is_dir() {
        bail!("no folder {} to watch (`attn-quiz init` writes an exercises folder)", dir.display());
    }
    let (sender, events) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender).context("starting the file watcher")?;
    watcher.watch(&dir, RecursiveMode::NonRecursive).with_context(|| format!("watching {}", dir.display()))?;
    println!("{}", format!("watching {}: save a file to check it (Ctrl-C to stop)", dir.display()).dimmed());
    let cwd = std::env::current_dir().unwrap_or_default();
    loop {
        for changed in next_changes(&events, &wanted)? {
            // The watcher reports absolute paths; show them as the learner would type them.
            let file = changed.strip_prefix(&cwd).unwrap_or(&changed);
            println!("\n{}", format!("── {} changed ──", file.display()).dimmed());
            if let Err(error) = super::check::run(file, &args.options, false) {
                eprintln!("error: {error:#}");
            }
        }
    }
}

/// Which changes to react to.
enum Wanted {
    /// Only this file name in the watched folder.
    File(std::ffi::OsString),
    /// Any file named after an exercise.
    AnyExercise,
}

impl Wanted {
    fn matches(&self, path: &Path) -> bool {
        match self {
            Wanted::File(name) => path.file_name() == Some(name.as_os_str()),
            Wanted::AnyExercise => path.to_str().is_some_and(|p| p.ends_with(".rs") && resolve_exercise(p).is_ok()),
        }
    }
}

/// Waits for the next change to a wanted file, then for a quiet spell, and
/// returns the wanted files that changed and still exist.
fn next_changes(
    events: &Receiver<notify::Result<notify::Event>>,
    wanted: &Wanted,
) -> anyhow::Result<BTreeSet<PathBuf>> {
    let mut changed = BTreeSet::new();
    let mut wait = None; // block until the first change, then debounce
    loop {
        let event = match wait {
            None => events.recv().context("the file watcher stopped")?,
            Some(quiet) => match events.recv_timeout(quiet) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => return Ok(changed),
                Err(RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
            },
        };
        let event = event.context("watching for changes")?;
        if matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_)) {
            changed.extend(event.paths.into_iter().filter(|p| wanted.matches(p) && p.is_file()));
        }
        if !changed.is_empty() {
            wait = Some(DEBOUNCE);
        }
    }
}
