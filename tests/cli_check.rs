//! `attn-quiz check` through the real binary: every way a learner's file can
//! go wrong gets its verdict and exit code, one correct file and one mistake
//! of every exercise are judged as their names say (tests/checker_corpus.rs
//! judges the whole corpus in-process), and `--json` is one valid JSON object.

mod cli_support;

use cli_support::{Ran, Sandbox};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// `attn-quiz check <file> --json --seed 1 [extra...]`.
fn check_json(sandbox: &Sandbox, file: &Path, extra: &[&str]) -> (Ran, serde_json::Value) {
    let mut args: Vec<&OsStr> =
        vec!["check".as_ref(), file.as_os_str(), "--json".as_ref(), "--seed".as_ref(), "1".as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    let ran = Ran::of(&mut sandbox.attn_quiz(args));
    let json = ran.json();
    (ran, json)
}

use cli_support::softmax_with_body;

#[test]
fn a_correct_file_and_a_mistake_of_every_exercise_get_the_verdicts_their_names_announce() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/solutions");
    let sandbox = Sandbox::new();
    let mut judged = 0;
    let mut wrong = Vec::new();
    for exercise in attn_quiz::harness::exercises::EXERCISES {
        let files = rust_files(&corpus.join(exercise.name));
        assert!(files.iter().any(|f| stem(f).starts_with("correct_")), "no correct_*.rs for {}", exercise.name);
        assert!(files.iter().any(|f| stem(f).starts_with("mistake_")), "no mistake_*.rs for {}", exercise.name);
        let first = |prefix: &str| files.iter().find(|f| stem(f).starts_with(prefix)).cloned();
        for file in [first("correct_"), first("mistake_")].into_iter().flatten() {
            // The binary replay is about the process boundary: the edge cases and a few
            // random cases do (tests/checker_corpus.rs runs 200 random cases, twice).
            let (ran, json) = check_json(&sandbox, &file, &["--exercise", exercise.name, "--cases", "30"]);
            let expected_mistake = stem(&file).strip_prefix("mistake_").map(str::to_string);
            let verdict_ok = match &expected_mistake {
                None => ran.code == 0 && json["status"] == "passed",
                Some(id) => ran.code == 1 && json["failure"]["mistake"]["id"] == id.as_str(),
            };
            if !verdict_ok {
                wrong.push(format!("{}: exit {}, {}", file.display(), ran.code, ran.stdout.trim()));
            }
            judged += 1;
        }
    }
    assert!(wrong.is_empty(), "{} of {judged} corpus files misjudged:\n{}", wrong.len(), wrong.join("\n"));
}

/// The `.rs` files of a corpus folder, sorted; a missing or empty folder fails the test.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("corpus folder {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "rs")).collect();
    files.sort();
    assert!(!files.is_empty(), "corpus folder {} is empty", dir.display());
    files
}

fn stem(file: &Path) -> &str {
    file.file_stem().and_then(|s| s.to_str()).unwrap()
}

#[test]
fn every_shipped_template_compiles_and_is_not_started() {
    let sandbox = Sandbox::new();
    for exercise in attn_quiz::harness::exercises::EXERCISES {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises").join(exercise.file_name());
        let (ran, json) = check_json(&sandbox, &file, &[]);
        assert_eq!(json["status"], "not_started", "{}: {ran:?}", exercise.name);
        assert_eq!(ran.code, 1, "{}", exercise.name);
    }
}

#[test]
fn a_compile_error_is_shown_in_the_learners_file() {
    let sandbox = Sandbox::new();
    let file =
        sandbox.write("answers/softmax.rs", &softmax_with_body("    let width: u32 = \"four\";\n    scores.clone()"));
    let (ran, json) = check_json(&sandbox, Path::new("answers/softmax.rs"), &[]);
    assert_eq!((ran.code, json["status"].as_str()), (1, Some("compile_error")), "{ran:?}");
    let error = &json["errors"][0];
    assert_eq!(error["line"], 4, "{ran:?}");
    let rendered = error["rendered"].as_str().unwrap();
    assert!(rendered.contains("--> answers/softmax.rs:4:"), "the path as given: {rendered}");
    assert!(!rendered.contains(file.to_str().unwrap()), "not the absolute path: {rendered}");

    let human = Ran::of(&mut sandbox.attn_quiz(["check", "answers/softmax.rs"]));
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("softmax does not compile (1 error)"), "{human:?}");
    assert!(human.stdout.contains("expected `u32`, found `&str`"), "{human:?}");
}

