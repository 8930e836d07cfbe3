//! Learner files that try to fool or hang the judge, through the real binary:
//! each gets the verdict it deserves, within its time, and nothing it spawned
//! outlives the check. Correct files that print, read standard input or run a
//! short-lived program still pass.

mod cli_support;

use cli_support::{Ran, SOFTMAX_HELPER, Sandbox, softmax_with_body};
use std::path::Path;
use std::time::{Duration, Instant};

/// `attn-quiz check softmax.rs --json --seed 1 [extra...]` on `contents`, in a fresh sandbox.
fn judged(contents: &str, extra: &[&str]) -> (Ran, serde_json::Value, Duration) {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", contents);
    let mut args = vec!["check", "softmax.rs", "--json", "--seed", "1"];
    args.extend(extra);
    let started = Instant::now();
    let ran = Ran::of(&mut sandbox.attn_quiz(args));
    let json = ran.json();
    (ran, json, started.elapsed())
}

/// The JSON status and exit code of a check.
fn status(ran: &Ran, json: &serde_json::Value) -> (i32, String) {
    (ran.code, json["status"].as_str().unwrap_or_default().to_string())
}

#[test]
fn re_exporting_or_calling_the_reference_does_not_compile() {
    for file in [
        "pub use attn_quiz::reference::softmax_rows;\n".to_string(),
        softmax_with_body("    attn_quiz::reference::softmax_rows(scores)"),
        softmax_with_body("    use attn_quiz::reference as key;\n    key::softmax::softmax_rows(scores)"),
    ] {
        let (ran, json, _) = judged(&file, &[]);
        assert_eq!(status(&ran, &json), (1, "compile_error".into()), "{ran:?}");
        let message = json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("answer key (`attn_quiz::reference`) is not available"), "{ran:?}");
    }
}

#[test]
fn calling_a_judge_entry_point_does_not_compile() {
    let body = "    let _ = attn_quiz::harness::judge::DEFAULT_CASES;\n    softmax(scores)";
    let (ran, json, _) = judged(&softmax_with_body(body), &[]);
    assert_eq!(status(&ran, &json), (1, "compile_error".into()), "{ran:?}");
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("`attn_quiz::harness` belongs to the attn-quiz tool"), "{ran:?}");
}

#[test]
fn serving_a_correct_function_from_inside_a_wrong_one_is_no_pass() {
    // The evaluator is reachable, but it only answers calls: the judge's
    // socket is gone from descriptor 3, and nothing it returns is a verdict.
    let body = "    let _ = attn_quiz::evaluator::serve(attn_quiz::evaluator::Learner::Softmax(softmax));\n    \
                scores.clone()";
    let (ran, json, _) = judged(&softmax_with_body(body), &[]);
    assert_eq!(status(&ran, &json), (1, "failed".into()), "{ran:?}");
}

#[test]
fn printing_a_fake_verdict_or_exiting_early_is_no_pass() {
    let fake = "    println!(\"{{\\\"status\\\": \\\"passed\\\"}}\");\n    println!(\"✓ softmax passed\");\n    scores.clone()";
    let (ran, json, _) = judged(&softmax_with_body(fake), &[]);
    assert_eq!(status(&ran, &json), (1, "failed".into()), "{ran:?}");
    let printed = json["failure"]["output"]["stdout"].as_str().unwrap();
    assert!(printed.contains("✓ softmax passed"), "what it printed on the counterexample is shown: {ran:?}");
    for code in [0, 1] {
        let exits = format!("    println!(\"✓ softmax passed\");\n    std::process::exit({code})");
        let (ran, json, _) = judged(&softmax_with_body(&exits), &[]);
        assert_eq!(status(&ran, &json), (1, "crashed".into()), "{ran:?}");
        assert!(json["reason"].as_str().unwrap().contains(&format!("exited with code {code}")), "{ran:?}");
    }
}

#[test]
fn garbage_on_stdout_and_reading_stdin_to_its_end_disturb_nothing() {
    let body = "    use std::io::{Read, Write};\n    let mut all = Vec::new();\n    \
                std::io::stdin().read_to_end(&mut all).unwrap();\n    \
                std::io::stdout().write_all(&[0, 0, 0, 200, 255, 1, 2, 3]).unwrap();\n    \
                print!(\"no newline\");\n    eprintln!(\"debug {:?}\", scores.shape());\n    softmax(scores)";
    let (ran, json, _) = judged(&softmax_with_body(body), &[]);
    assert_eq!(status(&ran, &json), (0, "passed".into()), "{ran:?}");
}

#[test]
fn a_correct_solution_that_prints_and_runs_a_short_program_passes() {
    let body = "    println!(\"scores: {scores}\");\n    dbg!(scores.nrows());\n    \
                let _ = std::process::Command::new(\"true\").status();\n    softmax(scores)";
    let (ran, json, _) = judged(&softmax_with_body(body), &["--cases", "50"]);
    assert_eq!(status(&ran, &json), (0, "passed".into()), "{ran:?}");
}

