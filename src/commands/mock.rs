//! `attn-quiz mock`: a timed written test in three parts (choice, short
//! answer, code), a score sheet at the end, and `--history`.
//!
//! The clock is the wall clock. Input is read by a thread that hands lines
//! over a channel, so the test can end the moment the time is up, even while
//! the learner is still typing; an answer that arrives after the end does not
//! count. `--minutes` takes fractions (`--minutes 0.02` is 1.2 seconds), which
//! is how the tests make the time run out.

use super::quiz_files::{Opened, QuizFiles};
use anyhow::Context;
use attn_quiz::harness::check::{CheckRequest, check};
use attn_quiz::harness::exercises::{self, Exercise};
use attn_quiz::harness::render;
use attn_quiz::harness::verdict::Status;
use attn_quiz::quiz::asked::{Verdict, wrap, wrap_after};
use attn_quiz::quiz::mock::{self, Attempt, CodeResult, CodeScore, History, MockEnding, Prepared};
use attn_quiz::quiz::parse;
use attn_quiz::quiz::progress::{self, Outcome, Progress};
use attn_quiz::quiz::question::{Kind, Question};
use attn_quiz::quiz::session::reference_with_file;
use attn_quiz::quiz::topic::{TOPICS, Topic};
use colored::Colorize;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Arguments of `attn-quiz mock`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Minutes for the whole test (fractions allowed: 0.5 is 30 seconds).
    #[arg(long, value_name = "N", default_value_t = mock::DEFAULT_MINUTES, value_parser = parse_minutes)]
    minutes: f64,
    /// Seed of the questions, the generated sizes, the shuffles and the second exercise
    /// [default: random, printed at the start].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Where the code part's files go: each attempt gets its own new folder DIR/attempt-N.
    #[arg(long, value_name = "DIR", default_value = "mock")]
    dir: PathBuf,
    /// List past attempts with their scores instead of taking a test.
    #[arg(long)]
    history: bool,
    #[command(flatten)]
    files: QuizFiles,
}

/// `--minutes`: more than 0, at most a day.
fn parse_minutes(text: &str) -> Result<f64, String> {
    let minutes: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of minutes"))?;
    if minutes > 0.0 && minutes <= 1440.0 {
        Ok(minutes)
    } else {
        Err("the minutes must be more than 0 and at most 1440 (a day)".into())
    }
}

/// Runs `attn-quiz mock`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let history_path = mock::history_path(args.files.state_dir())?;
    let loaded = mock::load_history(&history_path)?;
    if let Some(warning) = &loaded.warning {
        eprintln!("{} {warning}", "warning:".yellow().bold());
    }
    if args.history {
        print_history(&loaded.value);
        return Ok(ExitCode::SUCCESS);
    }
    let Opened { bank, path, progress: saved } = args.files.open()?;
    let seed = args.seed.unwrap_or_else(rand::random);
    let paper = mock::prepare(&bank, seed).map_err(|e| anyhow::anyhow!("a generator failed (a bug): {e}"))?;
    let limit = Duration::from_secs_f64(args.minutes * 60.0);
    let mut test = MockTest {
        lines: spawn_reader(),
        out: std::io::stdout().lock(),
        deadline: Instant::now() + limit,
        started: Instant::now(),
        progress: saved,
        progress_path: path,
        now: progress::now(),
        topics: Vec::new(),
        missed: Vec::new(),
        answers: Vec::new(),
    };
    let attempt = test.run(&paper, seed, args.minutes, &args.dir)?;
    let mut history = loaded.value;
    history.attempts.push(attempt);
    mock::save_history(&history_path, &history)?;
    println!("Attempt saved in {} (`attn-quiz mock --history` lists them).", history_path.display());
    Ok(ExitCode::SUCCESS)
}

/// Lines of stdin, read on their own thread; the channel closes at the end of the input.
fn spawn_reader() -> Receiver<String> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let mut bytes = Vec::new();
            match input.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if send.send(String::from_utf8_lossy(&bytes).trim().to_string()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    receive
}

/// What reading the next line gave.
enum Read {
    Line(String),
    /// The time ran out first.
    TimeUp,
    /// The input ended.
    Ended,
}

/// Why a part stopped early.
#[derive(Debug, Clone, Copy)]
struct Stop(MockEnding);

