//! `attn-quiz bench <file>`: how fast is the learner's forward attention,
//! next to the readable reference and the fast path, across lengths?
//!
//! 1. The file must pass `attn-quiz check` first (a wrong answer has no
//!    speed worth knowing): otherwise it says so and exits with 1.
//! 2. The learner's function is built in release, with its own crate
//!    optimised ([`Program::Timing`]), and run as a timing program
//!    ([`attn_quiz::evaluator::timing`]) on inputs written to a file.
//! 3. The reference and the fast path are timed here, in this process, on
//!    the same inputs. Each implementation: one call counted for its peak
//!    heap, then the median of at least 3 runs (up to 30 within a second).
//! 4. A table, a log-log plot of time against L, or `--json`.
//!
//! Inputs: sdpa is one head with d = 64; mha and gqa are self-attention with
//! D = 512, H = 8 (d_k = 64), gqa with G = 2 key/value heads; no mask.
//! Lengths whose (L × L) weights, which the learner and the reference must
//! return, would take more than [`MEMORY_BUDGET`] are skipped, with a note.

use super::check::{DEFAULT_CASES, exercise_for, read_exercise_file};
use anyhow::{Context, bail};
use attn_quiz::evaluator::heap;
use attn_quiz::evaluator::timing::Request;
use attn_quiz::evaluator::wire::to_bytes;
use attn_quiz::fast::{self, Options};
use attn_quiz::harness::check::{CheckRequest, check};
use attn_quiz::harness::compile::{self, Build, BuildOptions};
use attn_quiz::harness::exercises::Exercise;
use attn_quiz::harness::package::{self, Program, Target};
use attn_quiz::harness::verdict::Status;
use attn_quiz::layers::{GroupedQueryWeights, MultiHeadWeights};
use attn_quiz::prelude::{Mask, Matrix};
use attn_quiz::reference;
use attn_quiz::sample::Sampler;
use serde_json::json;
use std::hint::black_box;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The exercises `bench` can time.
const FORWARD: [&str; 4] = ["sdpa", "mha", "gqa", "flash"];

/// Lengths timed unless `--lengths` says otherwise.
const DEFAULT_LENGTHS: [usize; 7] = [128, 256, 512, 1024, 2048, 4096, 8192];

/// Most bytes the weights the learner and the reference return may take at
/// one length (three (L × L) matrices per head: scores, weights, a copy).
pub const MEMORY_BUDGET: usize = 3 << 30;

/// Timed runs per implementation and length: at least, at most, and the
/// time after which no new run starts.
const MIN_RUNS: usize = 3;
const MAX_RUNS: usize = 30;
const BUDGET: Duration = Duration::from_secs(1);

/// How long the learner's timing program may run in all.
const LEARNER_LIMIT: Duration = Duration::from_secs(20 * 60);

/// Arguments of `attn-quiz bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Your solution of a forward exercise: sdpa, mha or gqa.
    pub file: PathBuf,
    /// The exercise the file answers [default: the file's name].
    #[arg(long, value_name = "NAME")]
    pub exercise: Option<String>,
    /// Sequence lengths to time, e.g. 128,256,512 [default: 128,256,...,8192].
    #[arg(long, value_name = "L,...", value_delimiter = ',', value_parser = clap::value_parser!(usize))]
    pub lengths: Vec<usize>,
    /// Threads of the fast path (the learner's function and the reference run on one).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the results as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// One measurement.
#[derive(Debug, Clone, Copy)]
struct Measured {
    implementation: &'static str,
    length: usize,
    threads: usize,
    median_ms: f64,
    peak_bytes: Option<usize>,
}

