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
//!   "failure": { ... },                // status failed: the shrunk counterexample (Failure:
//!                                      //   property, kind, case, expected, actual, first_difference,
//!                                      //   mistake {id, name, hint}, panic_message, output)
//!   "errors": [ ... ],                 // status compile_error: Diagnostic objects
//!   "timeout_secs": 10,                // status timeout: the whole check's time
//!   "call_limit_secs": 1,              // status timeout: the time one call may take
//!   "stuck": true,                     // status timeout: one call ran past its limit (a hang)
//!   "reason": "stack overflow ...",    // status crashed
//!   "case": { ... },                   // timeout, crashed: the (shrunk) input
//!   "output": {"stdout": "", "stderr": ""}, // timeout, crashed (and failure): what the
//!                                      //   learner's code printed on that input
//!   "heap": {"case", "peak_bytes", "budget_bytes"}, // memory-saving variants: the peak heap of
//!                                      //   the largest budgeted case (null otherwise)
//!   "warnings": [ ... ]                // rustc warnings in the file (Diagnostic objects)
//! }
//! ```
//!
//! Only `status: "passed"` is a pass, and only the judge can produce it: the
//! learner's program sends results, never verdicts.

use super::compile::Diagnostic;
use super::evaluator_process::Output;
use crate::prelude::Matrix;
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
    /// Cases run before the verdict (none if the file did not compile).
    pub cases_run: Option<u32>,
    /// What was found.
    #[serde(flatten)]
    pub status: Status,
    /// The heap the learner's function held on the largest case with a
    /// memory budget (flash attention and the like), when it was counted.
    pub heap: Option<HeapUse>,
    /// rustc's warnings about the learner's file.
    pub warnings: Vec<Diagnostic>,
}

/// How much heap one call held at its peak, against what it may hold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeapUse {
    /// The case it was measured on.
    pub case: String,
    /// The most heap the call held at once, in bytes.
    pub peak_bytes: usize,
    /// The most it may hold, in bytes.
    pub budget_bytes: usize,
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
    /// Out of time: one call never returned (`stuck`), or the whole check
    /// took longer than its time while cases were still passing.
    Timeout {
        /// The time of the whole check (`--timeout`), in seconds.
        timeout_secs: f64,
        /// The time one call may take, in seconds.
        call_limit_secs: f64,
        /// Whether one call ran past its limit (a hang, with the shrunk input
        /// it hung on), rather than the whole check running out of time.
        stuck: bool,
        /// The input it hung on, or the one being tried when time ran out.
        case: Option<Case>,
        /// What the learner's code printed on that input.
        output: Output,
    },
    /// The evaluator died during a call (stack overflow, abort, exit).
    Crashed {
        /// What happened, in words.
        reason: String,
        /// The (shrunk) input it died on.
        case: Option<Case>,
        /// What the learner's code printed on that input.
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

/// One shrunk counterexample.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Failure {
    /// The property that failed, in words ("output matches the reference",
    /// "weights rows sum to 1", ...).
    pub property: String,
    /// What kind of failure.
    pub kind: FailureKind,
    /// The (shrunk) input that shows it.
    pub case: Case,
    /// The reference's result, rendered for a terminal (small matrices in full).
    pub expected: String,
    /// The learner's result, rendered the same way (empty for a panic).
    pub actual: String,
    /// The first differing entry, e.g. "output[1, 0]: expected 0.25, got 0.5".
    pub first_difference: Option<String>,
    /// The classic mistake recognised, if any.
    pub mistake: Option<Mistake>,
    /// Panic message and location, for [`FailureKind::Panic`].
    pub panic_message: Option<String>,
    /// What the learner's code printed on the counterexample.
    pub output: Output,
    /// The attention weights, expected and actual, for a picture of where
    /// they differ (not in the JSON: `expected` and `actual` hold the numbers).
    #[serde(skip)]
    pub weight_maps: Vec<WeightMap>,
}

/// One attention-weights matrix the learner got wrong, with the reference's.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightMap {
    /// Which weights, e.g. `weights (head 1)`.
    pub name: String,
    /// The reference's weights.
    pub expected: Matrix,
    /// The learner's weights, of the same shape.
    pub actual: Matrix,
    /// How far an entry may be from the expected one (the judge's round-off).
    pub tolerance: f32,
}

/// How the learner's answer went wrong.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Numbers differ from the reference beyond round-off.
    WrongValues,
    /// A result has the wrong shape (or the wrong number of heads).
    WrongShape,
    /// NaN or infinity where the reference is finite.
    NotFinite,
    /// The learner's code panicked.
    Panic,
    /// A call held more heap at once than the variant allows.
    TooMuchMemory,
}

/// An input case: a short label and each argument rendered for a terminal.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Case {
    /// E.g. "edge case: fully masked row" or "random case 37 (shrunk 12 times)".
    pub label: String,
    /// Argument name and its rendering, in signature order.
    pub arguments: Vec<(String, String)>,
}

/// A classic mistake the judge recognised.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mistake {
    /// Short stable id, e.g. "scale_by_d_model".
    pub id: String,
    /// Its name in words, e.g. "scaled by sqrt(d_model) instead of sqrt(d_k)".
    pub name: String,
    /// One-line hint towards the fix.
    pub hint: String,
}
