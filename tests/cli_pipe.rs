//! `attn-quiz ... | head` must end quietly when the reader goes away early.

use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attn-quiz"))
        .args(["show", "mha", "--plain"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take()); // the reader quits before reading anything
    let output = child.wait_with_output().expect("the binary ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_ne!(output.status.code(), Some(101), "a panic exit code");
}
