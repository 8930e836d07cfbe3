//! `attn-quiz solution <name>`: the annotated reference that answers an exercise.

use super::check::resolve_exercise;
use attn_quiz::reference::catalog;
use std::process::ExitCode;

/// Arguments of `attn-quiz solution`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exercise name (e.g. mha) or its file (exercises/mha.rs).
    pub exercise: String,
}

/// Runs `attn-quiz solution`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let exercise = resolve_exercise(&args.exercise)?;
    let module = catalog::find(exercise.reference_module)
        .expect("every exercise names a module of the reference catalog (tested)");
    println!(
        "// attn_quiz::reference::{} ({}), the reference answer to `{}`:\n",
        module.name, module.title, exercise.name
    );
    print!("{}", module.source);
    let builds_on: Vec<&str> = catalog::MODULES
        .iter()
        .filter(|m| m.name != module.name && module.source.contains(&format!("reference::{}::", m.name)))
        .map(|m| m.name)
        .collect();
    if let Some(first) = builds_on.first() {
        println!("\n// It builds on: {} (`attn-quiz show {first}` shows one).", builds_on.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