/// Runs `attn-quiz bench`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let exercise = exercise_for(&args.file, args.exercise.as_deref())?;
    read_exercise_file(&args.file, exercise)?; // a missing, folder or non-UTF-8 file is a usage error
    if !FORWARD.contains(&exercise.name) {
        bail!(
            "`attn-quiz bench` times the forward attention exercises ({}); `{}` is not one of them",
            FORWARD.join(", "),
            exercise.name
        );
    }
    let mut lengths = if args.lengths.is_empty() { DEFAULT_LENGTHS.to_vec() } else { args.lengths.clone() };
    if lengths.contains(&0) {
        bail!("--lengths must be at least 1");
    }
    lengths.sort_unstable();
    lengths.dedup();
    let (kept, skipped): (Vec<usize>, Vec<usize>) =
        lengths.iter().partition(|&&l| weights_bytes(exercise, l) <= MEMORY_BUDGET);
    for &l in &skipped {
        eprintln!(
            "skipping L = {l}: the (L × L) weights alone would take {:.1} GiB (more than {} GiB)",
            weights_bytes(exercise, l) as f64 / (1u64 << 30) as f64,
            MEMORY_BUDGET >> 30
        );
    }
    if kept.is_empty() {
        bail!("no length left to time");
    }
    // 1. Only a correct function is worth timing.
    let progress = Progress::new(kept.len() * 3 + 2);
    progress.show("checking your file");
    if let Some(status) = not_passing(&args.file, exercise)? {
        progress.clear();
        let message = format!(
            "{} does not pass `attn-quiz check` ({status}), so it is not timed: \
             run `attn-quiz check {}` to see why",
            args.file.display(),
            args.file.display()
        );
        if args.json {
            println!("{}", json!({ "status": "not_passed", "message": message }));
        }
        eprintln!("{message}");
        return Ok(ExitCode::from(1));
    }
    let threads = usize::from(args.threads);
    if cfg!(debug_assertions) {
        progress.clear();
        eprintln!(
            "note: this attn-quiz is a debug build, so the reference and the fast path run unoptimised \
             here (your function is built in release either way); `cargo run --release -- bench ...` \
             or an installed attn-quiz times them properly"
        );
    }
    // 2. The learner's function, built in release and timed in its own process.
    progress.step("building your function in release");
    let cases: Vec<Inputs> = kept.iter().map(|&l| Inputs::new(exercise, l, args.seed)).collect();
    let mut results = time_learner(&args.file, exercise, &cases, &progress)?;
    // 3. The reference and the fast path, here, on the same inputs.
    for case in &cases {
        progress.step(&format!("reference, L = {}", case.length));
        results.push(measure("reference", case.length, 1, || case.reference()));
        progress.step(&format!("fast path, L = {}, {threads} thread(s)", case.length));
        let options = Options::with_threads(threads);
        results.push(measure("fast", case.length, threads, || case.fast(&options)));
    }
    progress.clear();
    // 4. Show it.
    if args.json {
        let rows: Vec<_> = results
            .iter()
            .map(|m| {
                json!({ "implementation": m.implementation, "length": m.length, "threads": m.threads,
                        "median_ms": m.median_ms, "peak_bytes": m.peak_bytes })
            })
            .collect();
        let build = if cfg!(debug_assertions) { "debug" } else { "release" };
        let object = json!({ "status": "measured", "exercise": exercise.name, "file": args.file.display().to_string(),
                             "shape": shape_note(exercise), "attn_quiz_build": build, "results": rows });
        println!("{object}");
    } else {
        print!("{}", table(exercise, &args.file, &results, &kept, threads));
        print!("{}", plot(&results, &kept, threads));
    }
    Ok(ExitCode::SUCCESS)
}

