//! A [`Verdict`] written for a person at a terminal: a colored headline
//! (green pass, red fail), then what went wrong, on which input, and how to
//! replay it.

use super::compile::Diagnostic;
use super::judge::bytes_in_words;
use super::verdict::{Case, Failure, FailureKind, WeightMap};
use super::verdict::{Status, Verdict};
use crate::heatmap;
use colored::Colorize;
use std::fmt::Write;

/// The command that runs the same check again, e.g.
/// `attn-quiz check exercises/mha.rs --seed 7`; `--exercise`, `--cases` and
/// `--timeout` appear only when the original check had them.
pub fn replay_command(verdict: &Verdict, exercise_flag: bool, default_cases: u32, timeout: Option<f64>) -> String {
    let mut command = format!("attn-quiz check {} --seed {}", verdict.file, verdict.seed);
    if exercise_flag {
        write!(command, " --exercise {}", verdict.exercise).unwrap();
    }
    if verdict.cases != default_cases {
        write!(command, " --cases {}", verdict.cases).unwrap();
    }
    if let Some(secs) = timeout {
        write!(command, " --timeout {secs}").unwrap();
    }
    command
}

/// The whole verdict as text (ending with a newline).
pub fn verdict(verdict: &Verdict, replay: &str) -> String {
    let mut out = headline(verdict);
    if let Some(heap) = &verdict.heap {
        writeln!(
            out,
            "  heap: at most {} held at once on {} (allowed: {})",
            bytes_in_words(heap.peak_bytes),
            heap.case,
            bytes_in_words(heap.budget_bytes)
        )
        .unwrap();
    }
    match &verdict.status {
        Status::Passed => {}
        Status::NotStarted => not_started(&mut out, verdict),
        Status::Failed { failure } => {
            failed(&mut out, failure);
            program_output(&mut out, &failure.output);
        }
        Status::CompileError { errors } => {
            for error in errors {
                out.push('\n');
                out.push_str(error.rendered.trim_end());
                out.push('\n');
            }
        }
        Status::Timeout { case, output, stuck, .. } => {
            timed_out(&mut out, case.as_ref(), *stuck);
            program_output(&mut out, output);
        }
        Status::Crashed { case, output, .. } => {
            input(&mut out, "it crashed on", case.as_ref());
            program_output(&mut out, output);
        }
    }
    if !matches!(verdict.status, Status::Passed | Status::NotStarted | Status::CompileError { .. }) {
        warnings(&mut out, &verdict.warnings);
        writeln!(out, "\n  {} {replay}", "replay:".bold()).unwrap();
    }
    out
}

/// The first line: ✓ / ✗ / ·, the exercise and the gist.
fn headline(verdict: &Verdict) -> String {
    let name = verdict.exercise.bold();
    let after = |what: &str| match verdict.cases_run {
        Some(1) => format!("{what} on the first case (seed {})", verdict.seed),
        Some(n) => format!("{what} after {n} cases (seed {})", verdict.seed),
        None => what.to_string(),
    };
    let line = match &verdict.status {
        Status::Passed => {
            let cases = verdict.cases_run.unwrap_or(verdict.cases);
            format!(
                "{} {name} passed: {cases} cases agree with the reference (seed {})",
                "✓".green().bold(),
                verdict.seed
            )
            .green()
            .to_string()
        }
        Status::NotStarted => format!("{} {name}: not started", "·".yellow().bold()),
        Status::Failed { failure } => {
            format!(
                "{} {name} {}: {}",
                "✗".red().bold(),
                after("failed").red(),
                kind_in_words(failure.kind).red().bold()
            )
        }
        Status::CompileError { errors } => {
            let count = match errors.len() {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            format!("{} {name} {} ({count})", "✗".red().bold(), "does not compile".red())
        }
        Status::Timeout { stuck: true, call_limit_secs, .. } => format!(
            "{} {name} {}",
            "✗".red().bold(),
            format!("timed out: one call ran for {call_limit_secs} s without returning, so it was stopped").red()
        ),
        Status::Timeout { timeout_secs, .. } => {
            format!("{} {name} {}", "✗".red().bold(), after(&format!("ran out of time ({timeout_secs} s)")).red())
        }
        Status::Crashed { reason, .. } => format!("{} {name} {} {reason}", "✗".red().bold(), "crashed:".red()),
    };
    format!("{line}\n")
}

/// The kind of failure, as the headline says it.
fn kind_in_words(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::WrongValues => "wrong values",
        FailureKind::WrongShape => "wrong shape",
        FailureKind::NotFinite => "NaN or infinity",
        FailureKind::Panic => "panicked",
        FailureKind::TooMuchMemory => "too much memory",
    }
}

