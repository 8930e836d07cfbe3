//! Running the compiled checker program as a child process.
//!
//! The child gets its [`Request`] in an environment variable, writes the input
//! it is about to try to `current_path` before every call into learner code,
//! and its [`Report`] to `report_path`. The parent trusts nothing else: not the
//! exit code, not the output. It kills the child after the timeout, and reads
//! `current_path` afterwards to name the input that hung or crashed it.

use super::protocol::{Case, REQUEST_ENV, Report, Request};
use anyhow::Context;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How much of each output stream is kept (its end, where crashes speak).
const OUTPUT_TAIL_BYTES: usize = 4096;

/// What became of one run of the child.
#[derive(Debug)]
pub struct ChildRun {
    /// How it ended.
    pub end: End,
    /// The report, if the child wrote one with the right nonce, exercise and seed.
    pub report: Option<Report>,
    /// The last input the child announced, if any.
    pub last_case: Option<Case>,
    /// The end of what the child printed.
    pub output: Output,
}

/// How the child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It exited by itself.
    Exited(ExitStatus),
    /// It was still running at the deadline and was killed.
    TimedOut {
        /// Whether it had announced no new input for the second half of its
        /// run or more: stuck on one input, rather than slowly moving on.
        stuck: bool,
    },
}

/// The tail of the child's standard output and error.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Output {
    /// Standard output (at most the last 4 KiB).
    pub stdout: String,
    /// Standard error (at most the last 4 KiB).
    pub stderr: String,
}

impl Output {
    /// Whether the child printed nothing.
    pub fn is_empty(&self) -> bool {
        self.stdout.trim().is_empty() && self.stderr.trim().is_empty()
    }
}

/// Runs `executable` with `request` (whose report and current-case paths must
/// be writable), killing it after `timeout`.
pub fn run(executable: &Path, request: &Request, timeout: Duration) -> anyhow::Result<ChildRun> {
    let mut child = Command::new(executable)
        .env(REQUEST_ENV, serde_json::to_string(request)?)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting the checker program {}", executable.display()))?;
    let stdout = tail_in_background(child.stdout.take().expect("stdout is piped"), OUTPUT_TAIL_BYTES);
    let stderr = tail_in_background(child.stderr.take().expect("stderr is piped"), OUTPUT_TAIL_BYTES);
    let started = Instant::now();
    let end = loop {
        if let Some(status) = child.try_wait().context("waiting for the checker program")? {
            break End::Exited(status);
        }
        if started.elapsed() >= timeout {
            let stuck = unchanged_for(&request.current_path).is_some_and(|quiet| quiet >= started.elapsed() / 2);
            child.kill().context("stopping the checker program after the timeout")?;
            child.wait().context("waiting for the stopped checker program")?;
            break End::TimedOut { stuck };
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = Output { stdout: stdout.join().unwrap_or_default(), stderr: stderr.join().unwrap_or_default() };
    Ok(ChildRun { end, report: read_report(request), last_case: read_json(&request.current_path), output })
}

/// The report, if there is one and it answers this very request.
fn read_report(request: &Request) -> Option<Report> {
    let report: Report = read_json(&request.report_path)?;
    let answers = report.nonce == request.nonce && report.exercise == request.exercise && report.seed == request.seed;
    answers.then_some(report)
}

/// How long ago the file at `path` was last written, if that can be told.
fn unchanged_for(path: &Path) -> Option<Duration> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()?.elapsed().ok()
}

/// Reads a JSON file, or `None` if it is missing or unreadable.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Reads a pipe to its end on a thread of its own, keeping the last
/// `max_bytes` (so a program printing forever costs no memory).
pub(crate) fn tail_in_background(
    mut pipe: impl Read + Send + 'static,
    max_bytes: usize,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut tail = Vec::new();
        let mut chunk = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&chunk[..n]);
            let excess = tail.len().saturating_sub(max_bytes);
            tail.drain(..excess);
        }
        String::from_utf8_lossy(&tail).into_owned()
    })
}

/// In words, why a child that ended without a report stopped: a stack
/// overflow, a signal, or an exit of its own.
/// "killed by signal 6 (SIGABRT: ...)", "the program exited with code 0 before ...".
pub fn describe_crash(status: ExitStatus, output: &Output) -> String {
    if output.stderr.contains("has overflowed its stack") {
        return "stack overflow (unbounded recursion?)".into();
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("killed by signal {signal} ({})", signal_name(signal));
    }
    match status.code() {
        Some(code) => format!(
            "the program exited with code {code} before the checker finished \
             (does your code call std::process::exit?)"
        ),
        None => "the program ended abnormally".into(),
    }
}

/// The usual meaning of the signals a crashing program dies of.
#[cfg(unix)]
fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL: illegal instruction",
        6 => "SIGABRT: aborted, e.g. a panic while panicking or a failed allocation",
        7 => "SIGBUS: bad memory access",
        8 => "SIGFPE: arithmetic fault",
        9 => "SIGKILL: killed, possibly for using too much memory",
        11 => "SIGSEGV: segmentation fault",
        _ => "unexpected signal",
    }
}