/// A test in progress.
struct MockTest<W> {
    lines: Receiver<String>,
    out: W,
    started: Instant,
    deadline: Instant,
    progress: Progress,
    progress_path: PathBuf,
    now: u64,
    /// (topic, answered, right), for the weakest topics.
    topics: Vec<(&'static Topic, usize, usize)>,
    /// Reference pointers of what was missed, each once, in order.
    missed: Vec<String>,
    /// The choice part's answers: (question id, right, the right answer).
    answers: Vec<(String, bool, String)>,
}

impl<W: Write> MockTest<W> {
    fn run(&mut self, paper: &Prepared, seed: u64, minutes: f64, dir: &Path) -> anyhow::Result<Attempt> {
        let started_unix = progress::now();
        writeln!(
            self.out,
            "{} a written test in three parts: {} choice questions, {} short answers, {} exercises. \
             {} allowed, seed {seed}.",
            "attn-quiz mock:".bold(),
            paper.choice.len(),
            paper.short.len(),
            paper.code.len(),
            clock(Duration::from_secs_f64(minutes * 60.0)),
        )?;
        writeln!(
            self.out,
            "{}",
            "No hints. s = skip, q = end the test; the time left is shown at every prompt.".dimmed()
        )?;
        let mut attempt = Attempt {
            started: started_unix,
            seed,
            minutes,
            seconds_used: 0,
            ending: MockEnding::Completed,
            choice_right: 0,
            choice_total: paper.choice.len(),
            points_covered: 0,
            points_total: 0,
            code: paper
                .code
                .iter()
                .map(|e| CodeScore { exercise: e.to_string(), result: CodeResult::NotReached, checks: 0 })
                .collect(),
            folder: None,
        };
        // Every short answer's points count, reached or not.
        attempt.points_total = paper.points_total();
        let outcome = self
            .choice_part(paper, &mut attempt)
            .and_then(|()| self.short_part(&paper.short, &mut attempt))
            .and_then(|()| self.code_part(paper, dir, &mut attempt));
        if let Err(error) = outcome {
            match error.downcast::<StopError>() {
                Ok(StopError(Stop(ending))) => attempt.ending = ending,
                Err(error) => return Err(error),
            }
        }
        attempt.seconds_used = self.started.elapsed().as_secs();
        self.score_sheet(&attempt)?;
        Ok(attempt)
    }

    // ---- part 1 ----

    fn choice_part(&mut self, paper: &Prepared, attempt: &mut Attempt) -> anyhow::Result<()> {
        self.part_header(1, "Choice", "Answer with one letter, every right letter, a number or a shape.")?;
        for (index, asked) in paper.choice.iter().enumerate() {
            let q = &asked.question;
            let header = format!("Question {} of {} · {}", index + 1, paper.choice.len(), q.topic.title);
            writeln!(self.out, "\n{}  {}", header.cyan().bold(), q.id.dimmed())?;
            writeln!(self.out, "{}", asked.body())?;
            writeln!(self.out, "{}", asked.formats().dimmed())?;
            loop {
                let line = self.read_answer()?;
                if line.eq_ignore_ascii_case("s") || line.eq_ignore_ascii_case("skip") {
                    writeln!(self.out, "{}", "Skipped.".dimmed())?;
                    self.tally(q, false);
                    self.missed(q);
                    self.answers.push((q.id.clone(), false, asked.right_answer()));
                    break;
                }
                match asked.judge(&line) {
                    Some(verdict) => {
                        writeln!(self.out, "{}", "Answer recorded.".dimmed())?;
                        let right = verdict == Verdict::Right;
                        attempt.choice_right += usize::from(right);
                        self.answers.push((q.id.clone(), right, asked.right_answer()));
                        self.record(q, if right { Outcome::Right } else { Outcome::Wrong })?;
                        break;
                    }
                    None => writeln!(
                        self.out,
                        "{} {}",
                        format!("Could not read {line:?} as an answer.").yellow(),
                        asked.formats()
                    )?,
                }
            }
        }
        Ok(())
    }

    // ---- part 2 ----

