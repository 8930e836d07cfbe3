//! `attn-quiz mock` through the binary: a piped full run from an answers
//! file, the time running out, `--history`, and a code part that passes.
//!
//! The paper of a seed is known in advance: [`mock::prepare`] is what the
//! command itself calls, so the tests compute the right answers from it (the
//! letters under which the shuffle put the right options, the measured answers
//! of generated questions) and do not depend on which questions the bank holds.

mod cli_support;

use attn_quiz::quiz::asked::{Asked, shape_text};
use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::mock::{self, Prepared};
use attn_quiz::quiz::question::{Kind, letter};
use cli_support::{Ran, Sandbox};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SEED: u64 = 11;

fn paper(seed: u64) -> Prepared {
    static BANK: std::sync::OnceLock<Bank> = std::sync::OnceLock::new();
    mock::prepare(BANK.get_or_init(|| Bank::built_in().unwrap()), seed).unwrap()
}

/// What a learner who knows the answer types.
fn right_answer(asked: &Asked) -> String {
    match &asked.question.kind {
        Kind::SingleChoice { .. } | Kind::MultipleSelect { .. } => {
            asked.right_letters().iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(" ")
        }
        Kind::Numeric { answer, .. } => format!("{answer}"),
        Kind::Shape { shape } => shape_text(shape),
        other => panic!("{}: not a choice-part kind: {other:?}", asked.question.id),
    }
}

/// A readable answer that is wrong.
fn wrong_answer(asked: &Asked) -> String {
    match &asked.question.kind {
        Kind::SingleChoice { .. } | Kind::MultipleSelect { .. } => {
            let right = asked.right_letters();
            if right == [0] { "b".into() } else { "a".into() }
        }
        Kind::Numeric { answer, tolerance } => format!("{}", answer + tolerance + 1.0),
        Kind::Shape { shape } => shape_text(&[shape.iter().product::<usize>() + 1]),
        other => panic!("not a choice-part kind: {other:?}"),
    }
}

