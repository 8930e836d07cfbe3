//! The bank loader: the sample bank loads with every kind, and each broken file
//! in `tests/quiz_data/broken/` is rejected with the problem its first line
//! names (`# expect: ...`).

use attn_quiz::quiz::bank::{Bank, Source};
use attn_quiz::quiz::question::{Kind, KindName};
use std::collections::HashSet;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quiz_data");

#[test]
fn the_sample_bank_loads_with_every_kind() {
    let bank = Bank::from_dir(&Path::new(DATA).join("sample_bank")).unwrap_or_else(|e| panic!("{e}"));
    let kinds: HashSet<KindName> = bank.questions().iter().map(|q| q.kind.name()).collect();
    assert_eq!(kinds.len(), KindName::ALL.len(), "{kinds:?}");
    let choice = bank.questions().iter().find(|q| q.id == "transformer.sample-choice").unwrap();
    assert_eq!(choice.topic.id, "transformer");
    assert!(matches!(&choice.kind, Kind::SingleChoice { correct: 1, choices } if choices.len() == 3));
}

#[test]
fn every_broken_file_is_rejected_with_its_problem() {
    let mut checked = 0;
    for entry in std::fs::read_dir(Path::new(DATA).join("broken")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).expect("an expect line");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = Source { topic: "shapes".into(), origin: name.clone(), text: text.clone() };
        let error = Bank::from_sources(&[source]).expect_err(&name);
        assert!(error.to_string().contains(expected), "{name}: expected {expected:?} in:\n{error}");
        assert!(error.problems.iter().all(|p| p.contains(&name) || p.contains("used twice")), "{error}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} broken files found");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let source = |name: &str| Source {
        topic: "shapes".into(),
        origin: name.into(),
        text: std::fs::read_to_string(Path::new(DATA).join("broken").join(name)).unwrap(),
    };
    let error = Bank::from_sources(&[source("correct_out_of_range.toml"), source("one_step.toml")]).unwrap_err();
    assert_eq!(error.problems.len(), 2, "{error}");
}

#[test]
fn a_file_named_after_no_topic_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("attention.toml"), "").unwrap();
    let error = Bank::from_dir(dir.path()).unwrap_err();
    assert!(error.to_string().contains("`attention` is not a topic"), "{error}");
}

#[test]
fn an_empty_placeholder_file_has_no_questions() {
    let placeholder =
        Source { topic: "masks".into(), origin: "masks.toml".into(), text: "# questions for masks\n".into() };
    assert!(Bank::from_sources(&[placeholder]).unwrap().questions().is_empty());
}
