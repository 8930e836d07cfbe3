//! The verdict on a learner's file: what `attn-quiz check` prints, and with
//! `--json` the schema of its one JSON object.
//!
//! ```json
//! {
//!   "exercise": "mha",                 // exercise checked
//!   "file": "exercises/mha.rs",        // the file, as given
//!   "seed": 7, "cases": 200,           // replay with --seed 7 --cases 200
//!   "cases_run": 12,                   // cases tried before the verdict (null if none ran)
//!   "status": "failed",                // passed | not_started | failed | compile_error | timeout | crashed
//!   "failure": { ... },                // status failed: the shrunk counterexample (protocol::Failure:
//!                                      //   property, kind, case, expected, actual, first_difference,
//!                                      //   mistake {id, name, hint}, panic_message)
//!   "errors": [ ... ],                 // status compile_error: Diagnostic objects
//!   "timeout_secs": 10,                // status timeout
//!   "stuck": true,                     // status timeout: one input ran for half the time or more
//!   "reason": "stack overflow ...",    // status crashed
//!   "case": { ... },                   // timeout, crashed: the input being tried (null if unknown)
//!   "output": {"stdout": "", "stderr": ""}, // timeout, crashed: the end of the program's output
//!   "warnings": [ ... ]                // rustc warnings in the file (Diagnostic objects)
//! }
//! ```
//!
//! Only `status: "passed"` is a pass, and only the checker's report (with the
//! request's nonce) can produce it.

use super::child::Output;
use super::compile::Diagnostic;
use super::protocol::{Case, Failure};
use serde::Serialize;

/// The verdict of one check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    /// Exercise checked.
    pub exercise: String,
    /// The learner's file, as given on the command line.
    pub file: String,
    /// Seed of the random cases.
    pub seed: u64,
    /// Number of random cases asked for.
    pub cases: u32,
    /// Cases run before the verdict, if the checker got to report.
    pub cases_run: Option<u32>,
    /// What was found.
    #[serde(flatten)]
    pub status: Status,
    /// rustc's warnings about the learner's file.
    pub warnings: Vec<Diagnostic>,
}

/// What a check found; serialized as `"status": "<variant>"` plus its fields.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Every case agreed with the reference.
    Passed,
    /// The function is still the template's `todo!`.
    NotStarted,
    /// A case disagreed with the reference (or panicked).
    Failed {
        /// The shrunk counterexample.
        failure: Box<Failure>,
    },
    /// The file does not compile.
    CompileError {
        /// rustc's errors.
        errors: Vec<Diagnostic>,
    },
    /// The program was still running at the deadline.
    Timeout {
        /// The deadline, in seconds.
        timeout_secs: f64,
        /// Whether the input it was on had been running for at least half the
        /// time: a hang, not merely a check that took too long overall.
        stuck: bool,
        /// The input it was working on.
        case: Option<Case>,
        /// The end of its output.
        output: Output,
    },
    /// The program died without a report (stack overflow, abort, exit).
    Crashed {
        /// What happened, in words.
        reason: String,
        /// The input it was working on.
        case: Option<Case>,
        /// The end of its output.
        output: Output,
    },
}

impl Verdict {
    /// Whether the file passed.
    pub fn passed(&self) -> bool {
        self.status == Status::Passed
    }

    /// The process exit code: 0 passed, 1 anything else.
    pub fn exit_code(&self) -> u8 {
        if self.passed() { 0 } else { 1 }
    }
}
