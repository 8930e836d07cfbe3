//! What the parent (`attn-quiz check`) and the child (the compiled learner
//! program) say to each other.
//!
//! The parent generates a small Cargo package that compiles the learner's file
//! next to a `main` calling [`checker::child_main`](super::checker), builds it,
//! and runs it with a [`Request`] (JSON in the environment variable
//! [`REQUEST_ENV`]). The child property-tests the learner's function against
//! the reference and writes a [`Report`] (JSON) to `request.report_path`.
//!
//! A pass is only what a complete report with the request's `nonce` says: the
//! learner's code may exit(0), print anything or never return, and none of
//! that counts. Before each call into learner code the child also writes the
//! input about to be tried to `request.current_path`, so the parent can name
//! the input that hung (timeout) or crashed the process (stack overflow, abort).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Environment variable that carries the [`Request`] as JSON.
pub const REQUEST_ENV: &str = "ATTN_QUIZ_CHECK_REQUEST";

/// What the parent asks the child to do.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Request {
    /// Exercise name (`mha`, `sdpa`, ...), as in the SPEC.
    pub exercise: String,
    /// Seed of the random cases; the same seed replays the same run.
    pub seed: u64,
    /// Number of random cases, on top of the named edge cases.
    pub cases: u32,
    /// Where to write the [`Report`].
    pub report_path: PathBuf,
    /// Where to write the [`Case`] about to be tried, before each learner call.
    pub current_path: PathBuf,
    /// A random token the report must repeat.
    pub nonce: String,
}

/// The child's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// The request's nonce, repeated.
    pub nonce: String,
    /// Exercise checked.
    pub exercise: String,
    /// Seed used.
    pub seed: u64,
    /// How many cases (edge and random) were run before the verdict.
    pub cases_run: u32,
    /// The verdict.
    pub outcome: Outcome,
}

/// The verdict on the learner's function.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Every case agreed with the reference.
    Passed,
    /// The function is still the template: it panics with "not yet implemented".
    NotStarted,
    /// A case disagreed (or panicked, or had the wrong shape).
    Failed(Box<Failure>),
}

/// One shrunk counterexample.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
}

/// How the learner's answer went wrong.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
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
}

/// An input case: a short label and each argument rendered for a terminal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Case {
    /// E.g. "edge case: fully masked row" or "random case 37 (shrunk 12 times)".
    pub label: String,
    /// Argument name and its rendering, in signature order.
    pub arguments: Vec<(String, String)>,
}

/// A classic mistake the checker recognised.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mistake {
    /// Short stable id, e.g. "scale_by_d_model".
    pub id: String,
    /// Its name in words, e.g. "scaled by sqrt(d_model) instead of sqrt(d_k)".
    pub name: String,
    /// One-line hint towards the fix.
    pub hint: String,
}
