//! Attention weights drawn as heatmaps, through the binary: `trace --heatmap`
//! (shaded ASCII off a terminal or under NO_COLOR, truecolor when asked) and
//! the weights picture under a failed check.

mod cli_support;

use cli_support::{Ran, Sandbox};

const TRACE: [&str; 10] = ["trace", "mha", "--len", "6", "--d-model", "8", "--heads", "2", "--causal", "--heatmap"];

#[test]
fn trace_draws_one_map_per_head_in_ascii_without_colour() {
    let sandbox = Sandbox::new();
    let ran = Ran::of(&mut sandbox.attn_quiz(TRACE));
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("head 0\n") && ran.stdout.contains("head 1\n"), "{ran:?}");
    assert!(ran.stdout.contains("scale: 0 [ .:-=+*#%@] 1"), "{ran:?}");
    assert!(!ran.stdout.contains('\u{1b}'), "no escape codes under NO_COLOR: {ran:?}");
    // Causal: query 0 sees key 0 only, so its row is one full cell and blanks.
    assert!(ran.stdout.contains("0 |@@          |"), "{ran:?}");
}

#[test]
fn trace_draws_in_truecolor_when_the_terminal_says_so() {
    let sandbox = Sandbox::new();
    let ran = Ran::of(
        sandbox.attn_quiz(TRACE).env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1").env("COLORTERM", "truecolor"),
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("\u{1b}[48;2;"), "24-bit background colours: {ran:?}");
    let plain = Ran::of(sandbox.attn_quiz(TRACE).env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1"));
    assert!(plain.stdout.contains("\u{1b}[48;5;") && !plain.stdout.contains("\u{1b}[48;2;"), "256 colours: {plain:?}");
}

#[test]
fn a_wrong_weights_answer_is_pictured_beside_the_expected_one() {
    let sandbox = Sandbox::new();
    // Softmax down each column instead of along each row.
    let by_column = "use attn_quiz::prelude::*;\n\npub fn softmax_rows(scores: &Matrix) -> Matrix {\n    \
                     let mut out = scores.clone();\n    for mut column in out.column_iter_mut() {\n        \
                     let max = column.max();\n        column.apply(|s| *s = (*s - max).exp());\n        \
                     let sum = column.sum();\n        column /= sum;\n    }\n    out\n}\n";
    sandbox.write("softmax.rs", by_column);
    let ran = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs", "--seed", "1"]));
    assert_eq!(ran.code, 1, "{ran:?}");
    let picture = ran.stdout.split("\n\n  weights:\n").nth(1).expect("a weights picture");
    assert!(picture.contains("expected") && picture.contains("actual"), "{ran:?}");
    assert!(picture.contains("entries differ (marked !)"), "{ran:?}");
    let json = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs", "--seed", "1", "--json"])).json();
    assert!(json["failure"].get("weight_maps").is_none(), "the picture stays out of the JSON");
}
