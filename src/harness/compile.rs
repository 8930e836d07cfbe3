//! Building the generated package with one `cargo build`, and turning rustc's
//! messages into diagnostics about the learner's file.
//!
//! Cargo runs with `--message-format=json`: each rustc diagnostic arrives as
//! JSON with its spans, so errors can be sorted by where they point:
//! - into the learner's file: shown as rustc rendered them (the path as the
//!   learner wrote it);
//! - into the generated `main.rs`: that is where the learner's function is
//!   named, so the function is missing, private or has the wrong signature;
//!   these are explained in words, with the signature the exercise expects;
//! - anywhere else (the library itself, the toolchain): an environment error.

use super::evaluator_process::Tail;
use super::exercises::{Exercise, on_one_line};
use super::package::{MAIN_RS, Package, Target};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A compiler message about the learner's file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub level: String,
    /// The message in one line, e.g. "mismatched types".
    pub message: String,
    /// rustc's error code, e.g. `E0308`.
    pub code: Option<String>,
    /// Line in the learner's file (1-based), when the message points at one.
    pub line: Option<usize>,
    /// Column in the learner's file (1-based), when the message points at one.
    pub column: Option<usize>,
    /// The full message as rustc rendered it (or as we explain it), ready to print.
    pub rendered: String,
}

/// What a build produced.
#[derive(Debug)]
pub enum Build {
    /// The evaluator program, and rustc's warnings about the learner's file.
    Built {
        /// The program to run.
        executable: PathBuf,
        /// Warnings located in the learner's file.
        warnings: Vec<Diagnostic>,
    },
    /// The learner's file does not compile.
    Failed {
        /// The errors, each located in (or explained in terms of) the learner's file.
        errors: Vec<Diagnostic>,
        /// Warnings located in the learner's file.
        warnings: Vec<Diagnostic>,
    },
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions<'a> {
    /// The Cargo target directory and profile.
    pub target: &'a Target,
    /// How the learner's file is shown in messages (the path as given).
    pub display_path: &'a str,
    /// Whether rendered diagnostics may contain ANSI colors.
    pub color: bool,
}

/// Builds `package` with Cargo, offline first; if the offline build cannot
/// find a dependency in the local registry cache, once more with network.
pub fn build(package: &Package, exercise: &Exercise, options: &BuildOptions) -> anyhow::Result<Build> {
    let offline = run_cargo(package, options, true)?;
    let outcome = if offline.needs_network() {
        eprintln!("fetching the evaluator's dependencies from crates.io (needed once)...");
        run_cargo(package, options, false)?
    } else {
        offline
    };
    outcome.into_build(package, exercise, options)
}

/// How much of Cargo's stderr is kept for an error message (its end).
const CARGO_STDERR_BYTES: usize = 64 * 1024;

/// What one `cargo build` printed.
struct CargoRun {
    /// The JSON messages Cargo wrote to stdout.
    messages: Vec<CargoMessage>,
    /// Cargo's own stderr (progress suppressed, errors kept).
    stderr: String,
    /// Whether Cargo succeeded.
    success: bool,
}

/// Runs `cargo build` on the package; prints a note if it takes a while.
fn run_cargo(package: &Package, options: &BuildOptions, offline: bool) -> anyhow::Result<CargoRun> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let format = if options.color { "json-diagnostic-rendered-ansi" } else { "json" };
    let mut command = Command::new(&cargo);
    command
        .args(["build", "--quiet", "--message-format", format, "--manifest-path"])
        .arg(&package.manifest)
        .args(offline.then_some("--offline"))
        .args(options.target.release.then_some("--release"))
        .env("CARGO_TARGET_DIR", &options.target.dir)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        // Cargo reads `.cargo/config.toml` from its working directory upwards:
        // the package's own folder keeps the learner's project settings out.
        .current_dir(package.manifest.parent().expect("a manifest path has a folder"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow::anyhow!(
            "`attn-quiz check` compiles your file with Cargo, and no `cargo` was found on PATH; \
             install Rust from https://rustup.rs"
        ),
        _ => anyhow::Error::new(e).context(format!("running {}", Path::new(&cargo).display())),
    })?;
    let stderr = Tail::read(child.stderr.take().expect("stderr is piped"), CARGO_STDERR_BYTES);
    let stdout = child.stdout.take().expect("stdout is piped");
    let notice = SlowBuildNotice::start();
    let messages = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect();
    let status = child.wait().context("waiting for cargo")?;
    drop(notice);
    let stderr = stderr.join();
    Ok(CargoRun { messages, stderr, success: status.success() })
}