#[test]
fn a_wrong_signature_names_the_expected_one() {
    let sandbox = Sandbox::new();
    let by_value = "use attn_quiz::prelude::*;\n\npub fn softmax_rows(scores: Matrix) -> Matrix {\n    scores\n}\n";
    sandbox.write("softmax.rs", by_value);
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!(json["status"], "compile_error", "{ran:?}");
    let rendered = json["errors"][0]["rendered"].as_str().unwrap();
    assert!(rendered.contains("has the wrong signature"), "{rendered}");
    assert!(rendered.contains("expected: pub fn softmax_rows(scores: &Matrix) -> Matrix"), "{rendered}");
    assert!(rendered.contains("(softmax.rs:3)"), "points at the learner's definition: {rendered}");
}

#[test]
fn a_wrong_signature_over_several_lines_is_shown_whole() {
    let sandbox = Sandbox::new();
    let template = attn_quiz::harness::exercises::find("sdpa").unwrap().template;
    let mask_required = template.replace("mask: Option<&Mask>", "mask: &Mask").replace(
        "pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix,",
        "pub fn scaled_dot_product_attention(\n    q: &Matrix,\n    k: &Matrix,\n    v: &Matrix,\n   ",
    );
    assert!(mask_required.contains("(\n    q: &Matrix,"), "the template's signature was rewritten");
    sandbox.write("sdpa.rs", &mask_required);
    let (ran, json) = check_json(&sandbox, Path::new("sdpa.rs"), &[]);
    let rendered = json["errors"][0]["rendered"].as_str().unwrap_or_default();
    let found = "found:    pub fn scaled_dot_product_attention(q: &Matrix, k: &Matrix, v: &Matrix, mask: &Mask) \
                 -> (Matrix, Matrix)  (sdpa.rs:";
    assert!(rendered.contains(found), "{ran:?}");
}

#[test]
fn a_missing_or_private_function_is_named() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "renamed/softmax.rs",
        "use attn_quiz::prelude::*;\n\npub fn soft_max(s: &Matrix) -> Matrix {\n    s.clone()\n}\n",
    );
    sandbox.write(
        "private/softmax.rs",
        "use attn_quiz::prelude::*;\n\nfn softmax_rows(s: &Matrix) -> Matrix {\n    s.clone()\n}\n",
    );
    let (_, missing) = check_json(&sandbox, Path::new("renamed/softmax.rs"), &[]);
    assert!(missing["errors"][0]["message"].as_str().unwrap().contains("has no function `softmax_rows`"), "{missing}");
    let (_, private) = check_json(&sandbox, Path::new("private/softmax.rs"), &[]);
    assert!(private["errors"][0]["message"].as_str().unwrap().contains("is private"), "{private}");
}

#[test]
fn a_panic_is_reported_with_its_message_and_input() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    let second = scores[(0, 1)];\n    scores.map(|s| s - second)"));
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!((ran.code, json["status"].as_str()), (1, Some("failed")), "{ran:?}");
    let failure = &json["failure"];
    assert_eq!(failure["kind"], "panic", "{ran:?}");
    let message = failure["panic_message"].as_str().unwrap();
    assert!(message.contains("softmax.rs:4"), "the panic's place, in the learner's file: {message}");
    assert!(!failure["case"]["arguments"].as_array().unwrap().is_empty(), "{ran:?}");
}

#[test]
fn a_wrong_shape_is_named_as_such() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    softmax(scores).transpose()"));
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!((ran.code, json["failure"]["kind"].as_str()), (1, Some("wrong_shape")), "{ran:?}");
    let human = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs"]));
    assert!(human.stdout.lines().next().unwrap().ends_with(": wrong shape"), "{human:?}");
}

