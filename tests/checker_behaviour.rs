//! How the judge reports what is not a classic mistake: panics, unfinished code,
//! wrong shapes; and what it promises about counterexamples and seeds.

use attn_quiz::evaluator::Learner;
use attn_quiz::harness::evaluator_process::Output;
use attn_quiz::harness::judge::{Evaluate, InProcess, Reply, judge};
use attn_quiz::harness::judge::{Judged, Outcome, judge_in_process};
use attn_quiz::harness::verdict::{Case, Failure, FailureKind};
use attn_quiz::prelude::*;
use attn_quiz::reference;

/// Checks with 100 random cases and the given seed.
fn run(learner: Learner, seed: u64) -> Judged {
    judge_in_process(learner, seed, 100)
}

/// The failure of a verdict that must have failed.
fn failure(verdict: &Judged) -> &Failure {
    match &verdict.outcome {
        Outcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// The rendering of argument `name` in a case.
fn argument<'a>(case: &'a Case, name: &str) -> &'a str {
    case.arguments.iter().find(|(n, _)| n == name).map(|(_, text)| text.as_str()).unwrap()
}

fn panics_on_two_queries(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    assert!(q.nrows() < 2, "cannot handle {} queries", q.nrows());
    reference::scaled_dot_product_attention(q, k, v, mask)
}

#[test]
fn a_panic_is_reported_with_its_message_place_and_input() {
    let verdict = run(Learner::Sdpa(panics_on_two_queries), 1);
    let failure = failure(&verdict);
    assert_eq!(failure.kind, FailureKind::Panic);
    let message = failure.panic_message.as_deref().unwrap();
    assert!(message.starts_with("cannot handle 2 queries"), "{message}");
    assert!(message.contains("checker_behaviour.rs"), "the location is given: {message}");
    assert!(argument(&failure.case, "q").starts_with("(2×1)"), "shrunk to two queries of width 1");
    assert!(failure.actual.is_empty() && failure.mistake.is_none());
    assert!(failure.expected.contains("output:"));
}

/// Appends a column of ones to the queries (to fold the bias into W), then
/// still calls `Linear::forward`, whose input width no longer matches.
fn queries_with_a_ones_column(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let ones = query.clone().insert_column(query.ncols(), 1.0);
    let _projected = w.q.forward(&ones);
    reference::multi_head_attention(query, key, value, w, mask)
}

#[test]
fn a_shape_panic_in_the_library_points_at_the_learners_call() {
    let verdict = run(Learner::Mha(queries_with_a_ones_column), 1);
    let failure = failure(&verdict);
    assert_eq!(failure.kind, FailureKind::Panic);
    let message = failure.panic_message.as_deref().unwrap();
    assert!(message.starts_with("shape mismatch"), "{message}");
    assert!(message.contains("checker_behaviour.rs"), "the learner's line, not the library's: {message}");
}

/// The shipped softmax template, body still `todo` (so its argument is unused).
#[allow(unused_variables)]
#[path = "../src/harness/templates/softmax.rs"]
mod softmax_template;

fn mha_unimplemented(
    _: &Matrix,
    _: &Matrix,
    _: &Matrix,
    _: &MultiHeadWeights,
    _: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    panic!("not implemented: my multi-head attention") // what the `unimplemented` macro panics with
}

#[test]
fn todo_or_unimplemented_means_not_started() {
    for learner in [Learner::Softmax(softmax_template::softmax_rows), Learner::Mha(mha_unimplemented)] {
        let verdict = run(learner, 1);
        assert_eq!(verdict.outcome, Outcome::NotStarted);
        assert_eq!(verdict.cases_run, 1, "stops at the first call");
    }
}

fn todo_when_masked(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    if mask.is_some() {
        panic!("not yet implemented: masks") // what the `todo` macro panics with
    }
    reference::scaled_dot_product_attention(q, k, v, None)
}

#[test]
fn a_todo_left_on_one_path_is_a_panic_once_something_returned() {
    let verdict = run(Learner::Sdpa(todo_when_masked), 1);
    let failure = failure(&verdict);
    assert_eq!(failure.kind, FailureKind::Panic);
    assert!(failure.panic_message.as_deref().unwrap().starts_with("not yet implemented: masks"));
    assert_ne!(argument(&failure.case, "mask"), "None");
}

fn one_weights_matrix(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    let (output, mut weights) = reference::multi_head_attention(query, key, value, w, mask);
    weights.truncate(1);
    (output, weights)
}

fn transposed_weights(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let (output, weights) = reference::scaled_dot_product_attention(q, k, v, mask);
    (output, weights.transpose())
}

