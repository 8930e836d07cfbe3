//! `attn-quiz bench` through the real binary, on tiny lengths: it refuses a
//! file that fails the check and an exercise it cannot time, and `--json`
//! holds one measurement per implementation and length.

mod cli_support;

use cli_support::{Ran, Sandbox};
use std::path::Path;

fn corpus(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/solutions").join(file).display().to_string()
}

#[test]
fn a_correct_file_is_timed_next_to_the_reference_and_the_fast_path() {
    let sandbox = Sandbox::new();
    let file = corpus("sdpa/correct_reference.rs");
    let args = ["bench", &file, "--exercise", "sdpa", "--lengths", "16,8", "--threads", "2", "--json"];
    let ran = Ran::of(&mut sandbox.attn_quiz(args));
    assert_eq!(ran.code, 0, "{ran:?}");
    let json = ran.json();
    assert_eq!(json["exercise"], "sdpa");
    let results = json["results"].as_array().expect("a results array");
    assert_eq!(results.len(), 6, "{json}");
    for implementation in ["learner", "reference", "fast"] {
        for length in [8, 16] {
            let row = results
                .iter()
                .find(|r| r["implementation"] == implementation && r["length"] == length)
                .unwrap_or_else(|| panic!("no {implementation} at {length}: {json}"));
            assert!(row["median_ms"].as_f64().is_some_and(|t| t > 0.0), "{row}");
            assert!(row["peak_bytes"].as_u64().is_some_and(|b| b > 0), "{row}");
            assert_eq!(row["threads"], if implementation == "fast" { 2 } else { 1 }, "{row}");
        }
    }
}

#[test]
fn flash_is_timed_too() {
    let sandbox = Sandbox::new();
    let file = corpus("flash/correct_loops.rs");
    let ran = Ran::of(&mut sandbox.attn_quiz(["bench", &file, "--exercise", "flash", "--lengths", "8", "--json"]));
    assert_eq!(ran.code, 0, "{ran:?}");
    let json = ran.json();
    assert_eq!(json["results"].as_array().map(Vec::len), Some(3), "{json}");
}

#[test]
fn the_table_and_the_plot_label_every_curve() {
    let sandbox = Sandbox::new();
    let file = corpus("mha/correct_reference.rs");
    let ran = Ran::of(&mut sandbox.attn_quiz(["bench", &file, "--exercise", "mha", "--lengths", "4,8"]));
    assert_eq!(ran.code, 0, "{ran:?}");
    for label in
        ["yours ms", "reference ms", "fast(1) ms", "log scale", "Y = your function", " yours", " reference", " fast"]
    {
        assert!(ran.stdout.contains(label), "no `{label}` in:\n{}", ran.stdout);
    }
}

#[test]
fn a_file_that_fails_the_check_is_not_timed() {
    let sandbox = Sandbox::new();
    let file = corpus("sdpa/mistake_mask_ignored.rs");
    let ran = Ran::of(&mut sandbox.attn_quiz(["bench", &file, "--exercise", "sdpa", "--lengths", "8"]));
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stderr.contains("does not pass `attn-quiz check`"), "{ran:?}");
    assert!(!ran.stdout.contains("reference ms"), "{ran:?}");
}

#[test]
fn only_forward_exercises_are_timed() {
    let sandbox = Sandbox::new();
    let file = corpus("softmax/correct_reference.rs");
    let ran = Ran::of(&mut sandbox.attn_quiz(["bench", &file, "--exercise", "softmax"]));
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("forward attention exercises"), "{ran:?}");
}

#[test]
fn a_missing_file_is_a_usage_error_not_a_failed_check() {
    let sandbox = Sandbox::new();
    let ran = Ran::of(&mut sandbox.attn_quiz(["bench", "nowhere/sdpa.rs"]));
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("no such file: nowhere/sdpa.rs"), "{ran:?}");
}