/// `None` if the file passes `attn-quiz check`, else what stops it.
fn not_passing(file: &Path, exercise: &'static Exercise) -> anyhow::Result<Option<&'static str>> {
    let request = CheckRequest {
        file,
        exercise,
        seed: rand::random_range(0..1_000_000),
        cases: DEFAULT_CASES,
        timeout: Duration::from_secs(10),
        color: false,
    };
    let verdict = check(&request)?;
    Ok(match verdict.status {
        Status::Passed => None,
        Status::NotStarted => Some("not started yet: the template's todo!() is still there"),
        Status::CompileError { .. } => Some("it does not compile"),
        Status::Failed { .. } => Some("a case gives a wrong answer"),
        Status::Crashed { .. } => Some("it crashes"),
        Status::Timeout { .. } => Some("it runs out of time"),
    })
}

/// Bytes of the weights the exercise returns at length `len` (three
/// (L × L) f32 matrices per head while they are made).
fn weights_bytes(exercise: &Exercise, len: usize) -> usize {
    let heads = match exercise.name {
        "flash" => return 0, // no weights: only the log-sum-exp
        "sdpa" => 1,
        _ => HEADS,
    };
    3usize.saturating_mul(heads).saturating_mul(len).saturating_mul(len).saturating_mul(4)
}

/// Shapes of the inputs.
const D_K: usize = 64;
const D_MODEL: usize = 512;
const HEADS: usize = 8;
const KV_HEADS: usize = 2;
/// Flash's block sizes.
const BLOCK: usize = 64;

fn shape_note(exercise: &Exercise) -> String {
    match exercise.name {
        "sdpa" => format!("one head, d = {D_K}, no mask"),
        "flash" => format!("one head, d = {D_K}, blocks {BLOCK} × {BLOCK}, no mask"),
        "mha" => format!("self-attention, D = {D_MODEL}, H = {HEADS} (d_k = {D_K}), no mask"),
        _ => format!("self-attention, D = {D_MODEL}, H = {HEADS}, G = {KV_HEADS} (d_k = {D_K}), no mask"),
    }
}

/// The inputs at one length.
struct Inputs {
    length: usize,
    kind: Kind,
}

enum Kind {
    Sdpa { q: Matrix, k: Matrix, v: Matrix },
    Flash { q: Matrix, k: Matrix, v: Matrix },
    Mha { x: Matrix, w: MultiHeadWeights },
    Gqa { x: Matrix, w: GroupedQueryWeights },
}

impl Inputs {
    fn new(exercise: &Exercise, length: usize, seed: u64) -> Self {
        let mut sampler = Sampler::new(seed ^ length as u64);
        let kind = match exercise.name {
            "sdpa" => Kind::Sdpa {
                q: sampler.matrix(length, D_K),
                k: sampler.matrix(length, D_K),
                v: sampler.matrix(length, D_K),
            },
            "flash" => Kind::Flash {
                q: sampler.matrix(length, D_K),
                k: sampler.matrix(length, D_K),
                v: sampler.matrix(length, D_K),
            },
            "mha" => Kind::Mha { x: sampler.matrix(length, D_MODEL), w: sampler.multi_head_weights(D_MODEL, HEADS) },
            _ => Kind::Gqa {
                x: sampler.matrix(length, D_MODEL),
                w: sampler.grouped_query_weights(D_MODEL, HEADS, KV_HEADS, D_MODEL / HEADS),
            },
        };
        Inputs { length, kind }
    }

    /// The learner's arguments in signature order, encoded for the timing program.
    fn encoded(&self) -> Vec<u8> {
        let none = None::<Mask>;
        match &self.kind {
            Kind::Sdpa { q, k, v } => to_bytes(&(q, k, v, none)),
            Kind::Flash { q, k, v } => to_bytes(&(q, k, v, false, BLOCK, BLOCK)),
            Kind::Mha { x, w } => to_bytes(&(x, x, x, w, none)),
            Kind::Gqa { x, w } => to_bytes(&(x, x, x, w, none)),
        }
    }

    fn reference(&self) {
        match &self.kind {
            Kind::Sdpa { q, k, v } => drop(black_box(reference::scaled_dot_product_attention(q, k, v, None))),
            Kind::Flash { q, k, v } => drop(black_box(reference::flash_attention(q, k, v, false, BLOCK, BLOCK))),
            Kind::Mha { x, w } => drop(black_box(reference::multi_head_attention(x, x, x, w, None))),
            Kind::Gqa { x, w } => drop(black_box(reference::grouped_query_attention(x, x, x, w, None))),
        }
    }

    fn fast(&self, options: &Options) {
        match &self.kind {
            Kind::Sdpa { q, k, v } | Kind::Flash { q, k, v } => {
                drop(black_box(fast::attention(q, k, v, false, options)))
            }
            Kind::Mha { x, w } => drop(black_box(fast::multi_head_attention(x, x, x, w, false, options))),
            Kind::Gqa { x, w } => drop(black_box(fast::grouped_query_attention(x, x, x, w, false, options))),
        }
    }
}

/// One call for the peak heap, then the median of the timed runs.
fn measure(implementation: &'static str, length: usize, threads: usize, mut f: impl FnMut()) -> Measured {
    let ((), peak_bytes) = heap::measure(&mut f);
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < MIN_RUNS || (times.len() < MAX_RUNS && start.elapsed() < BUDGET) {
        let run = Instant::now();
        f();
        times.push(run.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Measured { implementation, length, threads, median_ms: times[times.len() / 2], peak_bytes }
}

/// Builds the learner's timing program and runs it on every case.
fn time_learner(
    file: &Path,
    exercise: &'static Exercise,
    cases: &[Inputs],
    progress: &Progress,
) -> anyhow::Result<Vec<Measured>> {
    let cache = package::cache_dir()?;
    let executable = {
        let _lock = package::lock(&cache)?;
        let package = package::prepare(&cache, Program::Timing, exercise, file)?;
        let target = Target { release: true, ..package::target(&cache) };
        let display_path = file.display().to_string();
        let options = BuildOptions { target: &target, display_path: &display_path, color: false };
        match compile::build(&package, exercise, &options)? {
            Build::Built { executable, .. } => executable,
            Build::Failed { errors, .. } => {
                let shown: Vec<&str> = errors.iter().map(|e| e.rendered.as_str()).collect();
                bail!("your file passed the check but does not build in release:\n{}", shown.join(""))
            }
        }
    };
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let (requests, answers, stderr_path) =
        (scratch.path().join("requests"), scratch.path().join("results"), scratch.path().join("stderr"));
    let cases_bytes: Vec<(usize, Vec<u8>)> = cases.iter().map(|c| (c.length, c.encoded())).collect();
    let request: Request = (cases_bytes, MIN_RUNS, MAX_RUNS, BUDGET.as_millis() as usize);
    std::fs::write(&requests, to_bytes(&request)).context("writing the timing requests")?;
    let stderr = std::fs::File::create(&stderr_path).context("creating a scratch file")?;
    let mut child = Command::new(&executable)
        .arg(&requests)
        .arg(&answers)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("starting {}", executable.display()))?;
    let started = Instant::now();
    let mut seen = 0;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for your timing program")? {
            break status;
        }
        let done = std::fs::read_to_string(&answers).map_or(0, |t| t.lines().count());
        while seen < done.min(cases.len()) {
            seen += 1;
            let next =
                cases.get(seen).map_or("your function".to_string(), |c| format!("your function, L = {}", c.length));
            progress.step(&next);
        }
        if seen == 0 {
            progress.show(&format!("your function, L = {}", cases[0].length));
        }
        if started.elapsed() > LEARNER_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            bail!("your function took more than {} minutes in all; try fewer --lengths", LEARNER_LIMIT.as_secs() / 60);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for _ in seen..cases.len() {
        progress.step("your function");
    }
    let text = std::fs::read_to_string(&answers).unwrap_or_default();
    let measured: Vec<Measured> = text.lines().filter_map(parse_line).collect();
    if !status.success() || measured.len() != cases.len() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let tail: Vec<&str> = stderr.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
        let at = cases.get(measured.len()).map_or(String::new(), |c| format!(" at L = {}", c.length));
        progress.clear();
        bail!("your function stopped{at} ({status}):\n{}", tail.join("\n"));
    }
    Ok(measured)
}

