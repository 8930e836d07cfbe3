//! Leitner scheduling and the choice of a session's questions.

use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::generators::GENERATORS;
use attn_quiz::quiz::plan::{Reason, Request, plan};
use attn_quiz::quiz::progress::{Outcome, Progress};
use attn_quiz::quiz::topic;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

const DAY: u64 = 86_400;
const T0: u64 = 1_800_000_000;
const SAMPLE_BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quiz_data/sample_bank");

fn sample_bank() -> Bank {
    Bank::from_dir(Path::new(SAMPLE_BANK)).unwrap()
}

#[test]
fn right_answers_climb_the_boxes_and_wait_longer() {
    let mut progress = Progress::default();
    let expected = [(2, DAY), (3, 3 * DAY), (4, 7 * DAY), (5, 21 * DAY), (5, 21 * DAY)];
    for (box_number, wait) in expected {
        progress.record("q", Outcome::Right, T0);
        let r = progress.get("q").unwrap();
        assert_eq!((r.leitner_box, r.due), (box_number, T0 + wait));
    }
    let r = progress.get("q").unwrap();
    assert!(r.is_mastered());
    assert_eq!((r.answered, r.right), (5, 5));
}

#[test]
fn a_wrong_answer_sends_a_question_back_to_box_one_due_at_once() {
    let mut progress = Progress::default();
    for _ in 0..4 {
        progress.record("q", Outcome::Right, T0);
    }
    progress.record("q", Outcome::Wrong, T0 + 10);
    let r = progress.get("q").unwrap();
    assert_eq!((r.leitner_box, r.due), (1, T0 + 10));
    assert!(r.is_due(T0 + 10) && !r.is_mastered());
    assert_eq!((r.answered, r.right), (5, 4));
}

#[test]
fn a_hinted_right_answer_keeps_the_box() {
    let mut progress = Progress::default();
    progress.record("q", Outcome::Right, T0);
    progress.record("q", Outcome::RightWithHint, T0);
    let r = progress.get("q").unwrap();
    assert_eq!((r.leitner_box, r.due, r.right), (2, T0 + DAY, 2));
}

#[test]
fn the_default_session_mixes_due_new_and_generated() {
    let bank = sample_bank();
    let mut progress = Progress::default();
    progress.record("transformer.sample-choice", Outcome::Wrong, T0 - 1);
    progress.record("shapes.sample-select", Outcome::Right, T0 - 1); // not due for a day
    let request = Request { topics: vec![], count: 10, review_only: false, now: T0 };
    let planned = plan(&bank, &progress, &request, &mut StdRng::seed_from_u64(1));
    assert_eq!(planned.len(), 10);
    let count = |reason| planned.iter().filter(|p| p.reason == reason).count();
    assert_eq!(count(Reason::Due), 1);
    assert_eq!(count(Reason::New), 5, "every unseen written question of the sample bank");
    assert_eq!(count(Reason::Generated), 4, "three in ten, then more to fill the session");
    assert!(planned.iter().all(|p| p.item.id() != "shapes.sample-select"), "not due, and not needed to fill");
    let mut ids: Vec<&str> = planned.iter().map(|p| p.item.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10, "no question twice");
}

#[test]
fn questions_not_due_come_back_early_only_to_fill_a_session() {
    let bank = sample_bank();
    let mut progress = Progress::default();
    progress.record("transformer.sample-choice", Outcome::Right, T0);
    let request = Request { topics: vec![&topic::TRANSFORMER], count: 3, review_only: false, now: T0 };
    let planned = plan(&bank, &progress, &request, &mut StdRng::seed_from_u64(1));
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].reason, Reason::Early);
}

#[test]
fn review_asks_only_due_questions_most_overdue_first() {
    let bank = sample_bank();
    let mut progress = Progress::default();
    progress.record("scaling_softmax.sample-bug", Outcome::Wrong, T0 - 5);
    progress.record("scaling_softmax.sample-scale", Outcome::Wrong, T0 - 50);
    progress.record("transformer.sample-choice", Outcome::Right, T0);
    progress.record(GENERATORS[0].id, Outcome::Wrong, T0 - 10);
    let request = Request { topics: vec![], count: 10, review_only: true, now: T0 };
    let planned = plan(&bank, &progress, &request, &mut StdRng::seed_from_u64(1));
    let ids: Vec<&str> = planned.iter().map(|p| p.item.id()).collect();
    assert_eq!(ids, ["scaling_softmax.sample-scale", GENERATORS[0].id, "scaling_softmax.sample-bug"]);
    assert!(planned.iter().all(|p| p.reason == Reason::Due));

    let capped = Request { count: 2, ..request };
    assert_eq!(plan(&bank, &progress, &capped, &mut StdRng::seed_from_u64(1)).len(), 2);
}

#[test]
fn topics_and_seeds_are_respected() {
    let bank = sample_bank();
    let progress = Progress::default();
    let request = Request { topics: vec![&topic::GQA_KV_CACHE], count: 10, review_only: false, now: T0 };
    let ids = |seed| -> Vec<String> {
        plan(&bank, &progress, &request, &mut StdRng::seed_from_u64(seed)).iter().map(|p| p.item.id().into()).collect()
    };
    let gqa_generators = GENERATORS.iter().filter(|g| g.topic.id == "gqa_kv_cache").count();
    assert_eq!(ids(3).len(), gqa_generators, "the sample bank has no gqa question, so only generators");
    assert_eq!(ids(3), ids(3), "same seed, same session");
    let orders: std::collections::HashSet<Vec<String>> = (0..10).map(ids).collect();
    assert!(orders.len() > 1, "different seeds shuffle differently");
}