#[test]
fn an_endless_loop_is_stopped_after_the_timeout_naming_its_input() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    loop {\n        std::hint::spin_loop();\n    }"));
    let started = std::time::Instant::now();
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &["--timeout", "2"]);
    assert_eq!((ran.code, json["status"].as_str()), (1, Some("timeout")), "{ran:?}");
    assert_eq!((json["timeout_secs"].as_f64(), json["call_limit_secs"].as_f64()), (Some(2.0), Some(0.2)));
    assert_eq!(json["stuck"], true, "one call never returned: {ran:?}");
    let label = json["case"]["label"].as_str().unwrap();
    assert!(label.starts_with("edge case: a single entry"), "the first input hangs already: {ran:?}");
    assert!(started.elapsed().as_secs() < 120, "the loop was stopped");
}

#[test]
fn a_panic_inside_nalgebra_names_the_learners_line_that_called_it() {
    let sandbox = Sandbox::new();
    let body = "    let _squared = scores * scores;\n    softmax(scores)";
    sandbox.write("softmax.rs", &softmax_with_body(body));
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!(json["failure"]["kind"], "panic", "{ran:?}");
    let message = json["failure"]["panic_message"].as_str().unwrap();
    assert!(message.contains("(at nalgebra-"), "the panic itself is in nalgebra: {message}");
    assert!(message.ends_with("called from softmax.rs:4:20)"), "and the learner's line made the call: {message}");
}

#[test]
fn a_check_still_moving_at_the_timeout_is_not_called_stuck() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    softmax(scores)"));
    // Each case takes microseconds; four billion of them do not fit in two seconds.
    let args = ["check", "softmax.rs", "--seed", "1", "--cases", "4000000000", "--timeout", "4"];
    let ran = Ran::of(&mut sandbox.attn_quiz(args));
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stdout.contains("ran out of time (4 s)"), "{ran:?}");
    assert!(ran.stdout.contains("not stuck") && !ran.stdout.contains("Look for a loop"), "{ran:?}");
    assert!(
        ran.stdout.contains("replay: attn-quiz check softmax.rs --seed 1 --cases 4000000000 --timeout 4"),
        "{ran:?}"
    );
}

#[test]
fn a_stack_overflow_is_a_crash_naming_its_input() {
    let sandbox = Sandbox::new();
    let recursive = "use attn_quiz::prelude::*;\n\nfn depth(n: u64) -> u64 {\n    if n == u64::MAX { 0 } else { 1 + depth(n + 1) }\n}\n\n\
                     pub fn softmax_rows(scores: &Matrix) -> Matrix {\n    scores.map(|_| depth(0) as f32)\n}\n";
    sandbox.write("softmax.rs", recursive);
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!((ran.code, json["status"].as_str()), (1, Some("crashed")), "{ran:?}");
    assert!(json["reason"].as_str().unwrap().contains("stack overflow"), "{ran:?}");
    assert!(json["case"]["label"].is_string(), "the input it crashed on: {ran:?}");
}

#[test]
fn exiting_early_with_a_happy_message_is_no_pass() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    println!(\"✓ softmax passed\");\n    std::process::exit(0)"));
    let (ran, json) = check_json(&sandbox, Path::new("softmax.rs"), &[]);
    assert_eq!((ran.code, json["status"].as_str()), (1, Some("crashed")), "{ran:?}");
    assert!(json["reason"].as_str().unwrap().contains("exited with code 0"), "{ran:?}");
    assert!(json["output"]["stdout"].as_str().unwrap().contains("✓ softmax passed"), "{ran:?}");
}

#[test]
fn a_wrong_answer_shows_property_values_mistake_and_replay() {
    let sandbox = Sandbox::new();
    // Softmax down each column instead of along each row.
    let by_column = "    let mut out = scores.clone();\n    for mut column in out.column_iter_mut() {\n        \
                     let max = column.max();\n        column.apply(|s| *s = (*s - max).exp());\n        \
                     let sum = column.sum();\n        column /= sum;\n    }\n    out";
    sandbox.write("softmax.rs", &softmax_with_body(by_column));
    let ran = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs", "--seed", "5"]));
    assert_eq!(ran.code, 1, "{ran:?}");
    for part in
        ["✗ softmax failed", "property:", "input:", "expected:", "actual:", "first difference:", "looks like:", "hint:"]
    {
        assert!(ran.stdout.contains(part), "no {part:?} in {ran:?}");
    }
    assert!(ran.stdout.contains("replay: attn-quiz check softmax.rs --seed 5"), "{ran:?}");
}