/// One line of the timing program's results.
fn parse_line(line: &str) -> Option<Measured> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [length, nanos, _runs, peak] = fields.as_slice() else { return None };
    Some(Measured {
        implementation: "learner",
        length: length.parse().ok()?,
        threads: 1,
        median_ms: nanos.parse::<f64>().ok()? / 1e6,
        peak_bytes: peak.parse().ok(),
    })
}

/// The results as a table.
fn table(exercise: &Exercise, file: &Path, results: &[Measured], lengths: &[usize], threads: usize) -> String {
    let find = |implementation: &str, length: usize| {
        results.iter().find(|m| m.implementation == implementation && m.length == length)
    };
    let mut out = format!(
        "bench {} ({}): {}; median of {MIN_RUNS}-{MAX_RUNS} runs, peak heap of one call\n\n",
        exercise.name,
        file.display(),
        shape_note(exercise)
    );
    out += &format!(
        "{:>6}  {:>10} {:>12} {:>10}  {:>12}  {:>10} {:>12} {:>10}\n",
        "L",
        "yours ms",
        "reference ms",
        format!("fast({threads}) ms"),
        "yours / fast",
        "yours heap",
        "reference heap",
        "fast heap"
    );
    for &length in lengths {
        let (Some(l), Some(r), Some(f)) = (find("learner", length), find("reference", length), find("fast", length))
        else {
            continue;
        };
        out += &format!(
            "{length:>6}  {:>10.3} {:>12.3} {:>10.3}  {:>11.1}×  {:>10} {:>14} {:>10}\n",
            l.median_ms,
            r.median_ms,
            f.median_ms,
            l.median_ms / f.median_ms,
            bytes(l.peak_bytes),
            bytes(r.peak_bytes),
            bytes(f.peak_bytes)
        );
    }
    out += "\n(yours / fast: how many times longer your function takes than the fast path;\n \
            the fast path returns no weights matrix, which is most of what it saves)\n\n";
    out
}

