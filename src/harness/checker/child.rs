//! The entry point of the compiled learner program.

use super::{Learner, check};
use crate::harness::protocol::{Case, REQUEST_ENV, Request};
use crate::store;
use std::path::Path;
use std::process::ExitCode;

/// Reads the [`Request`] from the environment variable [`REQUEST_ENV`], checks
/// the learner's function, and writes the report to `request.report_path`.
///
/// Before each call into learner code it writes the input about to be tried
/// (a [`Case`], JSON) to `request.current_path`. Exit code 0 once the report is
/// written, whatever the verdict; 2, with a message on stderr, when there is no
/// valid request or a file cannot be written.
pub fn child_main(learner: Learner) -> ExitCode {
    match serve(learner) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("attn-quiz checker: {message}");
            ExitCode::from(2)
        }
    }
}

/// [`child_main`] with its errors as messages.
fn serve(learner: Learner) -> Result<(), String> {
    let request = read_request()?;
    if request.exercise != learner.exercise() {
        return Err(format!(
            "the request is for exercise `{}` but this program was built for `{}`",
            request.exercise,
            learner.exercise()
        ));
    }
    let mut write_error = None;
    let mut announce = |case: &Case| {
        if write_error.is_none() {
            write_error = write_case(&request.current_path, case).err();
        }
    };
    let verdict = check(learner, request.seed, request.cases, &mut announce);
    if let Some(error) = write_error {
        return Err(error);
    }
    let report = verdict.into_report(request.nonce.clone());
    store::save_json(&request.report_path, &report).map_err(|e| format!("cannot write the report: {e}"))
}

/// The request, parsed from [`REQUEST_ENV`].
fn read_request() -> Result<Request, String> {
    let text = std::env::var(REQUEST_ENV).map_err(|_| {
        format!("no check request in ${REQUEST_ENV}; this program is run by `attn-quiz check`, not by hand")
    })?;
    serde_json::from_str(&text).map_err(|e| format!("the check request in ${REQUEST_ENV} is not valid: {e}"))
}

/// Writes the case about to run (a plain overwrite: it is read only after the child is gone).
fn write_case(path: &Path, case: &Case) -> Result<(), String> {
    let json = serde_json::to_vec(case).map_err(|e| format!("cannot encode the current case: {e}"))?;
    std::fs::write(path, json).map_err(|e| format!("cannot write the current case to {}: {e}", path.display()))
}
