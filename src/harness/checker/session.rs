//! One check, start to verdict.
//!
//! 1. The named edge cases, then `cases` random cases from quickcheck's
//!    generator seeded with the check's seed; each is judged against the
//!    reference (shapes, then NaN/infinity, then values).
//! 2. On the first failure, shrink: try the case's smaller variants in order
//!    and move to the first one that still fails the same way; repeat until
//!    none does (or the budget is spent). The last failing input is the
//!    counterexample.
//! 3. Name the mistake: run the learner's function again on the
//!    counterexample and on every edge case; the first mutant that behaves
//!    the same on all of them (same results within round-off, or a panic where
//!    the learner panics) names it.

use super::draw::GEN_SIZE;
use super::exercise::Exercise;
use super::knobs::Knobs;
use super::mistakes::MistakeInfo;
use super::outputs::{Outputs, discrepancy};
use super::panics::{Panicked, catch, catch_traced};
use crate::harness::protocol::{self, Failure, FailureKind, Outcome};
use quickcheck::{Arbitrary, Gen};

/// At most this many calls are spent on shrinking one failure.
const SHRINK_BUDGET: usize = 1000;

/// The function under test, as a function of one exercise input.
pub(crate) type Subject<'a, E> = &'a dyn Fn(&<E as Exercise>::Input) -> Outputs;

/// Checks `subject` on the edge cases and `cases` random cases of exercise
/// `E`, calling `before_call` with each input just before the subject runs.
///
/// Returns how many cases ran before the verdict, and the verdict.
pub(crate) fn run<E: Exercise>(
    subject: Subject<'_, E>,
    seed: u64,
    cases: u32,
    before_call: &mut dyn FnMut(&protocol::Case),
) -> (u32, Outcome) {
    let mut trial = Trial::<E> { subject, before_call, returned_once: false };
    let mut generator = Gen::from_size_and_seed(GEN_SIZE, seed);
    let edge = E::edge_cases().into_iter().map(|(name, input)| (format!("edge case: {name}"), input));
    let random = (1..=cases).map(|n| (format!("random case {n}"), E::Input::arbitrary(&mut generator)));
    let mut cases_run = 0;
    for (label, input) in edge.chain(random) {
        cases_run += 1;
        match trial.judge(&label, &input) {
            Judgement::Passed => {}
            Judgement::NotStarted => return (cases_run, Outcome::NotStarted),
            Judgement::Failed(problem) => {
                return (cases_run, Outcome::Failed(Box::new(trial.explain(label, input, problem))));
            }
        }
    }
    (cases_run, Outcome::Passed)
}

/// What judging one case found.
enum Judgement {
    Passed,
    /// The `todo` panic before the subject ever returned.
    NotStarted,
    Failed(Problem),
}

/// What went wrong on one case.
struct Problem {
    kind: FailureKind,
    property: String,
    first_difference: Option<String>,
    expected: Outputs,
    /// What the subject returned (`None` if it panicked).
    actual: Option<Outputs>,
    panic: Option<Panicked>,
}

/// The subject under test, with the caller's hook and what has been seen so far.
struct Trial<'a, E: Exercise> {
    subject: Subject<'a, E>,
    before_call: &'a mut dyn FnMut(&protocol::Case),
    /// Whether any call has returned normally (a later `todo` panic is then a panic, not "not started").
    returned_once: bool,
}

