//! Naming the mistake behind a counterexample.
//!
//! The learner's function is run again on the counterexample and on every
//! edge case; the first mutant (a buggy twin of the reference with one knob
//! turned, most specific first) that behaves the same on all of them (same
//! results within round-off, or a panic where the learner panics) names it.
//! A function that never returns a wrong result (it only panics) is not named.

use super::exercise::Exercise;
use super::knobs::Knobs;
use super::mistakes::MistakeInfo;
use super::outputs::{agree, discrepancy};
use super::session::Seen;
use crate::evaluator::panics::catch;

/// The mistake the learner's function (reached through `observe`) makes on
/// `counterexample`, if one of the exercise's mutants explains it.
pub(crate) fn identify<E: Exercise>(
    observe: &mut dyn FnMut(&E::Input) -> Seen,
    counterexample: &E::Input,
) -> Option<MistakeInfo> {
    let inputs: Vec<E::Input> =
        std::iter::once(counterexample.clone()).chain(E::edge_cases().into_iter().map(|(_, input)| input)).collect();
    let seen: Vec<Seen> = inputs.iter().map(observe).collect();
    let returns_wrong_results = inputs.iter().zip(&seen).any(|(input, seen)| {
        matches!(seen, Seen::Returned(actual) if discrepancy(&E::call(E::REFERENCE, input), actual).is_some())
    });
    if !returns_wrong_results {
        return None;
    }
    let behaves_like = |knobs: &Knobs| {
        inputs.iter().zip(&seen).all(|(input, seen)| match (catch(|| E::twin(knobs, input)), seen) {
            (Ok(twin), Seen::Returned(subject)) => agree(&twin, subject),
            (Err(_), Seen::Panicked(_)) => true,
            _ => false,
        })
    };
    E::mutants().into_iter().find(|mutant| behaves_like(&mutant.knobs)).map(|mutant| mutant.mistake)
}
