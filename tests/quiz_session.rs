//! End-to-end quiz sessions through the real binary, with scripted input.
//!
//! The questions come from `tests/quiz_data/sample_bank` (`--bank-dir`), and
//! the sessions pick topics that have no generators, so every question asked is
//! known: `transformer` has one single-choice question (right option
//! "Self-attention", shown under a letter the seeded shuffle picks; see
//! [`right_letter`]), `scaling_softmax` two questions both answered by `8`.
//! Every test uses its own temporary state directory.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SAMPLE_BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quiz_data/sample_bank");
const SHORT_ANSWER_BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quiz_data/short_answer_bank");
const PROGRESS_FILE: &str = "quiz-progress.json";

/// `attn-quiz <args>` with `input` on stdin and the state in `state`.
fn attn_quiz(state: &Path, args: &[&str], input: &str) -> assert_cmd::assert::Assert {
    Command::new(env!("CARGO_BIN_EXE_attn-quiz"))
        .args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("ATTN_QUIZ_STATE_DIR")
        .env_remove("CLICOLOR_FORCE")
        .write_stdin(input)
        .assert()
}

/// `attn-quiz run` on the sample bank, with seed 7 unless `args` give one.
fn run(state: &Path, args: &[&str], input: &str) -> assert_cmd::assert::Assert {
    let mut all = vec!["run", "--bank-dir", SAMPLE_BANK];
    if !args.contains(&"--seed") {
        all.extend_from_slice(&["--seed", "7"]);
    }
    all.extend_from_slice(args);
    attn_quiz(state, &all, input)
}

/// The letter "Self-attention" is shown under when `run(state, args, ..)`
/// asks the transformer sample question: the session is run once with no
/// input (which records nothing) and the letter read off the screen.
fn right_letter(state: &Path, args: &[&str]) -> String {
    let out = stdout(&run(state, args, "").success());
    let line = out.lines().find(|l| l.ends_with(") Self-attention")).unwrap_or_else(|| panic!("not shown:\n{out}"));
    line.trim_start().chars().next().unwrap().to_string()
}

/// A letter of the transformer sample question that is not the right one.
fn wrong_letter(state: &Path, args: &[&str]) -> String {
    if right_letter(state, args) == "a" { "b".into() } else { "a".into() }
}

/// What a finished command printed on stdout.
fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// What a finished command printed on stderr.
fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The saved record of question `id`, if any.
fn record(state: &Path, id: &str) -> Option<Value> {
    let text = std::fs::read_to_string(state.join(PROGRESS_FILE)).ok()?;
    let progress: Value = serde_json::from_str(&text).expect("the progress file is JSON");
    progress["questions"].get(id).cloned()
}

