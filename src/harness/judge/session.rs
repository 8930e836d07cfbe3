//! One check, start to verdict, all in the judge's process.
//!
//! 1. The named edge cases, then `cases` random cases from quickcheck's
//!    generator seeded with the check's seed; each goes to the learner's
//!    function and what comes back is judged against the reference (shapes,
//!    then NaN/infinity, then values). A panic, a crash or a hang is that
//!    case's result like any other.
//! 2. On the first failure, shrink: try the case's smaller variants in order
//!    and move to the first one that still fails the same way; repeat until
//!    none does (or the budget or the time is spent). The last failing input
//!    is the counterexample.
//! 3. Name the mistake (see [`naming`](super::naming)), and run the
//!    counterexample once more on its own to show what the learner's code
//!    printed on it.

use super::draw::GEN_SIZE;
use super::evaluate::{Evaluate, Reply};
use super::exercise::Exercise;
use super::naming::{self, Named};
use super::outputs::{Outputs, discrepancy};
use super::{Judged, Outcome};
use crate::evaluator::panics::Panicked;
use crate::evaluator::wire::from_bytes;
use crate::harness::evaluator_process::Output;
use crate::harness::verdict::{Case, Failure, FailureKind, HeapUse};
use quickcheck::{Arbitrary, Gen};

/// At most this many calls are spent on shrinking one failure.
const SHRINK_BUDGET: usize = 1000;

/// What one call of the function under test gave.
#[derive(Debug, Clone)]
pub(crate) enum Seen {
    /// It returned these results.
    Returned(Outputs),
    /// It panicked.
    Panicked(Panicked),
    /// The process running it died, or answered something unreadable.
    Crashed(String),
    /// It ran past the time limit of one call.
    Hung,
    /// The check ran out of time before (or while) making the call.
    OutOfTime,
}

/// The function under test, as a function of one exercise input.
pub(crate) trait Subject<E: Exercise> {
    /// Calls the function on `input`.
    fn call(&mut self, input: &E::Input, trace_panic: bool) -> Seen;
    /// What the function prints on `input`, run on its own.
    fn output_of(&mut self, input: &E::Input) -> Output;

    /// The most heap the last call that returned held at once, if it was counted.
    fn last_peak(&self) -> Option<usize> {
        None
    }
}

/// The learner's function behind an [`Evaluate`]: arguments encoded, results
/// decoded, and the heap the last call held.
pub(crate) struct Evaluated<'a> {
    evaluator: &'a mut dyn Evaluate,
    last_peak: Option<usize>,
}

impl<'a> Evaluated<'a> {
    /// The function behind `evaluator`.
    pub fn new(evaluator: &'a mut dyn Evaluate) -> Self {
        Evaluated { evaluator, last_peak: None }
    }
}

impl<E: Exercise> Subject<E> for Evaluated<'_> {
    fn call(&mut self, input: &E::Input, trace_panic: bool) -> Seen {
        match self.evaluator.evaluate(E::encode(input), trace_panic, E::heap_budget(input).is_some()) {
            Reply::Returned { results, peak_heap_bytes } => match from_bytes::<E::Returned>(&results) {
                Ok(returned) => {
                    self.last_peak = peak_heap_bytes;
                    Seen::Returned(returned.into())
                }
                Err(error) => Seen::Crashed(format!("the evaluator's results did not read ({error})")),
            },
            Reply::Panicked(panicked) => Seen::Panicked(panicked),
            Reply::Crashed { reason } => Seen::Crashed(reason),
            Reply::Hung => Seen::Hung,
            Reply::OutOfTime => Seen::OutOfTime,
        }
    }

    fn output_of(&mut self, input: &E::Input) -> Output {
        self.evaluator.output_of(E::encode(input), E::heap_budget(input).is_some())
    }

    fn last_peak(&self) -> Option<usize> {
        self.last_peak
    }
}