    fn short_part(&mut self, shorts: &[Question], attempt: &mut Attempt) -> anyhow::Result<()> {
        self.part_header(
            2,
            "Short answer",
            "Answer in a few sentences on one line, then mark the key points you made.",
        )?;
        for (index, q) in shorts.iter().enumerate() {
            let header = format!("Question {} of {} · {}", index + 1, shorts.len(), q.topic.title);
            writeln!(self.out, "\n{}  {}", header.cyan().bold(), q.id.dimmed())?;
            writeln!(self.out, "{}", wrap(q.prompt.trim_end()))?;
            let answer = loop {
                let line = self.read_answer()?;
                if !line.is_empty() {
                    break line;
                }
                writeln!(self.out, "{}", "Write your answer on one line (s = skip).".yellow())?;
            };
            if answer.eq_ignore_ascii_case("s") || answer.eq_ignore_ascii_case("skip") {
                writeln!(self.out, "{}", "Skipped.".dimmed())?;
                self.tally(q, false);
                self.missed(q);
                continue;
            }
            let Kind::ShortAnswer { model_answer, key_points } = &q.kind else { continue };
            writeln!(self.out, "{}{}", "Model answer:".bold(), wrap_after("Model answer:", model_answer))?;
            writeln!(self.out, "Mark each key point your answer made: y (covered) or n.")?;
            let mut covered = 0;
            for (i, point) in key_points.iter().enumerate() {
                writeln!(self.out, "  {}. {point}", i + 1)?;
                loop {
                    let line = self.read_answer()?;
                    match parse::yes_no(&line) {
                        Some(yes) => {
                            covered += usize::from(yes);
                            break;
                        }
                        None => writeln!(self.out, "{}", "Please answer y or n.".yellow())?,
                    }
                }
            }
            attempt.points_covered += covered;
            writeln!(self.out, "{covered} of {} key points covered.", key_points.len())?;
            // Right for the Leitner boxes when at least half the points were made.
            let outcome = if 2 * covered >= key_points.len() { Outcome::Right } else { Outcome::Wrong };
            self.record(q, outcome)?;
        }
        Ok(())
    }

    // ---- part 3 ----

    fn code_part(&mut self, paper: &Prepared, dir: &Path, attempt: &mut Attempt) -> anyhow::Result<()> {
        let seed = paper.check_seed;
        self.part_header(3, "Code", "Write the function in the file, then type `done` to have it checked.")?;
        let folder = fresh_folder(dir)?;
        attempt.folder = Some(folder.clone());
        for (index, name) in paper.code.iter().enumerate() {
            let exercise = exercises::find(name).with_context(|| format!("no exercise `{name}` (a bug)"))?;
            let file = folder.join(exercise.file_name());
            write_new(&file, exercise.template)?;
            writeln!(
                self.out,
                "\n{}",
                format!("Exercise {} of {} · {}", index + 1, paper.code.len(), exercise.title).cyan().bold()
            )?;
            writeln!(self.out, "Write `{}` in {}", exercise.signature(), file.display())?;
            writeln!(self.out, "{}", "Type `done` to check it (again after a fix), s = skip to the next.".dimmed())?;
            loop {
                let line = self.read_answer()?;
                match line.to_ascii_lowercase().as_str() {
                    "s" | "skip" => {
                        if attempt.code[index].result == CodeResult::NotReached {
                            attempt.code[index].result = CodeResult::Skipped;
                        }
                        writeln!(self.out, "{}", "Skipped.".dimmed())?;
                        break;
                    }
                    "done" | "d" | "check" => {
                        attempt.code[index].checks += 1;
                        if self.check(exercise, &file, seed)? {
                            attempt.code[index].result = CodeResult::Passed;
                            break;
                        }
                        attempt.code[index].result = CodeResult::Failing;
                        writeln!(self.out, "{}", "Fix it and type `done` again, or s to move on.".dimmed())?;
                    }
                    _ => writeln!(self.out, "{}", "Type `done` when the file is ready, or s to skip.".yellow())?,
                }
            }
        }
        Ok(())
    }

    /// Checks `file` and prints the verdict; whether it passed.
    fn check(&mut self, exercise: &'static Exercise, file: &Path, seed: u64) -> anyhow::Result<bool> {
        writeln!(self.out, "Checking {} ...", file.display())?;
        self.out.flush()?;
        let request = CheckRequest {
            file,
            exercise,
            seed,
            cases: super::check::DEFAULT_CASES,
            timeout: Duration::from_secs(10),
            color: colored::control::SHOULD_COLORIZE.should_colorize(),
        };
        let verdict = check(&request)?;
        let replay = render::replay_command(&verdict, false, super::check::DEFAULT_CASES, None);
        write!(self.out, "{}", render::verdict(&verdict, &replay))?;
        Ok(verdict.status == Status::Passed)
    }

    // ---- the end ----

