//! The `attn-quiz` command line tool: parse, dispatch, turn the outcome into an
//! exit code (0 passed, 1 failed, 2 usage or environment error). Each command
//! lives in its own module under `commands/`.

mod commands;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Prepare for machine-learning interviews on transformer attention.
#[derive(Debug, Parser)]
#[command(name = "attn-quiz", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Take the interview quiz.
    Run(commands::run::Args),
    /// Take a timed mock written test: choice, short answer, code.
    Mock(commands::mock::Args),
    /// Show quiz mastery per topic.
    Stats(commands::stats::Args),
    /// Check your implementation of an exercise against the reference.
    Check(commands::check::Args),
    /// List the exercises with their status.
    List(commands::list::Args),
    /// Show the next hint for an exercise.
    Hint(commands::hint::Args),
    /// Show the annotated reference solution of an exercise.
    Solution(commands::solution::Args),
    /// Restore an exercise file to its pristine template.
    Reset(commands::reset::Args),
    /// Re-check an exercise every time you save it.
    Watch(commands::watch::Args),
    /// Write a fresh exercises folder.
    Init(commands::init::Args),
    /// Show the annotated reference source of a variant.
    Show(commands::show::Args),
    /// Run a variant on random inputs and print every step's shape.
    Trace(commands::trace::Args),
    /// Compare all attention variants in one table.
    Compare(commands::compare::Args),
    /// Train a small attention model on a toy task and watch it learn.
    Train(commands::train::Args),
    /// Time your forward attention against the reference and the fast path.
    Bench(commands::bench::Args),
}

/// The heap of this process is counted per thread, so `attn-quiz bench` can
/// report the peak of each call it times (see `attn_quiz::evaluator::heap`).
#[global_allocator]
static HEAP: attn_quiz::evaluator::heap::CountingAllocator = attn_quiz::evaluator::heap::CountingAllocator;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return bad_arguments(error),
    };
    // Colors only on a terminal (colored itself honours NO_COLOR and CLICOLOR_FORCE).
    if !std::io::stdout().is_terminal() && std::env::var_os("CLICOLOR_FORCE").is_none() {
        colored::control::set_override(false);
    }
    let outcome = match cli.command {
        Command::Run(args) => commands::run::execute(args),
        Command::Mock(args) => commands::mock::execute(args),
        Command::Stats(args) => commands::stats::execute(args),
        Command::Check(args) => commands::check::execute(args),
        Command::List(args) => commands::list::execute(args),
        Command::Hint(args) => commands::hint::execute(args),
        Command::Solution(args) => commands::solution::execute(args),
        Command::Reset(args) => commands::reset::execute(args),
        Command::Watch(args) => commands::watch::execute(args),
        Command::Init(args) => commands::init::execute(args),
        Command::Show(args) => commands::show::execute(args),
        Command::Trace(args) => commands::trace::execute(args),
        Command::Compare(args) => commands::compare::execute(args),
        Command::Train(args) => commands::train::execute(args),
        Command::Bench(args) => commands::bench::execute(args),
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        commands::exit_error()
    })
}

/// Reports arguments clap refused: as clap does (help and version included),
/// except that a command asked for `--json` gets its error as a JSON object too.
fn bad_arguments(error: clap::Error) -> ExitCode {
    let wants_json = std::env::args_os().any(|arg| arg == "--json");
    if !error.use_stderr() || !wants_json {
        error.exit();
    }
    let rendered = error.render().to_string();
    let message = rendered.lines().next().unwrap_or_default().trim_start_matches("error: ");
    println!("{}", serde_json::json!({ "status": "error", "message": message }));
    eprint!("{rendered}");
    commands::exit_error()
}

/// Lets `attn-quiz ... | head` end quietly: Rust ignores SIGPIPE, which turns a
/// closed pipe into a panic at the next `println!`; the default action ends the
/// process silently, as for any other command-line tool.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; it only
    // resets one signal's disposition to the system default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