/// Prints "compiling..." if a build is still running after a couple of
/// seconds (the first check after an update compiles the library).
struct SlowBuildNotice {
    done: std::sync::mpsc::Sender<()>,
}

impl SlowBuildNotice {
    /// How long a build may take before the notice appears.
    const DELAY: Duration = Duration::from_secs(3);

    fn start() -> Self {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if finished.recv_timeout(Self::DELAY) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                eprintln!("compiling (the first check after installing or updating attn-quiz takes a while)...");
            }
        });
        SlowBuildNotice { done }
    }
}

impl Drop for SlowBuildNotice {
    fn drop(&mut self) {
        let _ = self.done.send(());
    }
}

impl CargoRun {
    /// An offline build that failed for want of a crate not yet downloaded.
    fn needs_network(&self) -> bool {
        !self.success && self.stderr.contains("offline")
    }

    /// Sorts the messages into a [`Build`], or an environment error.
    fn into_build(self, package: &Package, exercise: &Exercise, options: &BuildOptions) -> anyhow::Result<Build> {
        let located = Located { package, exercise, display_path: options.display_path };
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut foreign = Vec::new();
        let mut executable = None;
        for message in self.messages {
            match message {
                CargoMessage::CompilerArtifact { target, executable: Some(path) } if target.name == package.name => {
                    executable = Some(path);
                }
                CargoMessage::CompilerMessage { target, message } if target.name == package.name => {
                    match (message.level.as_str(), located.diagnostic(&message)) {
                        ("error", Some(diagnostic)) => errors.push(diagnostic),
                        ("warning", Some(diagnostic)) => warnings.push(diagnostic),
                        _ => {}
                    }
                }
                CargoMessage::CompilerMessage { message, .. } if message.level == "error" => {
                    foreign.push(message.rendered.unwrap_or(message.message));
                }
                _ => {}
            }
        }
        if !errors.is_empty() {
            return Ok(Build::Failed { errors, warnings });
        }
        match executable {
            Some(executable) if self.success => Ok(Build::Built { executable, warnings }),
            _ => bail!(
                "building the evaluator failed, and not because of your file:\n{}{}",
                foreign.join(""),
                self.stderr.trim()
            ),
        }
    }
}

/// Turns rustc diagnostics into [`Diagnostic`]s about the learner's file.
struct Located<'a> {
    package: &'a Package,
    exercise: &'a Exercise,
    display_path: &'a str,
}

