//! The commands around `check`, through the real binary: init, reset, list,
//! hint, solution and watch.

mod cli_support;

use attn_quiz::harness::exercises::{self, EXERCISES};
use cli_support::{Ran, Sandbox};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const CORRECT_MASK: &str = "use attn_quiz::prelude::*;\n\npub fn causal_mask(len: usize) -> Mask {\n    Mask::from_fn(len, len, |i, j| j <= i)\n}\n";
const TRANSPOSED_MASK: &str = "use attn_quiz::prelude::*;\n\npub fn causal_mask(len: usize) -> Mask {\n    Mask::from_fn(len, len, |i, j| i <= j)\n}\n";

fn template(name: &str) -> &'static str {
    exercises::find(name).unwrap().template
}

#[test]
fn init_writes_every_template_and_never_overwrites() {
    let sandbox = Sandbox::new();
    let first = Ran::of(&mut sandbox.attn_quiz(["init"]));
    assert_eq!(first.code, 0, "{first:?}");
    for exercise in EXERCISES {
        let written = std::fs::read_to_string(sandbox.path("exercises").join(exercise.file_name())).unwrap();
        assert_eq!(written, exercise.template, "{}", exercise.name);
    }
    sandbox.write("exercises/mha.rs", "// my work in progress\n");
    let again = Ran::of(&mut sandbox.attn_quiz(["init"]));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("kept     exercises/mha.rs"), "{again:?}");
    assert!(again.stdout.contains("`attn-quiz reset exercises/mha.rs` restores"), "{again:?}");
    let none_written = format!("0 of {} exercise files written", EXERCISES.len());
    assert!(again.stdout.contains(&none_written), "{again:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/mha.rs")).unwrap(), "// my work in progress\n");
}

#[test]
fn reset_refuses_without_a_terminal_and_overwrites_with_yes_keeping_a_copy() {
    let sandbox = Sandbox::new();
    sandbox.write("exercises/sdpa.rs", "// my attempt\n");
    let refused = Ran::of(sandbox.attn_quiz(["reset", "sdpa"]).write_stdin("y\n"));
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--yes"), "{refused:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/sdpa.rs")).unwrap(), "// my attempt\n");

    let forced = Ran::of(&mut sandbox.attn_quiz(["reset", "sdpa", "--yes"]));
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/sdpa.rs")).unwrap(), template("sdpa"));
    let backups: Vec<_> =
        std::fs::read_dir(sandbox.state_dir().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), "// my attempt\n");
}

#[test]
fn resets_in_quick_succession_keep_every_version() {
    let sandbox = Sandbox::new();
    for attempt in ["// first try\n", "// second try\n", "// third try\n"] {
        sandbox.write("exercises/mha.rs", attempt);
        assert_eq!(Ran::of(&mut sandbox.attn_quiz(["reset", "mha", "--yes"])).code, 0);
    }
    let backups = std::fs::read_dir(sandbox.state_dir().join("backups")).unwrap();
    let mut kept: Vec<String> = backups.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    kept.sort();
    assert_eq!(kept, ["// first try\n", "// second try\n", "// third try\n"]);
}

#[test]
fn reset_asks_on_a_terminal_and_respects_the_answer() {
    let sandbox = Sandbox::new();
    sandbox.write("exercises/gqa.rs", "// my attempt\n");
    // `script` runs the command on a pseudo-terminal and feeds it our stdin.
    let on_terminal = |answer: &str| {
        let binary = assert_cmd::cargo::cargo_bin("attn-quiz");
        let command = format!("{} reset gqa", binary.display());
        Ran::of(
            assert_cmd::Command::new("script")
                .args(["--quiet", "--return", "--command", &command, "/dev/null"])
                .current_dir(sandbox.path(""))
                .env("ATTN_QUIZ_STATE_DIR", sandbox.state_dir())
                .write_stdin(answer),
        )
    };
    let declined = on_terminal("n\n");
    assert_eq!(declined.code, 0, "{declined:?}");
    assert!(declined.stdout.contains("Overwrite them with the template?"), "{declined:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/gqa.rs")).unwrap(), "// my attempt\n");
    let accepted = on_terminal("y\n");
    assert_eq!(accepted.code, 0, "{accepted:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/gqa.rs")).unwrap(), template("gqa"));
}

#[test]
fn reset_writes_a_missing_file_and_leaves_a_pristine_one_alone() {
    let sandbox = Sandbox::new();
    let written = Ran::of(&mut sandbox.attn_quiz(["reset", "additive"]));
    assert_eq!(written.code, 0, "{written:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path("exercises/additive.rs")).unwrap(), template("additive"));
    let again = Ran::of(&mut sandbox.attn_quiz(["reset", "exercises/additive.rs"]));
    assert!(again.stdout.contains("already the pristine template"), "{again:?}");
    let unknown = Ran::of(&mut sandbox.attn_quiz(["reset", "no_such_exercise"]));
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("softmax, causal_mask"), "{unknown:?}");
}

