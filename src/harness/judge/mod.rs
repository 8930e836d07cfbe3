//! The judge: property tests of a learner's function against
//! [`reference`](crate::reference), run in attn-quiz's own process.
//!
//! The learner's function runs elsewhere, in the [evaluator](crate::evaluator)
//! built from their file, and is reached one call at a time through an
//! [`Evaluate`]. Everything that decides a verdict happens here: drawing the
//! cases, computing the expected results, comparing, shrinking, naming the
//! mistake. What the learner's code prints, the code it exits with and the
//! files it writes never reach any of it.
//!
//! How a function is judged:
//! 1. **Edge cases first**, the same in every run: l = 1, d = 1, l_q ≠ l_k,
//!    d_k ≠ d_v, a fully masked row, a masked key that dominates its row,
//!    logits of magnitude ≥ 1000, one head and D heads, G = 1 and G = H,
//!    nonzero biases (those that apply).
//! 2. **Random cases** from quickcheck's generator seeded with the seed:
//!    small random shapes, entries that are multiples of 0.1, random masks.
//! 3. Each result is compared with the reference's: **shapes** (and the
//!    number of heads), then **NaN/infinity**, then **values** within
//!    round-off (1e-5 + 1e-4 × the magnitude of the expected matrix). A
//!    panic, a crash of the evaluator or a call past its time limit fails the
//!    case too.
//! 4. The first failure is **shrunk** (fewer rows, fewer heads, narrower,
//!    integer entries, no mask, zero biases) while it keeps failing the same way.
//! 5. The **mistake is named** when the buggy twins (the reference with knobs
//!    turned, see `knobs`) explain what the learner's function did; two
//!    mistakes are named when only a pair of twins' knobs turned together
//!    explains it (see `naming`).

mod draw;
mod evaluate;
mod exercise;
mod exercises;
mod format;
mod knobs;
mod mistakes;
mod naming;
mod outputs;
mod session;
mod tiles;
mod twins;

#[cfg(test)]
mod tests;

pub use evaluate::{Evaluate, InProcess, Reply};
pub use session::bytes_in_words;

use self::exercise::Exercise;
use self::exercises::{
    Additive, Alibi, CausalMask, CrossAttention, DecodeStep, Flash, FlashBackward, Gated, Gqa, LinearAttention, Mha,
    Mla, RopeExercise, Sdpa, SdpaBackward, SelfAttention, Sinks, Sinusoidal, SlidingWindow, Softmax,
};
use self::session::{Evaluated, Subject};
use crate::harness::evaluator_process::Output;
use crate::harness::verdict::{Case, Failure, HeapUse};

/// How many random cases a check runs by default, on top of the edge cases.
pub const DEFAULT_CASES: u32 = 200;

/// What judging found, and after how many cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Cases (edge and random) tried before the outcome was known.
    pub cases_run: u32,
    /// The outcome.
    pub outcome: Outcome,
    /// The heap held by the largest case with a memory budget that passed
    /// (memory-saving variants only, and only when it was counted).
    pub heap: Option<HeapUse>,
}

/// The outcome of judging a learner's function.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every case agreed with the reference.
    Passed,
    /// The function is still the template: it panics with "not yet implemented".
    NotStarted,
    /// A case disagreed, panicked or had the wrong shape: the shrunk counterexample.
    Failed(Box<Failure>),
    /// The evaluator died on a case (stack overflow, abort, exit): the shrunk case.
    Crashed {
        /// What happened, in words.
        reason: String,
        /// The (shrunk) input it died on.
        case: Case,
        /// What the learner's code printed on that input.
        output: Output,
    },
    /// A call ran past the time limit of one call: the shrunk case.
    Hung {
        /// The (shrunk) input it hung on.
        case: Case,
        /// What the learner's code printed on that input before it was stopped.
        output: Output,
    },
    /// The check's time ran out while cases were still passing.
    OutOfTime {
        /// The input being tried when time ran out.
        case: Case,
    },
}

/// Judges the learner's function for `exercise` (reached through
/// `evaluator`) on the edge cases and `cases` random cases drawn from `seed`.
/// `None` if there is no such exercise.
pub fn judge(exercise: &str, evaluator: &mut dyn Evaluate, seed: u64, cases: u32) -> Option<Judged> {
    /// Runs exercise `E`.
    fn run<E: Exercise>(evaluator: &mut dyn Evaluate, seed: u64, cases: u32) -> Judged {
        let subject: &mut dyn Subject<E> = &mut Evaluated::new(evaluator);
        session::run::<E>(subject, seed, cases)
    }
    Some(match exercise {
        Softmax::NAME => run::<Softmax>(evaluator, seed, cases),
        CausalMask::NAME => run::<CausalMask>(evaluator, seed, cases),
        Sdpa::NAME => run::<Sdpa>(evaluator, seed, cases),
        Mha::NAME => run::<Mha>(evaluator, seed, cases),
        SelfAttention::NAME => run::<SelfAttention>(evaluator, seed, cases),
        CrossAttention::NAME => run::<CrossAttention>(evaluator, seed, cases),
        Gated::NAME => run::<Gated>(evaluator, seed, cases),
        Gqa::NAME => run::<Gqa>(evaluator, seed, cases),
        Additive::NAME => run::<Additive>(evaluator, seed, cases),
        RopeExercise::NAME => run::<RopeExercise>(evaluator, seed, cases),
        DecodeStep::NAME => run::<DecodeStep>(evaluator, seed, cases),
        SlidingWindow::NAME => run::<SlidingWindow>(evaluator, seed, cases),
        Sinks::NAME => run::<Sinks>(evaluator, seed, cases),
        Flash::NAME => run::<Flash>(evaluator, seed, cases),
        SdpaBackward::NAME => run::<SdpaBackward>(evaluator, seed, cases),
        FlashBackward::NAME => run::<FlashBackward>(evaluator, seed, cases),
        Sinusoidal::NAME => run::<Sinusoidal>(evaluator, seed, cases),
        Alibi::NAME => run::<Alibi>(evaluator, seed, cases),
        LinearAttention::NAME => run::<LinearAttention>(evaluator, seed, cases),
        Mla::NAME => run::<Mla>(evaluator, seed, cases),
        _ => return None,
    })
}

/// The name in words of the mistake with this id, if the judge knows one.
/// When a function makes two mistakes, the verdict's mistake keeps the first
/// one's id and joins both names with `" and also: "`.
pub fn mistake_name(id: &str) -> Option<&'static str> {
    mistakes::ALL.iter().find(|m| m.id == id).map(|m| m.name)
}

/// Judges a learner's function called in this process (the judge's tests).
pub fn judge_in_process(learner: crate::evaluator::Learner, seed: u64, cases: u32) -> Judged {
    judge(learner.exercise(), &mut InProcess(learner), seed, cases).expect("every learner variant has an exercise")
}
