//! `attn-quiz init [dir]`: write a fresh exercises folder, e.g. after
//! `cargo install`. Existing files are never overwritten: they are skipped,
//! with a message.

use super::reset::write_template;
use attn_quiz::harness::exercises::EXERCISES;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `attn-quiz init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The exercises folder to create (the other commands look in ./exercises by default).
    #[arg(default_value = "exercises")]
    pub dir: PathBuf,
}

/// Runs `attn-quiz init`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let mut written = 0;
    for exercise in EXERCISES {
        let file = args.dir.join(exercise.file_name());
        if file.exists() {
            println!("kept     {0} (it exists; `attn-quiz reset {0}` restores the template)", file.display());
        } else {
            write_template(&file, exercise)?;
            println!("wrote    {}", file.display());
            written += 1;
        }
    }
    println!("\n{written} of {} exercise files written to {}.", EXERCISES.len(), args.dir.display());
    let dir_flag = if args.dir == Path::new("exercises") {
        String::new()
    } else {
        format!(" --exercises-dir {}", args.dir.display())
    };
    println!(
        "Start with `attn-quiz list{dir_flag}`; edit a file, then `attn-quiz check {}`.",
        args.dir.join("softmax.rs").display()
    );
    Ok(ExitCode::SUCCESS)
}
