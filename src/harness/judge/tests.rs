//! Self-tests of the judge's own machinery: the twins, the mutants and the
//! edge cases, for all nine exercises.

use super::exercise::Exercise;
use super::exercises::{
    Additive, CausalMask, CrossAttention, Flash, FlashBackward, Gated, Gqa, Mha, Sdpa, SdpaBackward, SelfAttention,
    Softmax,
};
use super::knobs::{Knobs, Mutant};
use super::mistakes;
use super::outputs::{agree, discrepancy};
use super::session::{self, Seen, Subject};
use super::{Judged, Outcome};
use crate::evaluator::panics::catch;
use crate::harness::evaluator_process::Output;
use quickcheck::{Arbitrary, Gen};

/// Runs `$test::<E>()` for every exercise `E`.
macro_rules! for_every_exercise {
    ($test:ident) => {
        $test::<Softmax>();
        $test::<CausalMask>();
        $test::<Sdpa>();
        $test::<Mha>();
        $test::<SelfAttention>();
        $test::<CrossAttention>();
        $test::<Gated>();
        $test::<Gqa>();
        $test::<Additive>();
        $test::<Flash>();
        $test::<SdpaBackward>();
        $test::<FlashBackward>();
    };
}

/// The edge cases and `n` random cases of exercise `E`.
fn sample_inputs<E: Exercise>(n: usize) -> Vec<E::Input> {
    let mut generator = Gen::from_size_and_seed(super::draw::GEN_SIZE, 99);
    let random = (0..n).map(|_| E::Input::arbitrary(&mut generator));
    E::edge_cases().into_iter().map(|(_, input)| input).chain(random).collect()
}

/// The twin with every knob correct agrees with the reference.
fn correct_twin_is_the_reference<E: Exercise>() {
    for input in sample_inputs::<E>(300) {
        let (expected, twin) = (E::call(E::REFERENCE, &input), E::twin(&Knobs::CORRECT, &input));
        let difference = discrepancy(&expected, &twin);
        assert!(difference.is_none(), "{}: {difference:?} on {:?}", E::NAME, E::arguments(&input));
    }
}

#[test]
fn twins_with_correct_knobs_compute_the_reference() {
    for_every_exercise!(correct_twin_is_the_reference);
}

/// A twin as the subject of a whole check.
struct Twin(Knobs);

impl<E: Exercise> Subject<E> for Twin {
    fn call(&mut self, input: &E::Input, _trace_panic: bool) -> Seen {
        match catch(|| E::twin(&self.0, input)) {
            Ok(outputs) => Seen::Returned(outputs),
            Err(panicked) => Seen::Panicked(panicked),
        }
    }

    fn output_of(&mut self, _input: &E::Input) -> Output {
        Output::default()
    }
}

/// Judges the twin with `knobs` as exercise `E`.
fn judge_twin<E: Exercise>(knobs: Knobs, seed: u64, cases: u32) -> Judged {
    session::run::<E>(&mut Twin(knobs), seed, cases)
}

/// The correct twin, an implementation written apart from the reference,
/// passes a whole check.
fn correct_twin_passes<E: Exercise>() {
    let judged = judge_twin::<E>(Knobs::CORRECT, 5, 100);
    assert_eq!(judged.outcome, Outcome::Passed, "{}", E::NAME);
    assert_eq!(judged.cases_run, E::edge_cases().len() as u32 + 100, "{}", E::NAME);
}

#[test]
fn an_independent_correct_implementation_passes_the_check() {
    for_every_exercise!(correct_twin_passes);
}

/// Every mutant fails some edge case, and the check names its mistake.
fn mutants_are_caught_and_named<E: Exercise>() {
    for Mutant { mistake, knobs } in E::mutants() {
        let Judged { cases_run, outcome, .. } = judge_twin::<E>(knobs, 1, 50);
        let Outcome::Failed(failure) = outcome else { panic!("{}: mutant {} passed", E::NAME, mistake.id) };
        let edge_cases = E::edge_cases().len() as u32;
        assert!(cases_run <= edge_cases, "{}: {} slipped past the edge cases", E::NAME, mistake.id);
        let named = failure.mistake.map(|m| m.id);
        assert_eq!(named.as_deref(), Some(mistake.id), "{}: mutant {:?} named {named:?}", E::NAME, knobs);
    }
}

#[test]
fn every_mutant_fails_an_edge_case_and_is_named() {
    for_every_exercise!(mutants_are_caught_and_named);
}

/// Mutants of different mistakes disagree on at least one edge case.
fn mistakes_are_told_apart<E: Exercise>() {
    let inputs: Vec<E::Input> = E::edge_cases().into_iter().map(|(_, input)| input).collect();
    let mutants = E::mutants();
    for (i, a) in mutants.iter().enumerate() {
        for b in mutants[i + 1..].iter().filter(|b| b.mistake != a.mistake) {
            let differ = inputs.iter().any(|input| {
                match (catch(|| E::twin(&a.knobs, input)), catch(|| E::twin(&b.knobs, input))) {
                    (Ok(x), Ok(y)) => !agree(&x, &y),
                    (Err(_), Err(_)) => false,
                    _ => true,
                }
            });
            assert!(differ, "{}: {} and {} agree on every edge case", E::NAME, a.mistake.id, b.mistake.id);
        }
    }
}

#[test]
fn different_mistakes_differ_on_some_edge_case() {
    for_every_exercise!(mistakes_are_told_apart);
}

#[test]
fn mistake_ids_are_unique() {
    let mut ids: Vec<&str> = mistakes::ALL.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before);
}