/// The state file `name` of the sandbox as JSON.
fn state(sandbox: &Sandbox, name: &str) -> Value {
    let text = std::fs::read_to_string(sandbox.state_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The answers file of a run: choice answers right except the fourth, the
/// first key point of each short answer covered, `done` on the untouched sdpa
/// template and a skip to move on, then a skip of the second exercise.
fn answers_file(paper: &Prepared) -> String {
    let mut lines = Vec::new();
    for (i, asked) in paper.choice.iter().enumerate() {
        lines.push(if i == 3 { wrong_answer(asked) } else { right_answer(asked) });
    }
    for q in &paper.short {
        lines.push("Every position attends to every other; weights from a softmax of scaled dot products".into());
        let Kind::ShortAnswer { key_points, .. } = &q.kind else { panic!("{} is not a short answer", q.id) };
        lines.extend((0..key_points.len()).map(|i| if i == 0 { "y".to_string() } else { "n".to_string() }));
    }
    lines.extend(["done", "s", "s"].map(String::from));
    lines.join("\n") + "\n"
}

#[test]
fn the_paper_has_the_parts_the_test_has() {
    for seed in 0..30 {
        let p = paper(seed);
        assert_eq!(p.choice.len(), 5, "seed {seed}");
        let kinds: Vec<&Kind> = p.choice.iter().map(|a| &a.question.kind).collect();
        assert!(kinds.iter().any(|k| matches!(k, Kind::SingleChoice { .. })), "seed {seed}: a single choice");
        assert!(kinds.iter().any(|k| matches!(k, Kind::MultipleSelect { .. })), "seed {seed}: a multiple select");
        assert!(kinds.iter().any(|k| matches!(k, Kind::Shape { .. })), "seed {seed}: a shape question");
        assert!(p.choice.iter().filter(|a| a.question.id.starts_with("gen.")).count() >= 2, "seed {seed}: generated");
        assert_eq!(p.short.len(), 2, "seed {seed}");
        assert_eq!(p.code[0], "sdpa");
        assert!(mock::HARDER.contains(&p.code[1]), "seed {seed}: {}", p.code[1]);
    }
    assert_eq!(paper(5).choice[0].question, paper(5).choice[0].question, "a seed fixes the paper");
}

#[test]
fn a_piped_run_is_scored_part_by_part_and_kept_in_the_history() {
    let sandbox = Sandbox::new();
    let p = paper(SEED);
    let seed = SEED.to_string();
    let ran = Ran::of(sandbox.attn_quiz(["mock", "--seed", &seed]).write_stdin(answers_file(&p)));
    assert_eq!(ran.code, 0, "{ran:?}");
    let out = &ran.stdout;
    assert!(out.contains("45:00 allowed, seed 11"), "{ran:?}");
    assert!(out.contains(" left] > "), "the time left is shown at the prompt: {ran:?}");
    assert!(out.contains("Test complete."), "{ran:?}");
    assert!(out.contains("Part 1 · Choice         4/5 right"), "{ran:?}");
    let shorts = p.short.len();
    let points = p.points_total();
    assert!(out.contains(&format!("Part 2 · Short answer   {shorts}/{points} key points")), "{ran:?}");
    assert!(out.contains("Model answer:"), "{ran:?}");
    assert!(out.contains("sdpa: not started"), "the check judged the untouched template: {ran:?}");
    assert!(out.contains("Part 3 · Code           0/2 passed"), "{ran:?}");
    assert!(out.contains("sdpa             not passing after 1 check(s)"), "{ran:?}");
    assert!(out.contains(&format!("{:<16} skipped", p.code[1])), "{ran:?}");
    let missed = &p.choice[3].question;
    assert!(out.contains(&format!("✗ {}", missed.id)), "the score sheet lists the miss: {ran:?}");
    assert!(out.contains("Weakest topics:") && out.contains(missed.topic.title), "{ran:?}");
    assert!(out.contains("Review next:"), "{ran:?}");
    assert!(!out.contains('\u{1b}'), "no colors off a terminal");

    // The files: a fresh folder with the templates, the history, the Leitner boxes.
    let folder = sandbox.path("mock/attempt-1");
    assert!(folder.join("sdpa.rs").is_file() && folder.join(format!("{}.rs", p.code[1])).is_file());
    let history = state(&sandbox, "mock-history.json");
    let attempt = &history["attempts"][0];
    assert_eq!(attempt["ending"], "completed");
    assert_eq!((attempt["choice_right"].as_u64(), attempt["seed"].as_u64()), (Some(4), Some(SEED)));
    assert_eq!(attempt["points_covered"].as_u64(), Some(shorts as u64));
    let progress = state(&sandbox, "quiz-progress.json");
    for (i, asked) in p.choice.iter().enumerate() {
        let record = &progress["questions"][&asked.question.id];
        assert_eq!(record["answered"], 1, "{}", asked.question.id);
        assert_eq!(record["box"], if i == 3 { 1 } else { 2 }, "{}: a right answer moves it up", asked.question.id);
    }

    // A second attempt never overwrites the first one's files.
    std::fs::write(folder.join("sdpa.rs"), "// my first attempt\n").unwrap();
    let again = Ran::of(sandbox.attn_quiz(["mock", "--seed", &seed]).write_stdin(answers_file(&p)));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("mock/attempt-2/sdpa.rs"), "{again:?}");
    assert_eq!(std::fs::read_to_string(folder.join("sdpa.rs")).unwrap(), "// my first attempt\n");

    let listed = Ran::of(&mut sandbox.attn_quiz(["mock", "--history"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    let rows: Vec<&str> = listed.stdout.lines().filter(|l| l.contains("seed 11")).collect();
    assert_eq!(rows.len(), 2, "both attempts are listed: {listed:?}");
    assert!(rows[0].contains("completed") && rows[0].contains("80%") && rows[0].contains("0/2"), "{listed:?}");
    assert!(listed.stdout.contains("+0 points against the one before"), "{listed:?}");
}

#[test]
fn history_without_attempts_says_how_to_start() {
    let sandbox = Sandbox::new();
    let listed = Ran::of(&mut sandbox.attn_quiz(["mock", "--history"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains("No mock test taken yet"), "{listed:?}");
}

#[test]
fn the_end_of_input_ends_the_test_cleanly() {
    let sandbox = Sandbox::new();
    let p = paper(SEED);
    let ran =
        Ran::of(sandbox.attn_quiz(["mock", "--seed", "11"]).write_stdin(format!("{}\n", right_answer(&p.choice[0]))));
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("End of input: test stopped."), "{ran:?}");
    assert!(ran.stdout.contains("1/5 right"), "{ran:?}");
    assert!(ran.stdout.contains("not handed in"), "{ran:?}");
    assert!(ran.stderr.is_empty(), "{ran:?}");
    assert!(!sandbox.path("mock").exists(), "the code part was not reached, so no folder");
    assert_eq!(state(&sandbox, "mock-history.json")["attempts"][0]["ending"], "input_ended");
}

/// A running `attn-quiz mock` whose stdout is collected as it comes.
struct Live {
    child: std::process::Child,
    screen: Arc<Mutex<String>>,
}

impl Live {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Live {
        let mut child = sandbox
            .process(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let screen = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let collected = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                collected.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Live { child, screen }
    }

    fn send(&mut self, text: &str) {
        self.child.stdin.as_mut().unwrap().write_all(text.as_bytes()).unwrap();
    }

    /// Waits until the screen shows `text` (at most `secs` seconds).
    fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen.lock().unwrap().clone();
            if screen.contains(text) {
                return screen;
            }
            assert!(start.elapsed() < Duration::from_secs(secs), "no {text:?} after {secs} s:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to end by itself (at most `secs` seconds); its exit code.
    fn wait_exit(&mut self, secs: u64) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap();
            }
            if start.elapsed() > Duration::from_secs(secs) {
                self.child.kill().unwrap();
                panic!("still running after {secs} s:\n{}", self.screen.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn time_up_ends_the_test_with_what_was_answered() {
    let sandbox = Sandbox::new();
    let p = paper(SEED);
    // 0.05 minutes = 3 seconds; the input stays open, as at a terminal where nobody types.
    let mut live = Live::start(&sandbox, &["mock", "--seed", "11", "--minutes", "0.05"]);
    live.wait_for("Question 1 of 5", 10);
    live.send(&format!("{}\n", right_answer(&p.choice[0])));
    live.wait_for("Question 2 of 5", 10);
    assert_eq!(live.wait_exit(20), 0);
    std::thread::sleep(Duration::from_millis(200)); // the last output
    let screen = live.screen.lock().unwrap().clone();
    assert!(screen.contains("0:03 allowed"), "{screen}");
    assert!(screen.contains("Time is up: the test ends with what was answered."), "{screen}");
    assert!(screen.contains("1/5 right"), "the answer given in time counts: {screen}");
    let attempt = &state(&sandbox, "mock-history.json")["attempts"][0];
    assert_eq!(attempt["ending"], "time_up");
    assert_eq!(attempt["choice_right"], 1);
}

#[test]
fn a_correct_sdpa_passes_the_code_part() {
    let sandbox = Sandbox::new();
    let p = paper(SEED);
    let mut live = Live::start(&sandbox, &["mock", "--seed", "11"]);
    // Skip through the first two parts.
    live.send(&"s\n".repeat(p.choice.len() + p.short.len()));
    live.wait_for("Exercise 1 of 2", 20);
    let solution = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/solutions/sdpa/correct_reference.rs");
    std::fs::copy(solution, sandbox.path("mock/attempt-1/sdpa.rs")).unwrap();
    live.send("done\n");
    let screen = live.wait_for("Exercise 2 of 2", 300);
    assert!(screen.contains("sdpa passed"), "{screen}");
    live.send("q\n");
    assert_eq!(live.wait_exit(20), 0);
    std::thread::sleep(Duration::from_millis(200));
    let screen = live.screen.lock().unwrap().clone();
    assert!(screen.contains("Test stopped."), "{screen}");
    assert!(screen.contains("Part 3 · Code           1/2 passed"), "{screen}");
    assert!(screen.contains("Part 1 · Choice         0/5 right"), "skips score nothing: {screen}");
    let attempt = &state(&sandbox, "mock-history.json")["attempts"][0];
    assert_eq!(attempt["code"][0]["result"], "passed");
    assert_eq!(attempt["ending"], "quit");
}

#[test]
fn minutes_must_be_positive() {
    let sandbox = Sandbox::new();
    for bad in ["0", "-3", "soon", "2000"] {
        let ran = Ran::of(&mut sandbox.attn_quiz(["mock", "--minutes", bad]));
        assert_eq!(ran.code, 2, "--minutes {bad}: {ran:?}");
    }
    assert!(!sandbox.state_dir().join("mock-history.json").exists(), "no attempt was recorded");
}
