//! `attn-quiz check <file>`: judge a learner's file against the reference.
//!
//! Also the home of what the other exercise commands share: the check options
//! (`watch` takes the same flags), the `--state-dir` and `--exercises-dir`
//! flags, and resolving an exercise from a name or a file path.

use anyhow::{Context, bail};
use attn_quiz::harness::check::{CheckRequest, check};
use attn_quiz::harness::exercises::{self, Exercise};
use attn_quiz::harness::progress::{CheckResult, ProgressFile};
use attn_quiz::harness::render;
use attn_quiz::harness::verdict::{Status, Verdict};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Random cases per check unless `--cases` says otherwise.
pub const DEFAULT_CASES: u32 = 200;

/// Seconds the learner's code may run unless `--timeout` says otherwise.
const DEFAULT_TIMEOUT: &str = "10";

/// Arguments of `attn-quiz check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Your solution, e.g. exercises/mha.rs.
    pub file: PathBuf,
    #[command(flatten)]
    pub options: CheckOptions,
    /// Print the verdict as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// How to check: shared by `check` and `watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckOptions {
    /// The exercise the file answers [default: the file's name, e.g. mha for mha.rs].
    #[arg(long, value_name = "NAME")]
    pub exercise: Option<String>,
    /// Seed of the random cases; the same seed replays the same run [default: random].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of random cases, on top of the edge cases.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CASES)]
    pub cases: u32,
    /// Seconds your compiled code may run before it is stopped.
    #[arg(long, value_name = "SECS", default_value = DEFAULT_TIMEOUT, value_parser = parse_timeout)]
    pub timeout: Duration,
    #[command(flatten)]
    pub state: StateDir,
}

/// The `--state-dir` flag.
#[derive(Debug, Clone, clap::Args)]
pub struct StateDir {
    /// Where progress is kept [default: $ATTN_QUIZ_STATE_DIR, else the platform's state directory].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

/// The `--exercises-dir` flag.
#[derive(Debug, Clone, clap::Args)]
pub struct ExercisesDir {
    /// The folder with your exercise files.
    #[arg(long, value_name = "DIR", default_value = "exercises")]
    pub exercises_dir: PathBuf,
}

impl ExercisesDir {
    /// The file of `exercise` in this folder.
    pub fn file_of(&self, exercise: &Exercise) -> PathBuf {
        self.exercises_dir.join(exercise.file_name())
    }
}

/// Runs `attn-quiz check`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let checked = run(&args.file, &args.options, args.json);
    match checked {
        Ok(verdict) => Ok(ExitCode::from(verdict.exit_code())),
        Err(error) if args.json => {
            println!("{}", serde_json::json!({ "status": "error", "message": format!("{error:#}") }));
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// Checks `file`, records the result and prints the verdict (as JSON if `json`).
pub fn run(file: &Path, options: &CheckOptions, json: bool) -> anyhow::Result<Verdict> {
    let exercise = exercise_for(file, options.exercise.as_deref())?;
    let contents = read_exercise_file(file, exercise)?;
    let request = CheckRequest {
        file,
        exercise,
        seed: options.seed.unwrap_or_else(|| rand::random_range(0..1_000_000)),
        cases: options.cases,
        timeout: options.timeout,
        color: !json && colored::control::SHOULD_COLORIZE.should_colorize(),
    };
    let verdict = check(&request)?;
    record(&options.state, exercise, &contents, &verdict);
    if json {
        println!("{}", serde_json::to_string(&verdict)?);
    } else {
        let timeout = (Ok(options.timeout) != parse_timeout(DEFAULT_TIMEOUT)).then_some(options.timeout.as_secs_f64());
        let replay = render::replay_command(&verdict, options.exercise.is_some(), DEFAULT_CASES, timeout);
        print!("{}", render::verdict(&verdict, &replay));
    }
    Ok(verdict)
}

/// The exercise named by `--exercise`, else by the file's stem.
pub fn exercise_for(file: &Path, flag: Option<&str>) -> anyhow::Result<&'static Exercise> {
    if let Some(name) = flag {
        return find_exercise(name);
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    exercises::find(stem).with_context(|| {
        format!(
            "{} is not named after an exercise, so pass --exercise NAME (exercises: {})",
            file.display(),
            exercises::names()
        )
    })
}

/// The exercise called `name`, or an error listing them all.
pub fn find_exercise(name: &str) -> anyhow::Result<&'static Exercise> {
    exercises::find(name).with_context(|| format!("no exercise called `{name}` (exercises: {})", exercises::names()))
}

/// The exercise named by `name_or_file`: an exercise name, or a file named after one.
pub fn resolve_exercise(name_or_file: &str) -> anyhow::Result<&'static Exercise> {
    let path = Path::new(name_or_file);
    let name = if path.extension().is_some_and(|e| e == "rs") {
        path.file_stem().and_then(|s| s.to_str()).unwrap_or(name_or_file)
    } else {
        name_or_file
    };
    find_exercise(name)
}

/// The learner's file, or an error saying how to get a fresh one (or, for a
/// file that is not UTF-8, where its first bad byte is).
pub fn read_exercise_file(file: &Path, exercise: &Exercise) -> anyhow::Result<Vec<u8>> {
    match std::fs::read(file) {
        Ok(contents) => match std::str::from_utf8(&contents) {
            Ok(_) => Ok(contents),
            Err(e) => {
                let (line, column) = line_and_column(&contents[..e.valid_up_to()]);
                bail!(
                    "{} is not UTF-8 text (a bad byte at line {line}, column {column}); \
                     Rust source files must be UTF-8, so save it in that encoding",
                    file.display()
                )
            }
        },
        Err(_) if file.is_dir() => bail!("{} is a folder, not an exercise file", file.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no such file: {}\n`attn-quiz reset {}` writes a fresh copy into exercises/, \
             `attn-quiz init` a whole exercises folder (exercises: {})",
            file.display(),
            exercise.name,
            exercises::names()
        ),
        Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
    }
}

/// Line and column (1-based, in characters) of the place right after `text`,
/// which is valid UTF-8.
fn line_and_column(text: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.split('\n').collect();
    (lines.len(), lines.last().map_or(0, |last| last.chars().count()) + 1)
}

/// Saves the verdict to the progress file; a problem there is only a warning,
/// the verdict stands.
fn record(state: &StateDir, exercise: &Exercise, contents: &[u8], verdict: &Verdict) {
    let result = match verdict.status {
        Status::Passed => CheckResult::Passed,
        Status::NotStarted => CheckResult::NotStarted,
        _ => CheckResult::Failing,
    };
    let saved = load_progress(state).and_then(|mut file| {
        file.progress.record_check(exercise, contents, result);
        file.save()
    });
    if let Err(error) = saved {
        eprintln!("warning: could not save your progress: {error:#}");
    }
}

/// Loads the progress file, printing the warning if a damaged one was set aside.
pub fn load_progress(state: &StateDir) -> anyhow::Result<ProgressFile> {
    let file = ProgressFile::load(state.state_dir.as_deref())?;
    if let Some(warning) = &file.warning {
        eprintln!("warning: {warning}");
    }
    Ok(file)
}

/// `--timeout`: a number of seconds from 0.1 (less leaves no time to tell a
/// hang from a check still in progress) to a day.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if (0.1..=86_400.0).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err("the timeout must be from 0.1 to 86400 seconds (a day)".into())
    }
}
