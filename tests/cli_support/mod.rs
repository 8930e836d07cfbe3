//! What the command-line tests of the exercise commands share: the binary with
//! a private state directory, one check cache for every test (so the library is
//! compiled once, not once per test), and helpers to read what it printed.
// Each test file uses its own part of this module.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A scratch folder with its own state directory and a place for files.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox { dir: tempfile::tempdir().expect("a temporary directory") }
    }

    /// `attn-quiz <args>`, run in the sandbox, with the sandbox's state directory
    /// and the shared check cache; no colors.
    pub fn attn_quiz<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::from_std(self.process(args))
    }

    /// [`Sandbox::attn_quiz`] as a plain process, to start and stop by hand.
    pub fn process<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("attn-quiz"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("ATTN_QUIZ_STATE_DIR", self.state_dir())
            .env("ATTN_QUIZ_CACHE_DIR", shared_cache_dir())
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        command
    }

    /// A path inside the sandbox.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes `contents` to `relative` (creating folders) and returns its path.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The sandbox's state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.path("state")
    }
}

/// The check cache every test shares (inside Cargo's target directory, so it
/// also survives between runs).
pub fn shared_cache_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_TARGET_TMPDIR"), "/check-cache"))
}

/// What a finished command printed, and its exit code.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Runs `command` to its end.
    pub fn of(command: &mut Command) -> Self {
        let output = command.output().expect("the command runs");
        Ran {
            code: output.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// stdout parsed as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!("stdout is not one JSON object ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A correct row softmax as a learner would write it, for test files that
/// need one (the reference is not available to exercise files).
pub const SOFTMAX_HELPER: &str = "fn softmax(scores: &Matrix) -> Matrix {
    let mut out = scores.clone();
    for mut row in out.row_iter_mut() {
        let max = row.max();
        row.apply(|s| *s = (*s - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    out
}
";

/// A softmax answer whose body is `body`, with `use attn_quiz::prelude::*;`
/// and the [`SOFTMAX_HELPER`] `softmax` to call.
pub fn softmax_with_body(body: &str) -> String {
    format!(
        "use attn_quiz::prelude::*;\n\npub fn softmax_rows(scores: &Matrix) -> Matrix {{\n{body}\n}}\n\n{SOFTMAX_HELPER}"
    )
}