#[test]
fn wrong_shapes_and_head_counts_are_wrong_shape() {
    let heads = run(Learner::Mha(one_weights_matrix), 1);
    let heads = failure(&heads);
    assert_eq!(heads.kind, FailureKind::WrongShape);
    assert_eq!(heads.first_difference.as_deref(), Some("weights: expected 2 matrices (one per head), got 1"));

    let transposed = run(Learner::Sdpa(transposed_weights), 1);
    let transposed = failure(&transposed);
    assert_eq!(transposed.kind, FailureKind::WrongShape);
    let (expected, got) = ("weights: expected 1×2, got 2×1", "weights: expected 2×1, got 1×2");
    let difference = transposed.first_difference.as_deref().unwrap();
    assert!(difference == expected || difference == got, "shrunk to l_q, l_k = 1, 2 or 2, 1: {difference}");
}

fn nan_everywhere(scores: &Matrix) -> Matrix {
    scores.map(|_| f32::NAN)
}

#[test]
fn nan_is_not_finite_and_shrinks_to_one_entry() {
    let verdict = run(Learner::Softmax(nan_everywhere), 1);
    let failure = failure(&verdict);
    assert_eq!(failure.kind, FailureKind::NotFinite);
    assert_eq!(argument(&failure.case, "scores"), "(1×1)\n[ 0 ]");
    assert_eq!(failure.first_difference.as_deref(), Some("weights[0, 0]: expected 1, got NaN"));
}

/// Wrong only with four or more keys (no edge case has that many): it ignores the fourth key on.
fn drops_keys_after_the_third(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let kept = k.nrows().min(3);
    let mask = mask.map(|m| m.columns(0, kept).into_owned());
    let (output, kept_weights) = reference::scaled_dot_product_attention(
        q,
        &k.rows(0, kept).into_owned(),
        &v.rows(0, kept).into_owned(),
        mask.as_ref(),
    );
    let mut weights = Matrix::zeros(q.nrows(), k.nrows());
    weights.columns_mut(0, kept).copy_from(&kept_weights);
    (output, weights)
}

#[test]
fn a_random_failure_shrinks_to_the_smallest_case_that_shows_it() {
    let verdict = run(Learner::Sdpa(drops_keys_after_the_third), 1);
    let failure = failure(&verdict);
    assert!(failure.case.label.starts_with("random case"), "{}", failure.case.label);
    assert!(failure.case.label.contains("shrunk"), "{}", failure.case.label);
    // Four keys are needed; everything else is as small as it gets.
    assert!(argument(&failure.case, "q").starts_with("(1×1)"), "{:?}", failure.case);
    assert!(argument(&failure.case, "k").starts_with("(4×1)"), "{:?}", failure.case);
    assert!(argument(&failure.case, "v").starts_with("(4×1)"), "{:?}", failure.case);
    assert_eq!(argument(&failure.case, "mask"), "None");
    assert!(failure.mistake.is_none(), "not a classic mistake: {:?}", failure.mistake);
}

/// Runs the learner in this process and records the arguments of every call.
struct Recorder {
    inner: InProcess,
    calls: Vec<Vec<u8>>,
}

impl Evaluate for Recorder {
    fn evaluate(&mut self, arguments: Vec<u8>, trace_panic: bool, heavy: bool) -> Reply {
        self.calls.push(arguments.clone());
        self.inner.evaluate(arguments, trace_panic, heavy)
    }

    fn output_of(&mut self, arguments: Vec<u8>, heavy: bool) -> Output {
        self.inner.output_of(arguments, heavy)
    }
}

/// The verdict and the arguments of every call the judge made.
fn recorded(learner: Learner, seed: u64, cases: u32) -> (Judged, Vec<Vec<u8>>) {
    let mut recorder = Recorder { inner: InProcess(learner), calls: Vec::new() };
    let judged = judge(learner.exercise(), &mut recorder, seed, cases).unwrap();
    (judged, recorder.calls)
}

#[test]
fn the_same_seed_replays_the_same_verdict() {
    let first = run(Learner::Sdpa(drops_keys_after_the_third), 9);
    assert_eq!(first, run(Learner::Sdpa(drops_keys_after_the_third), 9));
    let calls = |seed| recorded(Learner::Softmax(reference::softmax_rows), seed, 30).1;
    assert_eq!(calls(4), calls(4));
    assert_ne!(calls(4), calls(5), "another seed draws other random cases");
}

#[test]
fn a_pass_calls_the_learner_once_per_case() {
    let (judged, calls) = recorded(Learner::CausalMask(reference::causal_mask), 1, 50);
    assert_eq!(judged.outcome, Outcome::Passed);
    assert_eq!((judged.cases_run, calls.len()), (54, 54), "4 edge cases and 50 random ones");
}

/// Right for every length but 0, where `len - 1` underflows.
fn panics_on_no_positions(len: usize) -> Mask {
    let last = len - 1;
    Mask::from_fn(len, len, |i, j| j <= i && i <= last)
}

#[test]
fn an_empty_causal_mask_is_an_edge_case() {
    let verdict = run(Learner::CausalMask(panics_on_no_positions), 1);
    let failure = failure(&verdict);
    assert_eq!(failure.kind, FailureKind::Panic);
    assert_eq!(argument(&failure.case, "len"), "0");
    assert!(failure.mistake.is_none());
}