    fn score_sheet(&mut self, attempt: &Attempt) -> std::io::Result<()> {
        let how = match attempt.ending {
            MockEnding::Completed => "Test complete.",
            MockEnding::TimeUp => "Time is up: the test ends with what was answered.",
            MockEnding::Quit => "Test stopped.",
            MockEnding::InputEnded => "End of input: test stopped.",
        };
        writeln!(self.out, "\n{}", how.bold())?;
        writeln!(self.out, "{} ({} used)", "Score sheet".bold(), clock(Duration::from_secs(attempt.seconds_used)))?;
        writeln!(
            self.out,
            "  Part 1 · Choice         {}/{} right        {:>3.0}%",
            attempt.choice_right,
            attempt.choice_total,
            attempt.choice_percent()
        )?;
        for (id, right, answer) in &self.answers {
            let mark = if *right { "✓".green() } else { "✗".red() };
            let answer = if *right {
                String::new()
            } else {
                format!("  answer: {}", answer.replace('\n', "\n                 "))
            };
            writeln!(self.out, "             {mark} {id}{answer}")?;
        }
        writeln!(
            self.out,
            "  Part 2 · Short answer   {}/{} key points   {:>3.0}%",
            attempt.points_covered,
            attempt.points_total,
            attempt.short_percent()
        )?;
        writeln!(
            self.out,
            "  Part 3 · Code           {}/{} passed       {:>3.0}%",
            attempt.code_passed(),
            attempt.code.len(),
            attempt.code_percent()
        )?;
        for code in &attempt.code {
            let result = match code.result {
                CodeResult::Passed => "passed".to_string(),
                CodeResult::Failing => format!("not passing after {} check(s)", code.checks),
                CodeResult::Skipped => "skipped".to_string(),
                CodeResult::NotReached => "not handed in".to_string(),
            };
            writeln!(self.out, "             {:<16} {result}", code.exercise)?;
        }
        writeln!(
            self.out,
            "  {}",
            format!("Overall {:.0}% (the mean of the three parts)", attempt.overall_percent()).bold()
        )?;

        let mut weak: Vec<&(&Topic, usize, usize)> = self.topics.iter().filter(|(_, n, right)| right < n).collect();
        weak.sort_by(|a, b| {
            let share = |t: &(&Topic, usize, usize)| t.2 as f64 / t.1 as f64;
            share(a).total_cmp(&share(b)).then_with(|| rank(a.0).cmp(&rank(b.0)))
        });
        if weak.is_empty() && self.topics.is_empty() {
            writeln!(self.out, "No question was answered.")?;
        } else if weak.is_empty() {
            writeln!(self.out, "No topic missed in parts 1 and 2.")?;
        } else {
            let names: Vec<String> =
                weak.iter().take(3).map(|(t, n, right)| format!("{} ({right}/{n})", t.title)).collect();
            writeln!(self.out, "{} {}", "Weakest topics:".bold(), names.join(", "))?;
        }
        let review: Vec<String> = self.missed.iter().map(|r| reference_with_file(r)).collect();
        let failing: Vec<&CodeScore> = attempt.code.iter().filter(|c| c.result != CodeResult::Passed).collect();
        if !review.is_empty() || !failing.is_empty() {
            writeln!(self.out, "{}", "Review next:".bold())?;
            for reference in review {
                writeln!(self.out, "  - {reference}")?;
            }
            let folder = attempt.folder.clone().unwrap_or_else(|| PathBuf::from("exercises"));
            for code in failing {
                writeln!(
                    self.out,
                    "  - exercise {0}: `attn-quiz hint {0}`, `attn-quiz check {1}`; `attn-quiz solution {0}` shows \
                     the reference",
                    code.exercise,
                    folder.join(format!("{}.rs", code.exercise)).display()
                )?;
            }
            if let Some((topic, ..)) = weak.first() {
                writeln!(self.out, "  - `attn-quiz run --topic {}`", topic.id)?;
            }
        }
        if !self.topics.is_empty() {
            writeln!(
                self.out,
                "{}",
                format!("The quiz's Leitner boxes were updated from your answers ({}).", self.progress_path.display())
                    .dimmed()
            )?;
        }
        Ok(())
    }

    // ---- helpers ----

    fn part_header(&mut self, number: usize, name: &str, how: &str) -> std::io::Result<()> {
        writeln!(self.out, "\n{}", format!("━━ Part {number} of 3 · {name} ━━").bold())?;
        writeln!(self.out, "{}", how.dimmed())
    }

