//! Self-tests of the judge's own machinery: the twins, the mutants and the
//! edge cases, for all nine exercises.

use super::exercise::Exercise;
use super::exercises::{
    Additive, Alibi, CausalMask, CrossAttention, DecodeStep, Flash, FlashBackward, Gated, Gqa, LinearAttention, Mha,
    Mla, RopeExercise, Sdpa, SdpaBackward, SelfAttention, Sinks, Sinusoidal, SlidingWindow, Softmax,
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
        $test::<RopeExercise>();
        $test::<DecodeStep>();
        $test::<SlidingWindow>();
        $test::<Sinks>();
        $test::<Flash>();
        $test::<SdpaBackward>();
        $test::<FlashBackward>();
        $test::<Sinusoidal>();
        $test::<Alibi>();
        $test::<LinearAttention>();
        $test::<Mla>();
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

/// The first mutant of exercise `E` with mistake `id`.
fn mutant_of<E: Exercise>(id: &str) -> Mutant {
    E::mutants().into_iter().find(|m| m.mistake.id == id).unwrap_or_else(|| panic!("{}: no mutant {id}", E::NAME))
}

/// The twin with the mutants `first` and `second` turned together is named as both, `first` first.
fn pair_is_named<E: Exercise>(first: &str, second: &str) {
    let (a, b) = (mutant_of::<E>(first), mutant_of::<E>(second));
    let knobs = Knobs::combined(&a.knobs, &b.knobs).expect("two different knobs");
    let Outcome::Failed(failure) = judge_twin::<E>(knobs, 1, 50).outcome else { panic!("{first} + {second} passed") };
    let mistake = failure.mistake.unwrap_or_else(|| panic!("{}: {first} + {second} not named", E::NAME));
    assert_eq!(mistake.id, first, "{}: {mistake:?}", E::NAME);
    assert_eq!(mistake.name, format!("{}{}{}", a.mistake.name, super::naming::AND_ALSO, b.mistake.name));
}

#[test]
fn two_mistakes_in_one_function_are_both_named() {
    pair_is_named::<Mha>("scale_by_sqrt_d_model", "nan_on_fully_masked_row");
    pair_is_named::<Sdpa>("no_scale", "uniform_on_fully_masked_row");
    pair_is_named::<Gated>("gate_without_sigmoid", "missing_output_projection");
    pair_is_named::<Gqa>("gqa_modulo_mapping", "missing_bias");
    pair_is_named::<Additive>("additive_missing_tanh", "mask_filled_with_zero");
    pair_is_named::<Softmax>("softmax_wrong_axis", "no_max_subtraction");
}

#[test]
fn knobs_combine_only_when_they_turn_different_knobs() {
    let (scale, mask) = (mutant_of::<Mha>("scale_by_sqrt_d_model").knobs, mutant_of::<Mha>("mask_ignored").knobs);
    let both = Knobs::combined(&scale, &mask).expect("different knobs");
    assert_eq!((both.scale, both.mask_stage), (scale.scale, mask.mask_stage));
    assert_eq!(Knobs::combined(&scale, &Knobs::CORRECT), Some(scale));
    assert_eq!(Knobs::combined(&scale, &mutant_of::<Mha>("no_scale").knobs), None);
}

/// The mistakes only a masked key that dominates its row (or allowed scores
/// below -1e4) shows: they agree with the reference on every random case, and
/// fail an edge case. (Renormalising after masking is not quite blind: without
/// an epsilon a fully masked row gives 0 / 0, and with `+ 1e-9` a masked key
/// about 14 above the row's allowed scores already shows, which random cases
/// now and then draw; only the edge case always does.)
fn blind_spots_need_the_edge_cases<E: Exercise>() {
    let mut generator = Gen::from_size_and_seed(super::draw::GEN_SIZE, 7);
    let random: Vec<E::Input> = (0..500).map(|_| E::Input::arbitrary(&mut generator)).collect();
    use super::knobs::{MaskStage, Shift};
    let blind = [
        ("max_over_masked_keys", Knobs { shift: Shift::RowMaxOverMaskedKeys, ..Knobs::CORRECT }),
        ("mask_fill_too_small", Knobs { mask_stage: MaskStage::SmallFill, ..Knobs::CORRECT }),
    ];
    for (id, knobs) in blind {
        assert!(E::mutants().iter().any(|m| m.knobs == knobs), "{}: {id} is not a mutant", E::NAME);
        for input in &random {
            let (expected, twin) = (E::call(E::REFERENCE, input), E::twin(&knobs, input));
            let d = discrepancy(&expected, &twin);
            assert!(d.is_none(), "{}: {id} fails a random case: {d:?} {:?}", E::NAME, E::arguments(input));
        }
        let caught = E::edge_cases()
            .iter()
            .any(|(_, input)| discrepancy(&E::call(E::REFERENCE, input), &E::twin(&knobs, input)).is_some());
        assert!(caught, "{}: {id} passes every edge case", E::NAME);
    }
}

#[test]
fn masked_keys_that_dominate_their_row_are_drawn_as_edge_cases() {
    blind_spots_need_the_edge_cases::<Sdpa>();
    blind_spots_need_the_edge_cases::<Mha>();
    blind_spots_need_the_edge_cases::<SelfAttention>();
    blind_spots_need_the_edge_cases::<CrossAttention>();
    blind_spots_need_the_edge_cases::<Gated>();
    blind_spots_need_the_edge_cases::<Gqa>();
    blind_spots_need_the_edge_cases::<Additive>();
}
