//! Naming the mistake behind a counterexample, or the two mistakes.
//!
//! The learner's function is run again on the counterexample and on every
//! edge case. A candidate explains what it did where its results agree with
//! the learner's (same results within round-off, or a panic where the learner
//! panics). Candidates are the exercise's mutants (a buggy twin of the
//! reference with one knob turned, most specific first) and, for files with
//! two mistakes, pairs of mutants of different mistakes with their knobs
//! turned together.
//!
//! 1. A candidate must explain the counterexample.
//! 2. The one that explains the most edge cases wins; on a tie a single
//!    mutant beats a pair, and an earlier mutant (or pair) a later one. So a
//!    single mutant that explains everything is named alone, and a pair only
//!    when it explains more than any single mutant does.
//!
//! A function that never returns a wrong result (it only panics) is not named.

use super::exercise::Exercise;
use super::knobs::{Knobs, Mutant};
use super::mistakes::MistakeInfo;
use super::outputs::{Outputs, agree, discrepancy};
use super::session::Seen;
use crate::evaluator::panics::{Panicked, catch};
use crate::harness::verdict;

/// The mistake named, and a second one found in the same function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Named {
    /// The mistake named first: its id is the verdict's.
    pub primary: MistakeInfo,
    /// Another mistake made together with it, if one mutant alone does not explain the function.
    pub also: Option<MistakeInfo>,
}

/// What joins the two names (and the two hints) of a pair of mistakes.
pub(crate) const AND_ALSO: &str = " and also: ";

impl Named {
    /// The mistakes as the verdict reports them: one object, the primary's id,
    /// both names and both hints.
    pub fn to_verdict(self) -> verdict::Mistake {
        let mut mistake = self.primary.to_verdict();
        if let Some(also) = self.also {
            mistake.name = format!("{}{AND_ALSO}{}", mistake.name, also.name);
            mistake.hint = format!("{}{AND_ALSO}{}", mistake.hint, also.hint);
        }
        mistake
    }
}

/// The mistake (or two) the learner's function (reached through `observe`)
/// makes on `counterexample`, if the exercise's mutants explain it.
pub(crate) fn identify<E: Exercise>(
    observe: &mut dyn FnMut(&E::Input) -> Seen,
    counterexample: &E::Input,
) -> Option<Named> {
    let inputs: Vec<E::Input> =
        std::iter::once(counterexample.clone()).chain(E::edge_cases().into_iter().map(|(_, input)| input)).collect();
    let seen: Vec<Seen> = inputs.iter().map(observe).collect();
    let returns_wrong_results = inputs.iter().zip(&seen).any(|(input, seen)| {
        matches!(seen, Seen::Returned(actual) if discrepancy(&E::call(E::REFERENCE, input), actual).is_some())
    });
    if !returns_wrong_results {
        return None;
    }
    let edge_cases = inputs.len() - 1;
    // How many edge cases the twin with `knobs` explains, if it explains the counterexample.
    let explained = |knobs: &Knobs| -> Option<usize> {
        let agrees = |(input, seen): (&E::Input, &Seen)| matches_seen(&catch(|| E::twin(knobs, input)), seen);
        let mut pairs = inputs.iter().zip(&seen);
        agrees(pairs.next()?).then(|| pairs.filter(|&pair| agrees(pair)).count())
    };
    let mutants = E::mutants();
    let mut best: Option<(usize, Named)> = None;
    for mutant in &mutants {
        if let Some(count) = explained(&mutant.knobs) {
            if count == edge_cases {
                return Some(Named { primary: mutant.mistake, also: None });
            }
            if best.is_none_or(|(most, _)| count > most) {
                best = Some((count, Named { primary: mutant.mistake, also: None }));
            }
        }
    }
    for (a, b) in pairs(&mutants) {
        let Some(knobs) = Knobs::combined(&a.knobs, &b.knobs) else { continue };
        if let Some(count) = explained(&knobs)
            && best.is_none_or(|(most, _)| count > most)
        {
            best = Some((count, Named { primary: a.mistake, also: Some(b.mistake) }));
            if count == edge_cases {
                break;
            }
        }
    }
    best.map(|(_, named)| named)
}

/// Every pair of mutants of two different mistakes, the earlier one first, in list order.
fn pairs(mutants: &[Mutant]) -> impl Iterator<Item = (&Mutant, &Mutant)> {
    mutants
        .iter()
        .enumerate()
        .flat_map(move |(i, a)| mutants[i + 1..].iter().filter(move |b| b.mistake != a.mistake).map(move |b| (a, b)))
}

/// Whether a twin's result (or panic) is what the learner's function did.
fn matches_seen(twin: &Result<Outputs, Panicked>, seen: &Seen) -> bool {
    match (twin, seen) {
        (Ok(twin), Seen::Returned(subject)) => agree(twin, subject),
        (Err(_), Seen::Panicked(_)) => true,
        _ => false,
    }
}