#[test]
fn list_shows_each_status_and_file() {
    let sandbox = Sandbox::new();
    assert_eq!(Ran::of(&mut sandbox.attn_quiz(["init"])).code, 0);
    sandbox.write("exercises/causal_mask.rs", CORRECT_MASK);
    assert_eq!(Ran::of(&mut sandbox.attn_quiz(["check", "exercises/causal_mask.rs"])).code, 0);
    sandbox.write("exercises/mha.rs", "not rust at all\n");
    sandbox.write("exercises/gqa.rs", "// started, not checked\n");
    std::fs::remove_file(sandbox.path("exercises/gated.rs")).unwrap();
    assert_eq!(Ran::of(&mut sandbox.attn_quiz(["check", "exercises/mha.rs"])).code, 1);

    let list = Ran::of(&mut sandbox.attn_quiz(["list"]));
    assert_eq!(list.code, 0, "{list:?}");
    let line = |name: &str| {
        let prefix = format!("{name} ");
        list.stdout.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no line for {name}: {list:?}"))
    };
    assert!(line("softmax").contains("not started") && line("softmax").contains("exercises/softmax.rs"), "{list:?}");
    assert!(line("causal_mask").contains("passed"), "{list:?}");
    assert!(line("mha").contains("failing"), "{list:?}");
    assert!(line("gqa").contains("not checked"), "{list:?}");
    assert!(line("gated").contains("missing"), "{list:?}");
    assert!(line("gated").contains("`attn-quiz reset exercises/gated.rs` writes it"), "{list:?}");
    assert!(list.stdout.contains(&format!("1 of {} passed", EXERCISES.len())), "{list:?}");
}

#[test]
fn list_without_an_exercises_folder_says_how_to_get_one() {
    let sandbox = Sandbox::new();
    let list = Ran::of(&mut sandbox.attn_quiz(["list"]));
    assert_eq!(list.code, 2, "{list:?}");
    assert!(list.stderr.contains("attn-quiz init"), "{list:?}");
}

#[test]
fn list_survives_a_damaged_progress_file() {
    let sandbox = Sandbox::new();
    sandbox.write("exercises/softmax.rs", "// mine\n");
    sandbox.write("state/exercises.json", "{ not json");
    let list = Ran::of(&mut sandbox.attn_quiz(["list"]));
    assert_eq!(list.code, 0, "{list:?}");
    assert!(list.stderr.contains("was damaged"), "{list:?}");
}

#[test]
fn hints_come_one_at_a_time_and_are_remembered() {
    let sandbox = Sandbox::new();
    let first = Ran::of(&mut sandbox.attn_quiz(["hint", "mha"]));
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stdout.contains("Hint 1 of 4 for mha:"), "{first:?}");
    assert!(first.stdout.contains(exercises::find("mha").unwrap().hints[0]), "{first:?}");
    let second = Ran::of(&mut sandbox.attn_quiz(["hint", "exercises/mha.rs"]));
    assert!(second.stdout.contains("Hint 2 of 4 for mha:") && !second.stdout.contains("Hint 1 of"), "{second:?}");
    let all = Ran::of(&mut sandbox.attn_quiz(["hint", "mha", "--all"]));
    assert!(all.stdout.contains("Hint 1 of 4") && all.stdout.contains("Hint 2 of 4"), "{all:?}");
    assert!(!all.stdout.contains("Hint 3 of 4"), "--all reveals nothing new: {all:?}");
    let other = Ran::of(&mut sandbox.attn_quiz(["hint", "gqa"]));
    assert!(other.stdout.contains("Hint 1 of 4 for gqa:"), "each exercise has its own count: {other:?}");
    let unknown = Ran::of(&mut sandbox.attn_quiz(["hint", "no_such_exercise"]));
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("softmax, causal_mask"), "{unknown:?}");
}

#[test]
fn solution_shows_the_annotated_reference() {
    let sandbox = Sandbox::new();
    let shown = Ran::of(&mut sandbox.attn_quiz(["solution", "gqa"]));
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(shown.stdout.contains("pub fn grouped_query_attention("), "{shown:?}");
    assert!(shown.stdout.contains("h / (H / G)"), "the annotations come along: {shown:?}");
}

#[test]
fn watch_rechecks_on_save() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("exercises/causal_mask.rs", TRANSPOSED_MASK);
    let mut watch = Command::new(assert_cmd::cargo::cargo_bin("attn-quiz"))
        .args(["watch", "exercises/causal_mask.rs", "--cases", "20"])
        .current_dir(sandbox.path(""))
        .env("ATTN_QUIZ_STATE_DIR", sandbox.state_dir())
        .env("ATTN_QUIZ_CACHE_DIR", cli_support::shared_cache_dir())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, received) = mpsc::channel();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).try_for_each(|l| lines.send(l)));
    let wait_for = |text: &str| {
        let mut seen = Vec::new();
        while let Ok(line) = received.recv_timeout(Duration::from_secs(120)) {
            if line.contains(text) {
                return;
            }
            seen.push(line);
        }
        panic!("no {text:?} from watch; it printed:\n{}", seen.join("\n"));
    };
    wait_for("✗ causal_mask failed");
    wait_for("watching exercises");
    std::fs::write(&file, CORRECT_MASK).unwrap();
    wait_for("exercises/causal_mask.rs changed");
    wait_for("✓ causal_mask passed");
    watch.kill().unwrap();
    watch.wait().unwrap();
}