impl<E: Exercise> Trial<'_, E> {
    /// Tells the caller's hook which input the subject is about to get.
    fn announce(&mut self, label: &str, input: &E::Input) {
        (self.before_call)(&protocol::Case { label: label.to_string(), arguments: E::arguments(input) });
    }

    /// Announces the input, then calls the subject on it, catching a panic.
    fn observe(&mut self, label: &str, input: &E::Input) -> Result<Outputs, Panicked> {
        self.announce(label, input);
        let seen = catch(|| (self.subject)(input));
        self.returned_once |= seen.is_ok();
        seen
    }

    /// Calls the subject once more on an input it panicked on, this time
    /// finding the line of its own code that led to the panic.
    fn trace_panic(&mut self, label: &str, input: &E::Input) -> Option<Panicked> {
        self.announce(&format!("{label}, locating the panic"), input);
        catch_traced(|| (self.subject)(input)).err()
    }

    /// Calls the subject on one input and compares with the reference.
    fn judge(&mut self, label: &str, input: &E::Input) -> Judgement {
        let seen = self.observe(label, input);
        let expected = E::call(E::REFERENCE, input);
        match seen {
            Err(panic) if panic.is_todo() && !self.returned_once => Judgement::NotStarted,
            Err(panic) => Judgement::Failed(Problem {
                kind: FailureKind::Panic,
                property: "the function returns without panicking".to_string(),
                first_difference: None,
                expected,
                actual: None,
                panic: Some(panic),
            }),
            Ok(actual) => match discrepancy(&expected, &actual) {
                None => Judgement::Passed,
                Some(d) => Judgement::Failed(Problem {
                    kind: d.kind,
                    property: d.property,
                    first_difference: Some(d.first_difference),
                    expected,
                    actual: Some(actual),
                    panic: None,
                }),
            },
        }
    }

    /// Shrinks a failing case, names the mistake and writes up the failure.
    fn explain(&mut self, label: String, input: E::Input, problem: Problem) -> Failure {
        let (input, mut problem, steps) = self.shrink(&label, input, problem);
        if problem.panic.is_some() {
            problem.panic = self.trace_panic(&label, &input).or(problem.panic);
        }
        let mistake = self.identify(&input);
        let label = match steps {
            0 => label,
            1 => format!("{label} (shrunk once)"),
            n => format!("{label} (shrunk {n} times)"),
        };
        Failure {
            property: problem.property,
            kind: problem.kind,
            case: protocol::Case { label, arguments: E::arguments(&input) },
            expected: problem.expected.render(),
            actual: problem.actual.map(|a| a.render()).unwrap_or_default(),
            first_difference: problem.first_difference,
            mistake: mistake.map(MistakeInfo::to_protocol),
            panic_message: problem.panic.map(|p| p.describe()),
        }
    }

    /// Greedy shrinking: move to the first smaller input that fails the same
    /// way, until none does. Returns the last failing input and the number of moves.
    fn shrink(&mut self, label: &str, mut input: E::Input, mut problem: Problem) -> (E::Input, Problem, u32) {
        let label = format!("{label}, shrinking");
        let (mut budget, mut steps) = (SHRINK_BUDGET, 0);
        loop {
            let (kind, mut tried) = (problem.kind, 0);
            let smaller = input.shrink().take(budget).find_map(|candidate| {
                tried += 1;
                match self.judge(&label, &candidate) {
                    Judgement::Failed(p) if p.kind == kind => Some((candidate, p)),
                    _ => None,
                }
            });
            budget -= tried;
            match smaller {
                Some((candidate, p)) => (input, problem, steps) = (candidate, p, steps + 1),
                None => return (input, problem, steps),
            }
        }
    }

    /// The first mutant that behaves like the subject on the counterexample
    /// and on every edge case, if the subject returns a wrong result on at
    /// least one of them (a function that only panics is not named).
    fn identify(&mut self, counterexample: &E::Input) -> Option<MistakeInfo> {
        let evidence = std::iter::once(("the counterexample", counterexample.clone())).chain(E::edge_cases());
        let (labels, inputs): (Vec<&str>, Vec<E::Input>) = evidence.unzip();
        let seen: Vec<_> = labels
            .iter()
            .zip(&inputs)
            .map(|(label, input)| self.observe(&format!("naming the mistake, on {label}"), input))
            .collect();
        let returns_wrong_results = inputs.iter().zip(&seen).any(
            |(input, seen)| matches!(seen, Ok(actual) if discrepancy(&E::call(E::REFERENCE, input), actual).is_some()),
        );
        if !returns_wrong_results {
            return None;
        }
        let behaves_like = |knobs: &Knobs| {
            inputs.iter().zip(&seen).all(|(input, seen)| match (catch(|| E::twin(knobs, input)), seen) {
                (Ok(twin), Ok(subject)) => super::outputs::agree(&twin, subject),
                (Err(_), Err(_)) => true,
                _ => false,
            })
        };
        E::mutants().into_iter().find(|mutant| behaves_like(&mutant.knobs)).map(|mutant| mutant.mistake)
    }
}