    /// Counts an answer for the weakest topics.
    fn tally(&mut self, q: &Question, right: bool) {
        match self.topics.iter_mut().find(|(t, ..)| *t == q.topic) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += usize::from(right);
            }
            None => self.topics.push((q.topic, 1, usize::from(right))),
        }
    }

    fn missed(&mut self, q: &Question) {
        if !self.missed.contains(&q.reference) {
            self.missed.push(q.reference.clone());
        }
    }

    /// Records an answer in the scores and the Leitner boxes, and saves them.
    fn record(&mut self, q: &Question, outcome: Outcome) -> anyhow::Result<()> {
        self.tally(q, outcome != Outcome::Wrong);
        if outcome == Outcome::Wrong {
            self.missed(q);
        }
        self.progress.record(&q.id, outcome, self.now);
        progress::save(&self.progress_path, &self.progress)?;
        Ok(())
    }

    /// The next line, with the time left in the prompt; `q`, the end of the
    /// input and the end of the time stop the test.
    fn read_answer(&mut self) -> anyhow::Result<String> {
        match self.read()? {
            Read::Line(line) if line.eq_ignore_ascii_case("q") || line.eq_ignore_ascii_case("quit") => {
                Err(StopError(Stop(MockEnding::Quit)).into())
            }
            Read::Line(line) => Ok(line),
            Read::TimeUp => Err(StopError(Stop(MockEnding::TimeUp)).into()),
            Read::Ended => Err(StopError(Stop(MockEnding::InputEnded)).into()),
        }
    }

    fn read(&mut self) -> std::io::Result<Read> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            writeln!(self.out)?;
            return Ok(Read::TimeUp);
        }
        write!(self.out, "{} ", format!("[{} left] >", clock(left)).bold())?;
        self.out.flush()?;
        match self.lines.recv_timeout(left) {
            Ok(line) if Instant::now() <= self.deadline => Ok(Read::Line(line)),
            Ok(_) | Err(RecvTimeoutError::Timeout) => {
                writeln!(self.out)?;
                Ok(Read::TimeUp)
            }
            Err(RecvTimeoutError::Disconnected) => {
                writeln!(self.out)?;
                Ok(Read::Ended)
            }
        }
    }
}

/// The test stopped before its end.
#[derive(Debug, thiserror::Error)]
#[error("the mock test stopped: {}", (.0).0.label())]
struct StopError(Stop);

/// The topic's place in the topic list.
fn rank(topic: &Topic) -> usize {
    TOPICS.iter().position(|t| t == topic).unwrap_or(usize::MAX)
}

/// `mm:ss`, or `h:mm:ss` from an hour; rounded up, so "0:01" is shown until the end.
fn clock(duration: Duration) -> String {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

/// A new folder `dir/attempt-N`, N the first number whose folder does not exist yet.
fn fresh_folder(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for n in 1.. {
        let folder = dir.join(format!("attempt-{n}"));
        match std::fs::create_dir(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("creating {}", folder.display())),
        }
    }
    unreachable!("some attempt number is free")
}

/// Writes `contents` to `file`, which must not exist yet.
fn write_new(file: &Path, contents: &str) -> anyhow::Result<()> {
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| format!("creating {} (it must not exist yet)", file.display()))?;
    handle.write_all(contents.as_bytes()).with_context(|| format!("writing {}", file.display()))
}

/// `attn-quiz mock --history`.
fn print_history(history: &History) {
    if history.attempts.is_empty() {
        println!("No mock test taken yet. `attn-quiz mock` starts one (45 minutes; --minutes N to change).");
        return;
    }
    println!("{}", "  #  date (UTC)         ending       time    choice  short  code   overall".bold());
    for (i, a) in history.attempts.iter().enumerate() {
        println!(
            "{:>3}  {}  {:<11}  {:>6}  {:>5.0}%  {:>4.0}%  {}/{}    {:>5.0}%   seed {}",
            i + 1,
            date(a.started),
            a.ending.label(),
            clock(Duration::from_secs(a.seconds_used)),
            a.choice_percent(),
            a.short_percent(),
            a.code_passed(),
            a.code.len(),
            a.overall_percent(),
            a.seed
        );
    }
    if let [.., before, last] = history.attempts.as_slice() {
        let change = last.overall_percent() - before.overall_percent();
        println!("Last attempt: {change:+.0} points against the one before.");
    }
}

/// `2026-12-01 17:05` from Unix seconds (UTC).
fn date(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let (hour, minute) = (unix / 3600 % 24, unix / 60 % 60);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}")
}