impl Located<'_> {
    /// The diagnostic, if it concerns the learner (summaries like "aborting
    /// due to 2 previous errors" have no span and are dropped).
    fn diagnostic(&self, message: &RustcMessage) -> Option<Diagnostic> {
        let span = message.spans.iter().find(|s| s.is_primary)?;
        let code = message.code.as_ref().map(|c| c.code.clone());
        if Path::new(&span.file_name) == self.package.learner_file {
            let rendered = message.rendered.as_deref().unwrap_or(&message.message);
            let rendered = rendered.replace(&span.file_name, self.display_path);
            let (text, rendered) = match tool_module_named(&message.message) {
                Some(module) => answer_key_note(module, &rendered),
                None => (message.message.clone(), rendered),
            };
            Some(Diagnostic {
                level: message.level.clone(),
                message: text,
                code,
                line: Some(span.line_start),
                column: Some(span.column_start),
                rendered,
            })
        } else if span.file_name == MAIN_RS {
            Some(self.explain_entry_error(message, code))
        } else {
            None
        }
    }

    /// Explains an error at the place where the generated `main.rs` names the
    /// learner's function.
    fn explain_entry_error(&self, message: &RustcMessage, code: Option<String>) -> Diagnostic {
        let function = self.exercise.function;
        let problem = match code.as_deref() {
            Some("E0425") => format!("{} has no function `{function}`", self.display_path),
            Some("E0603") => format!("`{function}` in {} is private: declare it `pub fn`", self.display_path),
            Some("E0308") => format!("`{function}` in {} has the wrong signature", self.display_path),
            _ => format!("`{function}` in {} cannot be used: {}", self.display_path, message.message),
        };
        let line = self.find_definition(function);
        let found = line.map_or(String::new(), |line| self.found_line(line));
        let rendered =
            format!("error: {problem}\n{found}  expected: {signature}\n", signature = self.exercise.signature());
        Diagnostic { level: "error".into(), message: problem, code, line, column: None, rendered }
    }

    /// "  found:    <the learner's declaration, on one line>  (file:line)\n".
    fn found_line(&self, line: usize) -> String {
        let text = std::fs::read_to_string(&self.package.learner_file).unwrap_or_default();
        let from_here = text.lines().skip(line - 1).collect::<Vec<_>>().join("\n");
        let declaration = on_one_line(from_here.split('{').next().unwrap_or(""));
        format!("  found:    {declaration}  ({}:{line})\n", self.display_path)
    }

    /// The line (1-based) where the learner's file defines `fn <function>`.
    fn find_definition(&self, function: &str) -> Option<usize> {
        let text = std::fs::read_to_string(&self.package.learner_file).ok()?;
        let needle = format!("fn {function}");
        let defines = |line: &str| {
            line.find(&needle).is_some_and(|i| {
                let after = &line[i + needle.len()..];
                after.starts_with('(') || after.starts_with('<') || after.trim().is_empty()
            })
        };
        text.lines().position(defines).map(|i| i + 1)
    }
}

/// The module of the tool (not of the learner's surface) that a rustc
/// message says cannot be found in `attn_quiz`, e.g. `reference` in
/// "unresolved import `attn_quiz::reference`" or "could not find `reference`
/// in `attn_quiz`".
fn tool_module_named(message: &str) -> Option<&'static str> {
    super::library::tool_modules().into_iter().find(|module| {
        message.contains(&format!("`attn_quiz::{module}")) || message.contains(&format!("`{module}` in `attn_quiz`"))
    })
}

/// An error that names a tool module, explained: exercises are built without
/// the answer key. Returns the one-line message and the rendered text.
fn answer_key_note(module: &str, rendered: &str) -> (String, String) {
    let what = match module {
        "reference" => "the answer key (`attn_quiz::reference`) is not available to exercises".to_string(),
        other => format!("`attn_quiz::{other}` belongs to the attn-quiz tool and is not available to exercises"),
    };
    let note = format!(
        "error: {what}\n  \
         An exercise builds against `attn_quiz::prelude` and nalgebra only: write the function yourself\n  \
         (helpers of your own are welcome). `attn-quiz hint <exercise>` helps if you are stuck.\n"
    );
    (what, format!("{note}\n{rendered}"))
}

/// The parts of Cargo's JSON messages we read.
#[derive(Debug, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum CargoMessage {
    CompilerMessage {
        target: CargoTarget,
        message: RustcMessage,
    },
    CompilerArtifact {
        target: CargoTarget,
        executable: Option<PathBuf>,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct CargoTarget {
    name: String,
}

#[derive(Debug, Deserialize)]
struct RustcMessage {
    message: String,
    level: String,
    code: Option<RustcCode>,
    spans: Vec<RustcSpan>,
    rendered: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RustcCode {
    code: String,
}

#[derive(Debug, Deserialize)]
struct RustcSpan {
    file_name: String,
    line_start: usize,
    column_start: usize,
    is_primary: bool,
}
