//! How the judge reaches the learner's function: one call at a time,
//! arguments in, a [`Reply`] out.
//!
//! A check talks to the evaluator process
//! ([`EvaluatorProcess`](crate::harness::evaluator_process::EvaluatorProcess));
//! the judge's own tests call the function in their process ([`InProcess`]),
//! through the same encoding, so both paths judge the same bytes.

use crate::evaluator::panics::Panicked;
use crate::evaluator::wire::to_bytes;
use crate::evaluator::{Answer, Call, Learner, answer};
use crate::harness::evaluator_process::Output;

/// What became of one call of the learner's function.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// It returned.
    Returned {
        /// Its results, encoded.
        results: Vec<u8>,
        /// The most heap the call held at once, in bytes, if it was counted.
        peak_heap_bytes: Option<usize>,
    },
    /// It panicked.
    Panicked(Panicked),
    /// The evaluator died during the call, or answered with something
    /// unreadable; the reason in words.
    Crashed {
        /// Why, e.g. "stack overflow (unbounded recursion?)".
        reason: String,
    },
    /// The call ran past its time limit; the evaluator was stopped.
    Hung,
    /// The check's time is up; the call was not made (or was cut short).
    OutOfTime,
}

/// Something that runs the learner's function.
pub trait Evaluate {
    /// Runs one call. `trace_panic` asks a panic to be traced to the
    /// learner's own line (slower; the judge asks on the final counterexample);
    /// a `heavy` call (a long case, such as a memory check) may take longer.
    fn evaluate(&mut self, arguments: Vec<u8>, trace_panic: bool, heavy: bool) -> Reply;

    /// What the learner's code prints on this one call, run on its own.
    fn output_of(&mut self, arguments: Vec<u8>, heavy: bool) -> Output;
}

/// The learner's function called in this very process (for tests: a crash
/// or a hang here takes the test down with it).
#[derive(Debug, Clone, Copy)]
pub struct InProcess(pub Learner);

impl Evaluate for InProcess {
    fn evaluate(&mut self, arguments: Vec<u8>, trace_panic: bool, _heavy: bool) -> Reply {
        match answer(self.0, &to_bytes(&Call { trace_panic, arguments })) {
            Answer::Returned { results, peak_heap_bytes } => Reply::Returned { results, peak_heap_bytes },
            Answer::Panicked(panicked) => Reply::Panicked(panicked),
            Answer::Unreadable(why) => Reply::Crashed { reason: format!("the call did not read: {why}") },
        }
    }

    fn output_of(&mut self, _arguments: Vec<u8>, _heavy: bool) -> Output {
        Output::default()
    }
}