#[test]
fn a_correct_answer_passes_in_green_words() {
    let sandbox = Sandbox::new();
    let mask = "use attn_quiz::prelude::*;\n\npub fn causal_mask(len: usize) -> Mask {\n    Mask::from_fn(len, len, |i, j| j <= i)\n}\n";
    sandbox.write("causal_mask.rs", mask);
    let ran = Ran::of(&mut sandbox.attn_quiz(["check", "causal_mask.rs", "--cases", "50"]));
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.starts_with("✓ causal_mask passed"), "{ran:?}");
}

#[test]
fn a_missing_file_or_unknown_exercise_is_a_usage_error_listing_the_exercises() {
    let sandbox = Sandbox::new();
    let missing = Ran::of(&mut sandbox.attn_quiz(["check", "exercises/mha.rs"]));
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("no such file: exercises/mha.rs"), "{missing:?}");
    sandbox.write("mine.rs", "");
    let unnamed = Ran::of(&mut sandbox.attn_quiz(["check", "mine.rs"]));
    let unknown = Ran::of(&mut sandbox.attn_quiz(["check", "mine.rs", "--exercise", "no_such_exercise"]));
    for ran in [&missing, &unnamed, &unknown] {
        assert_eq!(ran.code, 2, "{ran:?}");
        assert!(ran.stderr.contains("softmax, causal_mask, sdpa, mha"), "lists the exercises: {ran:?}");
    }
    assert!(unknown.stderr.contains("no exercise called `no_such_exercise`"), "{unknown:?}");
}

#[test]
fn a_folder_or_a_file_that_is_not_utf8_is_a_usage_error() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("mha.rs")).unwrap();
    let folder = Ran::of(&mut sandbox.attn_quiz(["check", "mha.rs"]));
    assert_eq!(folder.code, 2, "{folder:?}");
    assert!(folder.stderr.contains("mha.rs is a folder"), "{folder:?}");
    let latin1 = b"use attn_quiz::prelude::*;\n// caf\xe9\npub fn softmax_rows(s: &Matrix) -> Matrix { s.clone() }\n";
    std::fs::write(sandbox.path("softmax.rs"), latin1).unwrap();
    let text = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs"]));
    assert_eq!(text.code, 2, "{text:?}");
    assert!(text.stderr.contains("softmax.rs is not UTF-8 text (a bad byte at line 2, column 7)"), "{text:?}");
}

#[test]
fn without_cargo_the_check_is_an_environment_error() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    scores.clone()"));
    let ran = Ran::of(sandbox.attn_quiz(["check", "softmax.rs"]).env_remove("CARGO").env("PATH", "/nonexistent"));
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("no `cargo` was found on PATH"), "{ran:?}");
}

#[test]
fn json_mode_reports_usage_errors_as_json_too() {
    let sandbox = Sandbox::new();
    let ran = Ran::of(&mut sandbox.attn_quiz(["check", "nowhere/gqa.rs", "--json"]));
    assert_eq!(ran.code, 2);
    assert_eq!(ran.json()["status"], "error");
    let bad_timeout = Ran::of(&mut sandbox.attn_quiz(["check", "gqa.rs", "--timeout", "0"]));
    assert_eq!(bad_timeout.code, 2, "{bad_timeout:?}");
    assert!(bad_timeout.stderr.contains("from 0.1 to 86400 seconds"), "{bad_timeout:?}");
    // Arguments clap itself refuses are JSON too when --json was asked for.
    let bad_seed = Ran::of(&mut sandbox.attn_quiz(["check", "gqa.rs", "--json", "--seed", "abc"]));
    assert_eq!(bad_seed.code, 2, "{bad_seed:?}");
    assert_eq!(bad_seed.json()["status"], "error");
    assert!(bad_seed.json()["message"].as_str().unwrap().contains("--seed"), "{bad_seed:?}");
}
