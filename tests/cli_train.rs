//! `attn-quiz train` through the binary: short runs (a debug build is slow,
//! so a few steps), determinism under a seed, colours, bad arguments.

mod cli_support;

use cli_support::{Ran, Sandbox};

/// `attn-quiz train <args>` with NO_COLOR, stdout a pipe.
fn train(args: &[&str]) -> Ran {
    let sandbox = Sandbox::new();
    Ran::of(&mut sandbox.attn_quiz([&["train"], args].concat()))
}

/// The losses of the `step N/M  loss X` lines.
fn losses(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter(|l| l.starts_with("step "))
        .map(|l| l.rsplit(' ').next().unwrap().parse().expect("a loss"))
        .collect()
}

/// stdout without the one line that depends on the clock.
fn without_time(stdout: &str) -> String {
    stdout.lines().filter(|l| !l.starts_with("time: ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_short_run_learns_and_draws_its_attention() {
    let ran = train(&["--steps", "16"]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let losses = losses(&ran.stdout);
    assert!(losses.len() >= 3, "{ran:?}");
    assert!(losses.last().unwrap() < losses.first().unwrap(), "the loss falls: {losses:?}");
    assert!(ran.stdout.contains("held-out accuracy: "), "{ran:?}");
    assert!(ran.stdout.contains("learned attention, layer 1 head 1:"), "{ran:?}");
    assert!(ran.stdout.contains("scale: 0 [ .:-=+*#%@] 1"), "{ran:?}");
    assert!(ran.stdout.lines().any(|l| l.starts_with("time: ")), "{ran:?}");
    assert!(!ran.stdout.contains('\x1b'), "NO_COLOR and a pipe: no escape codes");
}

#[test]
fn the_same_seed_gives_the_same_numbers() {
    let first = train(&["--steps", "5", "--seed", "7"]);
    let second = train(&["--steps", "5", "--seed", "7"]);
    let other = train(&["--steps", "5", "--seed", "8"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(without_time(&first.stdout), without_time(&second.stdout));
    assert_ne!(losses(&first.stdout), losses(&other.stdout));
}

#[test]
fn copy_after_marker_has_two_layers() {
    let ran = train(&["--task", "copy-after-marker", "--steps", "3"]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("2 attention layers"), "{ran:?}");
    assert!(ran.stdout.contains("learned attention, layer 2 head 1:"), "{ran:?}");
    assert!(ran.stdout.contains("the last query (?) should look at key"), "{ran:?}");
}

#[test]
fn forced_colours_draw_a_truecolor_heatmap() {
    let sandbox = Sandbox::new();
    let mut command = sandbox.attn_quiz(["train", "--steps", "2"]);
    command.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1").env("COLORTERM", "truecolor");
    let ran = Ran::of(&mut command);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("\x1b[48;2;"), "{ran:?}");
    // Not a terminal: progress stays plain lines, never redrawn in place.
    assert!(!ran.stdout.contains("\x1b[2A"), "{ran:?}");
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for (args, message) in [
        (&["--task", "sort"][..], "error: unknown task `sort`; choose one of: reverse, copy-after-marker"),
        (&["--steps", "0"][..], "error: --steps must be between 1 and 100,000, not 0"),
        (&["--steps", "100001"][..], "error: --steps must be between 1 and 100,000, not 100001"),
    ] {
        let ran = train(args);
        assert_eq!(ran.code, 2, "{args:?}: {ran:?}");
        assert_eq!(ran.stdout, "", "{args:?}");
        assert_eq!(ran.stderr, format!("{message}\n"), "{args:?}");
    }
    // Values clap cannot parse: exit 2, the problem on the first line.
    let ran = train(&["--steps", "many"]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.starts_with("error: invalid value 'many' for '--steps <N>'"), "{ran:?}");
}