/// Checks `subject` on the edge cases and `cases` random cases of exercise `E`.
pub(crate) fn run<E: Exercise>(subject: &mut dyn Subject<E>, seed: u64, cases: u32) -> Judged {
    let mut trial = Trial::<E> { subject, returned_once: false, heap_seen: None };
    let mut heap: Option<HeapUse> = None;
    let mut generator = Gen::from_size_and_seed(GEN_SIZE, seed);
    let edge = E::edge_cases().into_iter().map(|(name, input)| (format!("edge case: {name}"), input));
    let random = (1..=cases).map(|n| (format!("random case {n}"), E::Input::arbitrary(&mut generator)));
    let mut cases_run = 0;
    for (label, input) in edge.chain(random) {
        cases_run += 1;
        let outcome = match trial.judge(&input) {
            Judgement::Passed => {
                // The heap of the largest budgeted case passed so far goes in the verdict.
                if let Some((peak_bytes, budget_bytes)) = trial.heap_seen.take()
                    && heap.as_ref().is_none_or(|h| budget_bytes >= h.budget_bytes)
                {
                    heap = Some(HeapUse { case: label, peak_bytes, budget_bytes });
                }
                continue;
            }
            Judgement::NotStarted => Outcome::NotStarted,
            Judgement::OutOfTime => Outcome::OutOfTime { case: case_of::<E>(label, &input) },
            Judgement::Failed(problem) => trial.explain(label, input, problem),
        };
        return Judged { cases_run, outcome, heap };
    }
    Judged { cases_run, outcome: Outcome::Passed, heap }
}

/// An input as the verdict shows it.
fn case_of<E: Exercise>(label: String, input: &E::Input) -> Case {
    Case { label, arguments: E::arguments(input) }
}

/// What judging one case found.
enum Judgement {
    Passed,
    /// The `todo` panic before the subject ever returned.
    NotStarted,
    Failed(Problem),
    /// No time was left to find out.
    OutOfTime,
}

/// How a case failed; shrinking keeps to candidates that fail the same way.
#[derive(Debug, Clone, PartialEq)]
enum Fault {
    /// A wrong result, or a panic.
    Result(FailureKind),
    /// The process died (the reason).
    Crash(String),
    /// The call never finished.
    Hang,
}

impl Fault {
    /// Whether `other` is the same kind of failure (any crash is like any other).
    fn same_kind(&self, other: &Fault) -> bool {
        match (self, other) {
            (Fault::Crash(_), Fault::Crash(_)) => true,
            _ => self == other,
        }
    }
}

/// What went wrong on one case.
struct Problem {
    fault: Fault,
    property: String,
    first_difference: Option<String>,
    expected: Outputs,
    /// What the subject returned (`None` if it did not return).
    actual: Option<Outputs>,
    panic: Option<Panicked>,
}

impl Problem {
    /// A case on which the subject did not return.
    fn without_result(fault: Fault, property: &str, expected: Outputs, panic: Option<Panicked>) -> Problem {
        Problem { fault, property: property.to_string(), first_difference: None, expected, actual: None, panic }
    }
}

/// The subject under test, and what has been seen so far.
struct Trial<'a, E: Exercise> {
    subject: &'a mut dyn Subject<E>,
    /// Whether any call has returned normally (a later `todo` panic is then a panic, not "not started").
    returned_once: bool,
    /// The heap the last judged call held and its budget, for a budgeted case.
    heap_seen: Option<(usize, usize)>,
}

