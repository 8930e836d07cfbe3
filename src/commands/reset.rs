//! `attn-quiz reset <name>`: restore an exercise file to its pristine template.
//!
//! The template comes from the binary, never from the file being reset. Edits
//! are only overwritten after a yes (or `--yes`), and a copy of them is kept
//! in the state directory first.

use super::check::{ExercisesDir, StateDir, resolve_exercise};
use anyhow::{Context, bail};
use attn_quiz::harness::exercises::Exercise;
use attn_quiz::store;
use std::fs::OpenOptions;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// Arguments of `attn-quiz reset`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exercise name (e.g. mha, for <exercises-dir>/mha.rs) or the file itself.
    pub exercise: String,
    /// Overwrite your edits without asking (a copy is still kept).
    #[arg(long, short)]
    pub yes: bool,
    #[command(flatten)]
    pub exercises: ExercisesDir,
    #[command(flatten)]
    pub state: StateDir,
}

/// Runs `attn-quiz reset`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let exercise = resolve_exercise(&args.exercise)?;
    let file =
        if args.exercise.ends_with(".rs") { PathBuf::from(&args.exercise) } else { args.exercises.file_of(exercise) };
    match std::fs::read(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
        Ok(contents) if contents == exercise.template.as_bytes() => {
            println!("{} is already the pristine template; nothing to do.", file.display());
            return Ok(ExitCode::SUCCESS);
        }
        Ok(contents) => {
            if !args.yes && !confirm(&file)? {
                println!("Left {} as it is.", file.display());
                return Ok(ExitCode::SUCCESS);
            }
            let backup = back_up(&args.state, exercise, &contents)?;
            println!("Your version is saved in {}.", backup.display());
        }
    }
    write_template(&file, exercise)?;
    println!("{} is the pristine template again.", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Asks whether to overwrite the edits in `file`; refuses when nobody can answer.
fn confirm(file: &Path) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "{} has your edits and resetting would overwrite them; \
             run again with --yes to confirm (there is no terminal to ask on)",
            file.display()
        );
    }
    print!("{} has your edits. Overwrite them with the template? (a copy is kept) [y/N] ", file.display());
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// Keeps a copy of the learner's version in `<state dir>/backups/`, in a new
/// file (`mha-<time>.rs`, or `mha-<time>-2.rs` for a second reset that second).
fn back_up(state: &StateDir, exercise: &Exercise, contents: &[u8]) -> anyhow::Result<PathBuf> {
    let dir = store::state_dir(state.state_dir.as_deref())?.join("backups");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut attempt = 1;
    loop {
        let suffix = if attempt == 1 { String::new() } else { format!("-{attempt}") };
        let backup = dir.join(format!("{}-{secs}{suffix}.rs", exercise.name));
        match OpenOptions::new().write(true).create_new(true).open(&backup) {
            Ok(mut file) => {
                file.write_all(contents).with_context(|| format!("writing {}", backup.display()))?;
                return Ok(backup);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => attempt += 1,
            Err(e) => return Err(e).with_context(|| format!("creating {}", backup.display())),
        }
    }
}

/// Writes the template to `file`, creating its folder.
pub fn write_template(file: &Path, exercise: &Exercise) -> anyhow::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(file, exercise.template).with_context(|| format!("writing {}", file.display()))
}
