//! One check, start to finish: generate the package, build it, run it, and
//! turn what happened into a [`Verdict`].

use super::compile::{self, Build, BuildOptions};
use super::evaluator_process::EvaluatorProcess;
use super::exercises::Exercise;
use super::judge::{self, Judged, Outcome};
use super::package;
use super::verdict::{Failure, Status, Verdict};
use anyhow::Context;
use std::path::Path;
use std::time::{Duration, Instant};

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
    /// How long the learner's code may run in all; one call may take a
    /// tenth of it (see [`call_limit`]).
    pub timeout: Duration,
    /// Whether rendered compiler messages may contain ANSI colors.
    pub color: bool,
}

/// Checks the learner's file. An `Err` is a problem of the environment (no
/// cargo, unwritable cache, ...), never a verdict on the learner's code.
pub fn check(request: &CheckRequest) -> anyhow::Result<Verdict> {
    let cache = package::cache_dir()?;
    let _lock = package::lock(&cache)?;
    let package = package::prepare(&cache, package::Program::Evaluator, request.exercise, request.file)?;
    let display_path = request.file.display().to_string();
    let target = package::target(&cache);
    let options = BuildOptions { target: &target, display_path: &display_path, color: request.color };
    let (status, cases_run, heap, warnings) = match compile::build(&package, request.exercise, &options)? {
        Build::Failed { errors, warnings } => (Status::CompileError { errors }, None, None, warnings),
        Build::Built { executable, warnings } => {
            let judged = run_judge(&executable, request)?;
            let status = status_of(judged.outcome, request, &package.learner_file, &display_path);
            (status, Some(judged.cases_run), judged.heap, warnings)
        }
    };
    Ok(Verdict {
        exercise: request.exercise.name.to_string(),
        file: display_path,
        seed: request.seed,
        cases: request.cases,
        cases_run,
        status,
        heap,
        warnings,
    })
}

/// How long one call of the learner's function may take before it counts
/// as a hang: a tenth of the whole check's time, at least 0.1 s (or all of
/// it, if that is less). A hang then leaves time to shrink the input it hung on.
pub fn call_limit(timeout: Duration) -> Duration {
    (timeout / 10).max(timeout.min(Duration::from_millis(100)))
}

/// Judges the compiled evaluator: the judge in this process, the learner's
/// function in the evaluator's, within the request's time.
fn run_judge(executable: &Path, request: &CheckRequest) -> anyhow::Result<Judged> {
    let deadline = Instant::now() + request.timeout;
    let mut evaluator = EvaluatorProcess::new(executable, call_limit(request.timeout), deadline);
    judge::judge(request.exercise.name, &mut evaluator, request.seed, request.cases)
        .with_context(|| format!("the judge has no exercise `{}`", request.exercise.name))
}

/// The verdict's status for what the judge found.
fn status_of(outcome: Outcome, request: &CheckRequest, learner_file: &Path, display_path: &str) -> Status {
    let timeout_secs = request.timeout.as_secs_f64();
    match outcome {
        Outcome::Passed => Status::Passed,
        Outcome::NotStarted => Status::NotStarted,
        Outcome::Failed(failure) => Status::Failed { failure: shown_as(failure, learner_file, display_path) },
        Outcome::Crashed { reason, case, output } => Status::Crashed { reason, case: Some(case), output },
        Outcome::Hung { case, output } => Status::Timeout {
            timeout_secs,
            call_limit_secs: call_limit(request.timeout).as_secs_f64(),
            stuck: true,
            case: Some(case),
            output,
        },
        Outcome::OutOfTime { case } => Status::Timeout {
            timeout_secs,
            call_limit_secs: call_limit(request.timeout).as_secs_f64(),
            stuck: false,
            case: Some(case),
            output: Default::default(),
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
