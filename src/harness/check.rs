//! One check, start to finish: generate the package, build it, run it, and
//! turn what happened into a [`Verdict`].

use super::child::{self, ChildRun, End};
use super::compile::{self, Build, BuildOptions};
use super::exercises::Exercise;
use super::package;
use super::protocol::{Failure, Outcome, Request};
use super::verdict::{Status, Verdict};
use std::path::Path;
use std::time::Duration;

/// What to check, and how.
#[derive(Debug, Clone)]
pub struct CheckRequest<'a> {
    /// The learner's file.
    pub file: &'a Path,
    /// The exercise it answers.
    pub exercise: &'static Exercise,
    /// Seed of the random cases.
    pub seed: u64,
    /// Number of random cases, on top of the edge cases.
    pub cases: u32,
    /// How long the checker program may run.
    pub timeout: Duration,
    /// Whether rendered compiler messages may contain ANSI colors.
    pub color: bool,
}

/// Checks the learner's file. An `Err` is a problem of the environment (no
/// cargo, unwritable cache, ...), never a verdict on the learner's code.
pub fn check(request: &CheckRequest) -> anyhow::Result<Verdict> {
    let cache = package::cache_dir()?;
    let _lock = package::lock(&cache)?;
    let package = package::prepare(&cache, request.exercise, request.file)?;
    let display_path = request.file.display().to_string();
    let target = package::target(&cache);
    let options = BuildOptions { target: &target, display_path: &display_path, color: request.color };
    let (status, cases_run, warnings) = match compile::build(&package, request.exercise, &options)? {
        Build::Failed { errors, warnings } => (Status::CompileError { errors }, None, warnings),
        Build::Built { executable, warnings } => {
            let run = run_checker(&executable, request)?;
            let cases_run = run.report.as_ref().map(|r| r.cases_run);
            (status_of(run, request.timeout, &package.learner_file, &display_path), cases_run, warnings)
        }
    };
    Ok(Verdict {
        exercise: request.exercise.name.to_string(),
        file: display_path,
        seed: request.seed,
        cases: request.cases,
        cases_run,
        status,
        warnings,
    })
}

/// Runs the compiled checker program with a fresh request (new nonce, report
/// and current-case files in a scratch folder).
fn run_checker(executable: &Path, request: &CheckRequest) -> anyhow::Result<ChildRun> {
    let scratch = tempfile::tempdir()?;
    let child_request = Request {
        exercise: request.exercise.name.to_string(),
        seed: request.seed,
        cases: request.cases,
        report_path: scratch.path().join("report.json"),
        current_path: scratch.path().join("current.json"),
        nonce: format!("{:032x}", rand::random::<u128>()),
    };
    child::run(executable, &child_request, request.timeout)
}

/// The verdict on a run: the report's, if there is one; else a timeout or a crash.
fn status_of(run: ChildRun, timeout: Duration, learner_file: &Path, display_path: &str) -> Status {
    match (run.report, run.end) {
        (Some(report), _) => match report.outcome {
            Outcome::Passed => Status::Passed,
            Outcome::NotStarted => Status::NotStarted,
            Outcome::Failed(failure) => Status::Failed { failure: shown_as(failure, learner_file, display_path) },
        },
        (None, End::TimedOut { stuck }) => Status::Timeout {
            timeout_secs: timeout.as_secs_f64(),
            stuck: stuck && run.last_case.is_some(),
            case: run.last_case,
            output: run.output,
        },
        (None, End::Exited(status)) => Status::Crashed {
            reason: child::describe_crash(status, &run.output),
            case: run.last_case,
            output: run.output,
        },
    }
}

/// The failure with the learner's file named as the learner gave it (panic
/// locations carry the absolute path the program was compiled from).
fn shown_as(mut failure: Box<Failure>, learner_file: &Path, display_path: &str) -> Box<Failure> {
    if let (Some(message), Some(absolute)) = (&mut failure.panic_message, learner_file.to_str()) {
        *message = message.replace(absolute, display_path);
    }
    failure
}