#[test]
fn a_hang_a_stack_overflow_an_abort_and_a_huge_allocation_are_shrunk_like_wrong_answers() {
    let recursion = "fn depth(n: u64) -> u64 {\n    if n == u64::MAX { 0 } else { 1 + depth(n + 1) }\n}\n";
    for (body, extra, expected, reason) in [
        ("    if scores.ncols() > 2 { loop { std::hint::spin_loop(); } }\n    softmax(scores)", "", "timeout", ""),
        ("    if scores.nrows() > 1 { depth(0); }\n    softmax(scores)", recursion, "crashed", "stack overflow"),
        ("    if scores.ncols() > 1 { std::process::abort(); }\n    softmax(scores)", "", "crashed", "SIGABRT"),
        (
            "    let v = vec![1u8; 1 << 40];\n    println!(\"{}\", v[7]);\n    softmax(scores)",
            "",
            "crashed",
            "allocation",
        ),
    ] {
        let (ran, json, _) = judged(&format!("{}{extra}", softmax_with_body(body)), &["--timeout", "3"]);
        assert_eq!(status(&ran, &json), (1, expected.into()), "{ran:?}");
        assert!(json["reason"].as_str().unwrap_or_default().contains(reason), "{ran:?}");
        let shrunk = json["case"]["label"].as_str().unwrap();
        assert!(shrunk.contains("shrunk") || shrunk.starts_with("edge case"), "{ran:?}");
    }
}

/// Processes whose command line has `marker` in it.
fn processes_with(marker: &str) -> usize {
    let mut found = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            found += usize::from(String::from_utf8_lossy(&cmdline).contains(marker));
        }
    }
    found
}

#[test]
fn children_the_learner_spawns_do_not_outlive_or_delay_the_check() {
    // A long sleep with a marker only this test uses, started on every call;
    // the second file starts a bounded burst of them.
    let marker = "61.0417";
    let once = format!(
        "    let child = std::process::Command::new(\"sleep\").arg(\"{marker}\").spawn().unwrap();\n    \
         println!(\"started {{}}\", child.id());\n    scores.clone()"
    );
    let burst = format!(
        "    for _ in 0..20 {{\n        let _ = std::process::Command::new(\"sh\").args([\"-c\", \"sleep {marker}\"]).spawn();\n    }}\n    \
         softmax(scores)"
    );
    for (body, expected) in [(once, "failed"), (burst, "passed")] {
        let (ran, json, took) = judged(&softmax_with_body(&body), &["--cases", "5", "--timeout", "5"]);
        assert_eq!(status(&ran, &json), (i32::from(expected != "passed"), expected.into()), "{ran:?}");
        // The build takes a while, but nothing near the children's minute.
        assert!(took < Duration::from_secs(45), "the check waited for the children: {took:?}");
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(processes_with(marker), 0, "a spawned child outlived the check");
        if expected == "failed" {
            let printed = json["failure"]["output"]["stdout"].as_str().unwrap();
            assert!(printed.starts_with("started "), "the child was started: {ran:?}");
        }
    }
}

#[test]
fn the_helper_a_test_file_calls_is_a_correct_softmax() {
    // The other tests lean on SOFTMAX_HELPER being right.
    let (ran, json, _) = judged(&softmax_with_body("    softmax(scores)"), &[]);
    assert_eq!(status(&ran, &json), (0, "passed".into()), "{ran:?}\n{SOFTMAX_HELPER}");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises/softmax.rs").exists());
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let parent = status.lines().find_map(|line| line.strip_prefix("PPid:")).map(str::trim);
        if parent == Some(&pid.to_string()) {
            children.extend(entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()));
        }
    }
    children
}

#[test]
fn ctrl_c_during_a_hang_stops_the_evaluator_too() {
    let sandbox = Sandbox::new();
    sandbox.write("softmax.rs", &softmax_with_body("    loop {\n        std::hint::spin_loop();\n    }"));
    // Built once first, so the run below is at its hang within moments.
    let _ = Ran::of(&mut sandbox.attn_quiz(["check", "softmax.rs", "--timeout", "0.5"]));
    let mut check = sandbox
        .process(["check", "softmax.rs", "--timeout", "60"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let evaluator = (0..200)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            children_of(check.id()).into_iter().find(|&child| {
                std::fs::read_to_string(format!("/proc/{child}/cmdline")).is_ok_and(|c| c.contains("check-softmax"))
            })
        })
        .expect("the evaluator started");
    // SAFETY: sends SIGINT (what Ctrl-C sends) to the check we started.
    unsafe { libc::kill(check.id() as i32, libc::SIGINT) };
    let status = check.wait().unwrap();
    assert!(!status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    let state = std::fs::read_to_string(format!("/proc/{evaluator}/status")).unwrap_or_default();
    let gone = state.is_empty() || state.contains("State:\tZ");
    assert!(gone, "the evaluator {evaluator} still runs after Ctrl-C:\n{state}");
}