/// Bytes in KiB, MiB or GiB.
fn bytes(b: Option<usize>) -> String {
    let Some(b) = b else { return "-".into() };
    let b = b as f64;
    if b < 1024.0 * 1024.0 {
        format!("{:.0} KiB", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GiB", b / 1024.0 / 1024.0 / 1024.0)
    }
}

/// A log-log plot of time against L, one labelled curve per implementation.
fn plot(results: &[Measured], lengths: &[usize], threads: usize) -> String {
    const WIDTH: usize = 56;
    const HEIGHT: usize = 14;
    let fast_label = format!("fast ({threads} thread{})", if threads == 1 { "" } else { "s" });
    let curves =
        [("learner", 'Y', "yours".to_string()), ("reference", 'R', "reference".into()), ("fast", 'F', fast_label)];
    let times: Vec<f64> = results.iter().map(|m| m.median_ms.max(1e-6)).collect();
    let (lo, hi) = times.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    let (y_lo, y_hi) = (lo.log10(), hi.log10().max(lo.log10() + 1e-9));
    let (first, last) = (lengths[0] as f64, *lengths.last().expect("one length at least") as f64);
    let (x_lo, x_hi) = (first.log2(), last.log2().max(first.log2() + 1e-9));
    let column = |len: usize| (((len as f64).log2() - x_lo) / (x_hi - x_lo) * (WIDTH - 1) as f64).round() as usize;
    let row =
        |ms: f64| HEIGHT - 1 - (((ms.max(1e-6).log10() - y_lo) / (y_hi - y_lo)) * (HEIGHT - 1) as f64).round() as usize;
    let mut grid = vec![vec![' '; WIDTH + 24]; HEIGHT];
    for (implementation, mark, label) in &curves {
        let mut points: Vec<(usize, usize)> = results
            .iter()
            .filter(|m| m.implementation == *implementation)
            .map(|m| (column(m.length), row(m.median_ms)))
            .collect();
        points.sort_unstable();
        // Dots between neighbouring points, then the marks on top.
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            for x in x0 + 1..x1 {
                let y = y0 as f64 + (y1 as f64 - y0 as f64) * (x - x0) as f64 / (x1 - x0) as f64;
                if let Some(cell) =
                    grid.get_mut(y.round() as usize).and_then(|line| line.get_mut(x)).filter(|c| **c == ' ')
                {
                    *cell = '.';
                }
            }
        }
        for &(x, y) in &points {
            let cell = &mut grid[y][x];
            *cell = if *cell == ' ' || *cell == '.' || *cell == *mark { *mark } else { '*' };
        }
        if let Some(&(x, y)) = points.last() {
            for (i, c) in format!(" {label}").chars().enumerate() {
                if let Some(cell) = grid[y].get_mut(x + 1 + i).filter(|c| **c == ' ') {
                    *cell = c;
                }
            }
        }
    }
    let mut out = String::from("time per call (ms, log scale) against L (log scale)\n");
    for (i, line) in grid.iter().enumerate() {
        let axis = match i {
            0 => format!("{hi:>9.3} |"),
            _ if i == HEIGHT - 1 => format!("{lo:>9.3} |"),
            _ => format!("{:>9} |", ""),
        };
        out += &format!("{axis}{}\n", line.iter().collect::<String>().trim_end());
    }
    out += &format!("{:>9} +{}\n", "", "-".repeat(WIDTH));
    let (left, right) = (format!("L = {}", lengths[0]), format!("L = {}", last));
    out += &format!("{:>9}  {left}{}{right}\n", "", " ".repeat(WIDTH.saturating_sub(left.len() + right.len())));
    out += "  Y = your function, R = reference, F = fast path, * = two at the same place\n";
    out
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    total: usize,
    done: std::cell::Cell<usize>,
    on: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress { total, done: std::cell::Cell::new(0), on: std::io::stderr().is_terminal() }
    }

    /// One more step done; now working on `what`.
    fn step(&self, what: &str) {
        self.done.set((self.done.get() + 1).min(self.total));
        self.show(what);
    }

    /// Redraws the bar with `what` after it.
    fn show(&self, what: &str) {
        if !self.on {
            return;
        }
        const BAR: usize = 30;
        let filled = BAR * self.done.get() / self.total.max(1);
        eprint!(
            "\r\x1b[2K[{}{}] {}/{} {what}",
            "#".repeat(filled),
            "-".repeat(BAR - filled),
            self.done.get(),
            self.total
        );
        let _ = std::io::stderr().flush();
    }

    /// Removes the bar.
    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}
