//! One module per subcommand. Each has an `Args` struct (clap derive) and an
//! `execute` function returning the exit code, or an error that `main` prints
//! and turns into exit code 2.

use std::process::ExitCode;

pub mod bench;
pub mod check;
pub mod compare;
pub mod hint;
pub mod init;
pub mod list;
pub mod mock;
mod quiz_files;
pub mod reset;
pub mod run;
pub mod show;
pub mod solution;
pub mod stats;
pub mod trace;
pub mod train;
pub mod watch;

/// Exit code for a usage or environment error.
pub fn exit_error() -> ExitCode {
    ExitCode::from(2)
}