/// What to do about code that still reaches the `todo` macro.
fn not_started(out: &mut String, verdict: &Verdict) {
    writeln!(
        out,
        "  Your code reached a `todo!` before returning anything (the template's, or one in a helper\n  \
         not written yet). Write it in {}, then check again.\n  \
         Stuck? `attn-quiz hint {}` gives one hint at a time.",
        verdict.file, verdict.exercise
    )
    .unwrap();
}

/// Where a timed-out program was, and what that suggests: stuck on one input
/// (a loop that never ends), or still moving on when the time ran out.
fn timed_out(out: &mut String, case: Option<&Case>, stuck: bool) {
    if stuck {
        input(out, "it hung on", case);
        out.push_str("  Look for a loop whose condition never changes, or recursion without a base case.\n");
    } else {
        input(out, "it had just started on", case);
        out.push_str(
            "  Every input so far returned in time: not stuck, but the whole check took longer than the\n  \
             time allowed. Raise --timeout, lower --cases, or look for needlessly slow code.\n",
        );
    }
}

/// The counterexample: property, input, expected vs actual, first difference, mistake.
fn failed(out: &mut String, failure: &Failure) {
    writeln!(out, "\n  {} {}", "property:".bold(), failure.property).unwrap();
    input(out, "input", Some(&failure.case));
    if failure.kind == FailureKind::Panic {
        let message = failure.panic_message.as_deref().unwrap_or("(no message)");
        writeln!(out, "  {}\n{}", "your code panicked:".bold(), indent(message, 4).red()).unwrap();
    } else {
        writeln!(out, "  {}\n{}", "expected:".bold(), indent(&failure.expected, 4)).unwrap();
        writeln!(out, "  {}\n{}", "actual:".bold(), indent(&failure.actual, 4)).unwrap();
    }
    if let Some(difference) = &failure.first_difference {
        writeln!(out, "  {} {difference}", "first difference:".bold()).unwrap();
    }
    weight_pictures(out, &failure.weight_maps);
    if let Some(mistake) = &failure.mistake {
        writeln!(out, "\n  {} {}", "looks like:".bold().yellow(), mistake.name.yellow()).unwrap();
        writeln!(out, "  {} {}", "hint:".bold(), mistake.hint).unwrap();
    }
}

/// The weights that differ, expected beside actual, differing cells marked
/// (the first two matrices: a picture, not the record).
fn weight_pictures(out: &mut String, maps: &[WeightMap]) {
    let options = heatmap::Options::new(heatmap::Mode::detect());
    for map in maps.iter().take(2) {
        let picture = heatmap::render_side_by_side(
            &map.expected,
            &map.actual,
            heatmap::differs_beyond(map.tolerance, 0.0),
            &options,
        );
        writeln!(out, "\n  {}\n{}", format!("{}:", map.name).bold(), indent(picture.trim_end(), 4)).unwrap();
    }
}

/// An input case with its arguments, or a note that it is unknown.
fn input(out: &mut String, heading: &str, case: Option<&Case>) {
    let Some(case) = case else {
        writeln!(out, "\n  {} (unknown: the program stopped before trying any input)", format!("{heading}:").bold())
            .unwrap();
        return;
    };
    writeln!(out, "\n  {} {}", format!("{heading}:").bold(), case.label).unwrap();
    for (name, value) in &case.arguments {
        let prefix = format!("    {name} = ");
        let continuation = " ".repeat(prefix.chars().count());
        let mut lines = value.lines();
        writeln!(out, "{prefix}{}", lines.next().unwrap_or("")).unwrap();
        for line in lines {
            writeln!(out, "{continuation}{line}").unwrap();
        }
    }
}

/// What the learner's code printed on the input shown, if anything.
fn program_output(out: &mut String, output: &super::evaluator_process::Output) {
    if output.is_empty() {
        return;
    }
    writeln!(out, "\n  {}", "your code printed, on this input (the end of it):".bold()).unwrap();
    for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        if !text.trim().is_empty() {
            writeln!(out, "    [{stream}]\n{}", indent(text.trim(), 4)).unwrap();
        }
    }
}

/// rustc's warnings, one line each: they often point at the bug (an unused `mask`).
fn warnings(out: &mut String, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    writeln!(out, "\n  {}", "rustc warned about your file (worth a look):".bold()).unwrap();
    for warning in warnings {
        let place = warning.line.map_or(String::new(), |line| format!(" (line {line})"));
        writeln!(out, "    {} {}{place}", "warning:".yellow(), warning.message).unwrap();
    }
}

/// Every line of `text` indented by `spaces`.
fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines().map(|line| format!("{pad}{line}")).collect::<Vec<_>>().join("\n")
}
