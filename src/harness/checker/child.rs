//! The entry point of the compiled learner program.

use super::{Learner, check};
use crate::harness::protocol::{Case, REQUEST_ENV, Request};
use crate::store;
use std::env::VarError;
use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads the [`Request`] from the environment variable [`REQUEST_ENV`], checks
/// the learner's function, and writes the report to `request.report_path`.
///
/// Before each call into learner code it writes the input about to be tried
/// (a [`Case`], JSON) to `request.current_path`. Exit code 0 once the report is
/// written, whatever the verdict; 2, with a message on stderr, when there is no
/// valid request or a file cannot be written.
pub fn child_main(learner: Learner) -> ExitCode {
    match serve(learner, std::env::var(REQUEST_ENV)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("attn-quiz checker: {message}");
            ExitCode::from(2)
        }
    }
}

/// [`child_main`] given the request variable's value, with its errors as messages.
fn serve(learner: Learner, request: Result<String, VarError>) -> Result<(), String> {
    let request = parse_request(request)?;
    if request.exercise != learner.exercise() {
        return Err(format!(
            "the request is for exercise `{}` but this program was built for `{}`",
            request.exercise,
            learner.exercise()
        ));
    }
    let mut current = CaseFile::create(&request.current_path)?;
    let mut write_error = None;
    let mut announce = |case: &Case| {
        if write_error.is_none() {
            write_error = current.write(case).err();
        }
    };
    let verdict = check(learner, request.seed, request.cases, &mut announce);
    if let Some(error) = write_error {
        return Err(error);
    }
    let report = verdict.into_report(request.nonce.clone());
    store::save_json(&request.report_path, &report).map_err(|e| format!("cannot write the report: {e}"))
}

/// The request, parsed from the value of [`REQUEST_ENV`].
fn parse_request(text: Result<String, VarError>) -> Result<Request, String> {
    let text = text.map_err(|_| {
        format!("no check request in ${REQUEST_ENV}; this program is run by `attn-quiz check`, not by hand")
    })?;
    serde_json::from_str(&text).map_err(|e| format!("the check request in ${REQUEST_ENV} is not valid: {e}"))
}

/// The file that holds the case about to run, kept open: rewriting it in
/// place costs a few microseconds, against a hundred or more for a fresh
/// `fs::write`, and it happens before every learner call.
struct CaseFile {
    file: File,
    path: PathBuf,
}

impl CaseFile {
    /// Creates (or truncates) the file at `path`.
    fn create(path: &Path) -> Result<Self, String> {
        let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(CaseFile { file, path: path.to_path_buf() })
    }

    /// Replaces the file's content with `case` as JSON. It is read only
    /// once the child is gone, never while it is being written.
    fn write(&mut self, case: &Case) -> Result<(), String> {
        let json = serde_json::to_vec(case).map_err(|e| format!("cannot encode the current case: {e}"))?;
        let file = &mut self.file;
        file.rewind()
            .and_then(|()| file.write_all(&json))
            .and_then(|()| file.set_len(json.len() as u64))
            .map_err(|e| format!("cannot write the current case to {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::protocol::{Outcome, Report};
    use crate::reference;

    /// A request for `exercise` whose files live in `dir`.
    fn request(dir: &Path, exercise: &str) -> Request {
        Request {
            exercise: exercise.to_string(),
            seed: 3,
            cases: 20,
            report_path: dir.join("report.json"),
            current_path: dir.join("current.json"),
            nonce: "n-42".to_string(),
        }
    }

    #[test]
    fn writes_the_report_with_the_nonce_and_the_last_case() {
        let dir = tempfile::tempdir().unwrap();
        let request = request(dir.path(), "softmax");
        let json = serde_json::to_string(&request).unwrap();
        serve(Learner::Softmax(reference::softmax_rows), Ok(json)).unwrap();
        let report: Report = serde_json::from_slice(&std::fs::read(&request.report_path).unwrap()).unwrap();
        assert_eq!((report.nonce.as_str(), report.exercise.as_str(), report.seed), ("n-42", "softmax", 3));
        assert_eq!(report.outcome, Outcome::Passed);
        let last: Case = serde_json::from_slice(&std::fs::read(&request.current_path).unwrap()).unwrap();
        assert_eq!(last.label, "random case 20");
        assert_eq!(last.arguments[0].0, "scores");
    }

    #[test]
    fn a_missing_or_bad_request_is_explained() {
        let learner = Learner::CausalMask(reference::causal_mask);
        let missing = serve(learner, Err(VarError::NotPresent)).unwrap_err();
        assert!(missing.contains(REQUEST_ENV) && missing.contains("attn-quiz check"), "{missing}");
        let garbled = serve(learner, Ok("{ not json".to_string())).unwrap_err();
        assert!(garbled.contains("not valid"), "{garbled}");
        let dir = tempfile::tempdir().unwrap();
        let other = serde_json::to_string(&request(dir.path(), "mha")).unwrap();
        let mismatch = serve(learner, Ok(other)).unwrap_err();
        assert!(mismatch.contains("`mha`") && mismatch.contains("`causal_mask`"), "{mismatch}");
    }

    #[test]
    fn an_unwritable_case_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut request = request(dir.path(), "causal_mask");
        request.current_path = dir.path().join("no-such-dir").join("current.json");
        let error = serve(Learner::CausalMask(reference::causal_mask), Ok(serde_json::to_string(&request).unwrap()));
        assert!(error.unwrap_err().contains("no-such-dir"));
        assert!(!request.report_path.exists(), "no report when the case file cannot be written");
    }
}