fn state_dir() -> TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_right_answer_is_praised_explained_and_saved() {
    let state = state_dir();
    let right = right_letter(state.path(), &["--topic", "transformer"]);
    let done = run(state.path(), &["--topic", "transformer"], &format!("{right}\n")).success();
    let out = stdout(&done);
    assert!(out.contains("Sample: which sublayer mixes information across positions?"), "{out}");
    assert!(out.contains(&format!("  {right}) Self-attention")), "choices are shown with letters:\n{out}");
    assert!(out.contains("✓ Right."), "{out}");
    assert!(out.contains("Sample explanation: attention mixes positions"), "{out}");
    assert!(out.contains("Read: reference::mha::multi_head_attention (src/reference/mha.rs)"), "{out}");
    assert!(out.contains("Score: 1 of 1 right."), "{out}");
    assert!(!out.contains('\u{1b}'), "no colors when stdout is not a terminal");
    let saved = record(state.path(), "transformer.sample-choice").expect("saved after the answer");
    assert_eq!(saved["box"], 2, "a new question answered right moves to box 2");
    assert_eq!((saved["answered"].as_u64(), saved["right"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn a_wrong_answer_shows_the_right_one_and_what_to_review() {
    let state = state_dir();
    let (right, wrong) = (
        right_letter(state.path(), &["--topic", "transformer"]),
        wrong_letter(state.path(), &["--topic", "transformer"]),
    );
    let out = stdout(&run(state.path(), &["--topic", "transformer"], &format!("{wrong}\n")).success());
    assert!(out.contains(&format!("✗ Wrong. The answer: {right}) Self-attention")), "{out}");
    assert!(out.contains("Score: 0 of 1 right."), "{out}");
    assert!(out.contains("Review next:"), "{out}");
    assert!(out.contains("reference::mha::multi_head_attention (src/reference/mha.rs)"), "{out}");
    assert!(out.contains("`attn-quiz run --topic transformer`"), "the weakest topic is named: {out}");
    let saved = record(state.path(), "transformer.sample-choice").unwrap();
    assert_eq!(saved["box"], 1);
    assert_eq!(saved["right"], 0);
}

#[test]
fn an_unreadable_answer_is_asked_again_with_the_accepted_formats() {
    let state = state_dir();
    let right = right_letter(state.path(), &["--topic", "transformer"]);
    let out = stdout(&run(state.path(), &["--topic", "transformer"], &format!("z\n\n{right}\n")).success());
    assert!(out.contains("Could not read \"z\" as an answer. Answer with one letter (a-c)."), "{out}");
    assert!(out.contains("Could not read \"\" as an answer."), "an empty line is re-asked too: {out}");
    assert!(out.contains("✓ Right."), "the question is still open after an invalid answer: {out}");
}

#[test]
fn a_hint_is_shown_and_a_hinted_answer_does_not_promote() {
    let state = state_dir();
    let right = right_letter(state.path(), &["--topic", "transformer"]);
    let out = stdout(&run(state.path(), &["--topic", "transformer"], &format!("h\n{right}\n")).success());
    assert!(out.contains("Hint: Only one of them looks at other tokens."), "{out}");
    assert!(out.contains("✓ Right, with the hint."), "{out}");
    assert_eq!(record(state.path(), "transformer.sample-choice").unwrap()["box"], 1);
}

#[test]
fn a_skipped_question_is_not_recorded() {
    let state = state_dir();
    let out = stdout(&run(state.path(), &["--topic", "scaling_softmax", "--count", "2"], "s\n8\n").success());
    assert!(out.contains("Skipped."), "{out}");
    assert!(out.contains("Score: 1 of 1 right (1 skipped)."), "{out}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(state.path().join(PROGRESS_FILE)).unwrap()).unwrap();
    assert_eq!(saved["questions"].as_object().unwrap().len(), 1, "only the answered question: {saved}");
}

#[test]
fn quitting_keeps_what_was_answered() {
    let state = state_dir();
    let done = run(state.path(), &["--topic", "scaling_softmax", "--count", "2"], "8\nq\n").success();
    let out = stdout(&done);
    assert!(out.contains("Question 2 of 2"), "{out}");
    assert!(out.contains("Session stopped."), "{out}");
    assert!(out.contains("Score: 1 of 1 right."), "{out}");
    let saved = std::fs::read_to_string(state.path().join(PROGRESS_FILE)).unwrap();
    assert!(saved.contains("\"right\": 1"), "{saved}");
}

#[test]
fn the_end_of_input_ends_the_session_cleanly() {
    let state = state_dir();
    let done = run(state.path(), &["--topic", "scaling_softmax", "--count", "2"], "8\n").success();
    let out = stdout(&done);
    assert!(out.contains("End of input: session stopped."), "{out}");
    assert!(out.contains("Score: 1 of 1 right."), "{out}");
    assert!(stderr(&done).is_empty(), "no error, no panic: {}", stderr(&done));

    let nothing = stdout(&run(state_dir().path(), &["--topic", "transformer"], "").success());
    assert!(nothing.contains("No question answered."), "{nothing}");
    assert!(!nothing.contains("Nothing missed"), "no verdict on a session without answers: {nothing}");
}

#[test]
fn a_mastered_question_is_not_due_and_a_missed_one_is() {
    let state = state_dir();
    let right = right_letter(state.path(), &["--topic", "transformer"]);
    run(state.path(), &["--topic", "transformer"], &format!("{right}\n")).success();
    let review = stdout(&run(state.path(), &["--topic", "transformer", "--review"], "").success());
    assert!(review.contains("Nothing is due for review"), "answered right, due tomorrow: {review}");

    let stats = stdout(&attn_quiz(state.path(), &["stats", "--bank-dir", SAMPLE_BANK], "").success());
    let line = stats.lines().find(|l| l.starts_with("Attention in the transformer")).unwrap();
    assert_eq!(line.split_whitespace().rev().take(5).collect::<Vec<_>>(), ["100%", "0", "0", "1", "1"], "{stats}");

    let missed = state_dir();
    let wrong = wrong_letter(missed.path(), &["--topic", "transformer"]);
    run(missed.path(), &["--topic", "transformer"], &format!("{wrong}\n")).success();
    let right = right_letter(missed.path(), &["--topic", "transformer", "--review"]);
    let again = stdout(&run(missed.path(), &["--topic", "transformer", "--review"], &format!("{right}\n")).success());
    assert!(again.contains("1 question (1 due)"), "{again}");
    assert!(again.contains("✓ Right."), "{again}");
}

#[test]
fn the_state_directory_can_come_from_the_environment() {
    let state = state_dir();
    let right = right_letter(state_dir().path(), &["--topic", "transformer"]);
    Command::new(env!("CARGO_BIN_EXE_attn-quiz"))
        .args(["run", "--bank-dir", SAMPLE_BANK, "--topic", "transformer", "--seed", "7"])
        .env("ATTN_QUIZ_STATE_DIR", state.path())
        .write_stdin(format!("{right}\n"))
        .assert()
        .success();
    assert!(record(state.path(), "transformer.sample-choice").is_some());
}

#[test]
fn a_corrupt_state_file_is_set_aside_with_a_warning() {
    let state = state_dir();
    std::fs::write(state.path().join(PROGRESS_FILE), "{ this is not json").unwrap();
    let right = right_letter(state_dir().path(), &["--topic", "transformer"]); // a fresh start asks as a fresh state
    let done = run(state.path(), &["--topic", "transformer"], &format!("{right}\n")).success();
    let err = stderr(&done);
    assert!(err.contains("warning:") && err.contains("moved to"), "{err}");
    assert!(stdout(&done).contains("1 question (1 new)"), "a fresh start: {}", stdout(&done));
    let aside: Vec<PathBuf> = std::fs::read_dir(state.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the damaged file is kept aside");
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), "{ this is not json");
    assert!(record(state.path(), "transformer.sample-choice").is_some(), "the new progress is saved");
}

#[test]
fn an_unknown_topic_is_an_error_listing_the_topics() {
    let done = run(state_dir().path(), &["--topic", "masks,transformers"], "").code(2);
    let err = stderr(&done);
    assert!(err.contains("invalid value 'transformers' for '--topic <TOPIC>'"), "{err}");
    assert!(err.contains("shapes, scaling_softmax, masks, multi_head"), "{err}");
    assert!(err.contains("'transformer'"), "the closest topic is suggested: {err}");
}

#[test]
fn bad_arguments_exit_with_2() {
    run(state_dir().path(), &["--count", "0"], "").code(2);
    run(state_dir().path(), &["--seed", "minus-one"], "").code(2);
    let missing = attn_quiz(state_dir().path(), &["run", "--bank-dir", "/no/such/bank"], "").code(2);
    assert!(stderr(&missing).contains("reading the directory /no/such/bank"), "{}", stderr(&missing));
}

#[test]
fn a_short_answer_is_graded_by_the_learner() {
    let state = state_dir();
    let args = ["run", "--bank-dir", SHORT_ANSWER_BANK, "--topic", "transformer"];
    let out = stdout(&attn_quiz(state.path(), &args, "attention sees a set\nmaybe\ny\n").success());
    assert!(out.contains("Model answer: Attention treats its inputs as a set"), "{out}");
    assert!(out.contains("  - attention is permutation-equivariant"), "{out}");
    assert!(out.contains("Please answer y or n."), "{out}");
    assert!(out.contains("✓ Right."), "{out}");

    let other = state_dir();
    let out = stdout(&attn_quiz(other.path(), &args, "no idea\nn\n").success());
    assert!(out.contains("Not yet"), "{out}");
    assert_eq!(record(other.path(), "transformer.sample-short").unwrap()["box"], 1);
}

#[test]
fn a_generated_question_is_reproducible_with_its_seed() {
    // First session: a wrong answer reveals the measured answer.
    let args = ["--topic", "complexity", "--count", "1", "--seed", "42"];
    let first = stdout(&run(state_dir().path(), &args, "0\n").success());
    assert!(first.contains("· generated"), "{first}");
    let answer = first
        .lines()
        .find_map(|line| line.split_once("✗ Wrong. The answer: ").map(|(_, answer)| answer))
        .unwrap_or_else(|| panic!("no answer shown:\n{first}"))
        .to_string();
    // Same seed, fresh progress: the same question, so that answer is right.
    let second = stdout(&run(state_dir().path(), &args, &format!("{answer}\n")).success());
    let prompt = |out: &str| out.lines().skip_while(|l| !l.starts_with("Question 1")).nth(1).map(str::to_string);
    assert_eq!(prompt(&first), prompt(&second), "same seed, same question");
    assert!(second.contains("✓ Right."), "{answer} was accepted:\n{second}");
}

#[test]
fn the_default_session_mixes_new_and_generated_questions() {
    let out = stdout(&run(state_dir().path(), &[], "").success());
    let header = out.lines().next().unwrap();
    assert!(header.starts_with("attn-quiz: 10 questions ("), "{header}");
    assert!(header.contains("new") && header.contains("generated"), "{header}");
}

#[test]
fn stats_without_progress_says_how_to_start() {
    let out = stdout(&attn_quiz(state_dir().path(), &["stats", "--bank-dir", SAMPLE_BANK], "").success());
    assert!(out.contains("topic") && out.contains("mastered") && out.contains("all topics"), "{out}");
    assert!(out.contains("No answers recorded"), "{out}");
}
