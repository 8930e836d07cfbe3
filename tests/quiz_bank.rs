//! The built-in question bank (`src/quiz/bank/<topic>.toml`): enough questions,
//! every topic and kind, a right answer for each, explanations and reference
//! pointers that resolve.
//!
//! The loader already rejects most of these problems; the tests state the
//! contract on their own, reading the typed questions and the reference's
//! catalog directly.

use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::question::{Kind, KindName, MAX_CHOICES, Question, listing_lines};
use attn_quiz::quiz::topic::TOPICS;
use attn_quiz::reference::catalog;
use std::collections::HashSet;

fn bank() -> Bank {
    Bank::built_in().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_bank_has_at_least_80_questions() {
    let count = bank().questions().len();
    assert!(count >= 80, "the bank has {count} questions, at least 80 are expected");
}

#[test]
fn every_topic_has_questions() {
    let bank = bank();
    let empty: Vec<&str> =
        TOPICS.iter().filter(|t| !bank.questions().iter().any(|q| q.topic == *t)).map(|t| t.id).collect();
    assert!(empty.is_empty(), "topics without questions: {empty:?}");
}

#[test]
fn every_kind_is_present() {
    let bank = bank();
    let present: HashSet<KindName> = bank.questions().iter().map(|q| q.kind.name()).collect();
    let missing: Vec<&str> = KindName::ALL.iter().filter(|k| !present.contains(k)).map(|k| k.as_str()).collect();
    assert!(missing.is_empty(), "kinds without questions: {missing:?}");
}

#[test]
fn ids_are_unique_and_start_with_their_topic() {
    let bank = bank();
    let mut seen = HashSet::new();
    for q in bank.questions() {
        assert!(seen.insert(q.id.as_str()), "duplicate id {}", q.id);
        assert!(q.id.starts_with(&format!("{}.", q.topic.id)), "{} is not in topic {}", q.id, q.topic.id);
    }
}

#[test]
fn every_question_has_a_right_answer() {
    for q in bank().questions() {
        assert_has_right_answer(q);
    }
}

/// The answer key of `q` is complete and within range.
fn assert_has_right_answer(q: &Question) {
    let id = &q.id;
    match &q.kind {
        Kind::SingleChoice { choices, correct } => {
            assert!((2..=MAX_CHOICES).contains(&choices.len()), "{id}: {} choices", choices.len());
            assert!(*correct < choices.len(), "{id}: correct index {correct} out of range");
        }
        Kind::MultipleSelect { choices, correct } => {
            assert!((2..=MAX_CHOICES).contains(&choices.len()), "{id}: {} choices", choices.len());
            assert!(!correct.is_empty(), "{id}: no correct option");
            assert!(correct.iter().all(|&i| i < choices.len()), "{id}: correct index out of range");
        }
        Kind::Numeric { answer, tolerance } => {
            assert!(answer.is_finite() && tolerance.is_finite() && *tolerance >= 0.0, "{id}: {answer} ± {tolerance}");
        }
        Kind::Shape { shape } => assert!(!shape.is_empty(), "{id}: empty shape"),
        Kind::ShortAnswer { model_answer, key_points } => {
            assert!(!model_answer.trim().is_empty() && !key_points.is_empty(), "{id}: no model answer or key points");
        }
        Kind::SpotTheBug { listing, bug_line } => {
            let lines = listing_lines(listing).len();
            assert!((1..=lines).contains(bug_line), "{id}: bug line {bug_line} outside the {lines}-line listing");
        }
        Kind::OrderSteps { steps } => assert!(steps.len() >= 2, "{id}: fewer than two steps"),
    }
}

#[test]
fn every_question_has_a_prompt_hint_and_explanation() {
    for q in bank().questions() {
        for (what, text) in [("prompt", &q.prompt), ("hint", &q.hint), ("explanation", &q.explanation)] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", q.id);
        }
    }
}

#[test]
fn every_reference_pointer_names_an_item_that_exists() {
    let layers = include_str!("../src/layers.rs");
    for q in bank().questions() {
        let parts: Vec<&str> = q.reference.split("::").collect();
        let (source, item) = match parts.as_slice() {
            ["reference", module] => (module_source(&q.id, module), None),
            ["reference", module, item] => (module_source(&q.id, module), Some(*item)),
            ["layers", item] => (layers, Some(*item)),
            _ => panic!("{}: reference `{}` has an unknown form", q.id, q.reference),
        };
        if let Some(item) = item {
            assert!(declares(source, item), "{}: `{}` is not declared", q.id, q.reference);
        }
    }
}

/// The source of reference module `module`, failing the test if it does not exist.
fn module_source(id: &str, module: &str) -> &'static str {
    catalog::find(module).unwrap_or_else(|| panic!("{id}: no reference module `{module}`")).source
}

/// Whether `source` declares a public item `item` (`pub fn item(`, `pub struct item {`, ...).
fn declares(source: &str, item: &str) -> bool {
    source.lines().map(str::trim_start).any(|line| {
        ["fn", "struct", "enum", "type", "const", "trait"].iter().any(|keyword| {
            line.strip_prefix(&format!("pub {keyword} {item}"))
                .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric() && c != '_'))
        })
    })
}

#[test]
fn the_modern_topics_have_at_least_twelve_questions_of_several_kinds() {
    let bank = bank();
    for topic in ["positions_rope", "kv_cache_serving", "windows_sinks", "flash_attention"] {
        let questions: Vec<&Question> = bank.questions().iter().filter(|q| q.topic.id == topic).collect();
        assert!(questions.len() >= 12, "{topic}: {} questions", questions.len());
        let kinds: HashSet<KindName> = questions.iter().map(|q| q.kind.name()).collect();
        assert!(kinds.len() >= 6, "{topic}: only {} kinds", kinds.len());
    }
}
