//! `attn-quiz hint <name>`: the next hint for an exercise, one per call, from
//! gentle to explicit. Which hints were shown is remembered in the progress file.

use super::check::{StateDir, load_progress, resolve_exercise};
use attn_quiz::harness::exercises::Exercise;
use colored::Colorize;
use std::process::ExitCode;

/// Arguments of `attn-quiz hint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exercise name (e.g. mha) or its file (exercises/mha.rs).
    pub exercise: String,
    /// Show again the hints already shown, without revealing a new one.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub state: StateDir,
}

/// Runs `attn-quiz hint`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let exercise = resolve_exercise(&args.exercise)?;
    let mut file = load_progress(&args.state)?;
    let shown = file.progress.of(exercise).hints_shown.min(exercise.hints.len());
    let total = exercise.hints.len();
    if args.all {
        if shown == 0 {
            println!("No hints shown yet for {0}; `attn-quiz hint {0}` shows the first.", exercise.name);
        }
        (0..shown).for_each(|i| print_hint(exercise, i));
    } else if shown < total {
        print_hint(exercise, shown);
        file.progress.of(exercise).hints_shown = shown + 1;
        file.save()?;
        if shown + 1 < total {
            println!("\n(`attn-quiz hint {}` again for the next one; `--all` repeats the ones shown)", exercise.name);
        } else {
            println!("\n(that was the last hint; `attn-quiz solution {}` shows the reference)", exercise.name);
        }
    } else {
        println!("All {total} hints for {} were shown already:\n", exercise.name);
        (0..total).for_each(|i| print_hint(exercise, i));
        println!("\n(`attn-quiz solution {}` shows the reference answer)", exercise.name);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints hint `index` (0-based) as "Hint 2 of 4 for mha:" and its text.
fn print_hint(exercise: &Exercise, index: usize) {
    let heading = format!("Hint {} of {} for {}:", index + 1, exercise.hints.len(), exercise.name);
    println!("{}\n  {}", heading.bold(), exercise.hints[index]);
}