impl<E: Exercise> Trial<'_, E> {
    /// Calls the subject on one input.
    fn observe(&mut self, input: &E::Input) -> Seen {
        let seen = self.subject.call(input, false);
        self.returned_once |= matches!(seen, Seen::Returned(_));
        seen
    }

    /// Calls the subject on one input and compares with the reference.
    fn judge(&mut self, input: &E::Input) -> Judgement {
        let seen = self.observe(input);
        let expected = E::call(E::REFERENCE, input);
        let problem = match seen {
            Seen::OutOfTime => return Judgement::OutOfTime,
            Seen::Panicked(panic) if panic.is_todo() && !self.returned_once => return Judgement::NotStarted,
            Seen::Panicked(panic) => Problem::without_result(
                Fault::Result(FailureKind::Panic),
                "the function returns without panicking",
                expected,
                Some(panic),
            ),
            Seen::Crashed(reason) => {
                Problem::without_result(Fault::Crash(reason), "the program survives the call", expected, None)
            }
            Seen::Hung => Problem::without_result(Fault::Hang, "the call finishes in time", expected, None),
            Seen::Returned(actual) => match discrepancy(&expected, &actual) {
                None => match self.heap_check(input) {
                    None => return Judgement::Passed,
                    Some(problem) => Problem { expected, actual: Some(actual), ..problem },
                },
                Some(d) => Problem {
                    fault: Fault::Result(d.kind),
                    property: d.property,
                    first_difference: Some(d.first_difference),
                    expected,
                    actual: Some(actual),
                    panic: None,
                },
            },
        };
        Judgement::Failed(problem)
    }

    /// A call that returned the right results but held more heap than its
    /// budget: the problem (its expected and actual results left for the caller).
    fn heap_check(&mut self, input: &E::Input) -> Option<Problem> {
        self.heap_seen = None;
        let budget = E::heap_budget(input)?;
        let peak = self.subject.last_peak()?;
        self.heap_seen = Some((peak, budget));
        (peak > budget).then(|| Problem {
            fault: Fault::Result(FailureKind::TooMuchMemory),
            property: format!("a call holds at most {} of heap at once", bytes_in_words(budget)),
            first_difference: Some(format!("the call held {} at its peak", bytes_in_words(peak))),
            expected: Outputs(Vec::new()),
            actual: None,
            panic: None,
        })
    }

    /// Shrinks a failing case, names the mistake and writes up the outcome.
    fn explain(&mut self, label: String, input: E::Input, problem: Problem) -> Outcome {
        let (input, mut problem, steps) = self.shrink(input, problem);
        if problem.panic.is_some()
            && let Seen::Panicked(traced) = self.subject.call(&input, true)
        {
            problem.panic = Some(traced);
        }
        let mistake = match problem.fault {
            Fault::Result(FailureKind::TooMuchMemory) => E::OVER_BUDGET.map(|primary| Named { primary, also: None }),
            Fault::Result(_) => naming::identify::<E>(&mut |input| self.observe(input), &input),
            Fault::Crash(_) | Fault::Hang => None,
        };
        let output = self.subject.output_of(&input);
        let label = match steps {
            0 => label,
            1 => format!("{label} (shrunk once)"),
            n => format!("{label} (shrunk {n} times)"),
        };
        let case = case_of::<E>(label, &input);
        match problem.fault {
            Fault::Crash(reason) => Outcome::Crashed { reason, case, output },
            Fault::Hang => Outcome::Hung { case, output },
            Fault::Result(kind) => Outcome::Failed(Box::new(Failure {
                weight_maps: problem
                    .actual
                    .as_ref()
                    .map_or_else(Vec::new, |actual| super::outputs::differing_weights(&problem.expected, actual)),
                property: problem.property,
                kind,
                case,
                expected: problem.expected.render(),
                actual: problem.actual.map(|a| a.render()).unwrap_or_default(),
                first_difference: problem.first_difference,
                mistake: mistake.map(|m| m.to_verdict()),
                panic_message: problem.panic.map(|p| p.describe()),
                output,
            })),
        }
    }

    /// Greedy shrinking: move to the first smaller input that fails the same
    /// way, until none does (or no time is left). Returns the last failing
    /// input and the number of moves.
    fn shrink(&mut self, mut input: E::Input, mut problem: Problem) -> (E::Input, Problem, u32) {
        let (mut budget, mut steps) = (SHRINK_BUDGET, 0);
        'moves: loop {
            for candidate in input.shrink().take(budget) {
                budget -= 1;
                match self.judge(&candidate) {
                    Judgement::Failed(p) if p.fault.same_kind(&problem.fault) => {
                        (input, problem, steps) = (candidate, p, steps + 1);
                        continue 'moves;
                    }
                    Judgement::OutOfTime => break 'moves,
                    _ => {}
                }
            }
            break;
        }
        (input, problem, steps)
    }
}

/// A number of bytes for a person: `812 bytes`, `40.0 KiB`, `16.0 MiB`.
pub fn bytes_in_words(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}
