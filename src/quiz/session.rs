//! The conversation: ask, read a line, judge, explain, record, save.
//!
//! Input is read line by line, so a session can be typed at a terminal or
//! piped in from a file or a test. At any question the learner may type `h`
//! (hint), `s` (skip) or `q` (quit); an answer that cannot be read is asked
//! again with the accepted formats; the end of the input ends the session like
//! `q`. Progress is saved after every answer, so nothing answered is lost,
//! however the session ends.

use super::asked::{Asked, Verdict, wrap, wrap_after};
use super::parse;
use super::plan::{Item, Planned, Reason};
use super::pointer;
use super::progress::{Outcome, Progress};
use super::question::{Kind, Question};
use super::summary::{Ending, Tally};
use colored::Colorize;
use rand::rngs::StdRng;
use std::io::{BufRead, Write};

/// What the learner did with one question.
enum Turn {
    /// Answered it.
    Answered(Outcome),
    /// Typed `s`.
    Skipped,
    /// Typed `q`, or the input ended.
    Stopped(Ending),
}

/// A command typed instead of an answer.
enum Command {
    Hint,
    Skip,
    Quit,
}

/// The command `line` is, if any.
fn command(line: &str) -> Option<Command> {
    match line.trim().to_ascii_lowercase().as_str() {
        "h" | "hint" => Some(Command::Hint),
        "s" | "skip" => Some(Command::Skip),
        "q" | "quit" => Some(Command::Quit),
        _ => None,
    }
}

/// A running session: where it reads and writes, the progress it updates, and
/// how that progress is saved.
pub struct Session<R, W, S> {
    input: R,
    out: W,
    progress: Progress,
    save: S,
    now: u64,
}

impl<R, W, S> Session<R, W, S>
where
    R: BufRead,
    W: Write,
    S: FnMut(&Progress) -> anyhow::Result<()>,
{
    /// A session reading `input`, writing `out`, recording into `progress` at
    /// time `now` and calling `save` after every answer.
    pub fn new(input: R, out: W, progress: Progress, save: S, now: u64) -> Self {
        Session { input, out, progress, save, now }
    }

    /// Asks the planned questions in order and returns what happened, after
    /// printing the summary. Sizes of generated questions and the order of
    /// shuffled steps are drawn from `rng` as each question comes up.
    pub fn run(mut self, plan: &[Planned], rng: &mut StdRng, seed: u64) -> anyhow::Result<Tally> {
        self.welcome(plan, seed)?;
        let mut tally = Tally::default();
        for (index, planned) in plan.iter().enumerate() {
            let asked = Asked::new(instantiate(planned.item, rng)?, rng);
            self.show(&asked, index, plan.len(), planned.reason)?;
            match self.ask(&asked)? {
                Turn::Answered(outcome) => {
                    self.feedback(&asked, outcome)?;
                    self.progress.record(&asked.question.id, outcome, self.now);
                    (self.save)(&self.progress)?;
                    tally.answered(&asked.question, outcome);
                }
                Turn::Skipped => {
                    writeln!(self.out, "{}", "Skipped.".dimmed())?;
                    tally.skipped();
                }
                Turn::Stopped(ending) => {
                    tally.ending = ending;
                    break;
                }
            }
        }
        tally.write_summary(&mut self.out, &self.progress, self.now)?;
        Ok(tally)
    }

    /// The session's first lines.
    fn welcome(&mut self, plan: &[Planned], seed: u64) -> std::io::Result<()> {
        let count = |reason| plan.iter().filter(|p| p.reason == reason).count();
        let parts: Vec<String> = [Reason::Due, Reason::New, Reason::Generated, Reason::Early]
            .into_iter()
            .filter(|&reason| count(reason) > 0)
            .map(|reason| format!("{} {}", count(reason), reason.label()))
            .collect();
        let noun = if plan.len() == 1 { "question" } else { "questions" };
        writeln!(self.out, "{} {} {noun} ({}), seed {seed}", "attn-quiz:".bold(), plan.len(), parts.join(", "))?;
        writeln!(
            self.out,
            "{}",
            "Type your answer and press Enter. h = hint, s = skip, q = quit; progress is saved after every answer."
                .dimmed()
        )
    }

    /// Prints a question: header, body, accepted formats.
    fn show(&mut self, asked: &Asked, index: usize, total: usize, reason: Reason) -> std::io::Result<()> {
        let q = &asked.question;
        let header = format!("Question {} of {total} · {} · {}", index + 1, q.topic.title, reason.label());
        writeln!(self.out, "\n{}  {}", header.cyan().bold(), q.id.dimmed())?;
        writeln!(self.out, "{}", asked.body())?;
        writeln!(self.out, "{}", asked.formats().dimmed())
    }

    /// Reads lines until an answer, a skip, a quit or the end of the input.
    fn ask(&mut self, asked: &Asked) -> anyhow::Result<Turn> {
        let mut hinted = false;
        loop {
            let Some(line) = self.read_line()? else { return Ok(Turn::Stopped(Ending::InputEnded)) };
            match command(&line) {
                Some(Command::Hint) => {
                    writeln!(self.out, "{}{}", "Hint:".yellow().bold(), wrap_after("Hint:", &asked.question.hint))?;
                    hinted = true;
                    continue;
                }
                Some(Command::Skip) => return Ok(Turn::Skipped),
                Some(Command::Quit) => return Ok(Turn::Stopped(Ending::Quit)),
                None => {}
            }
            let outcome = |right: bool| match (right, hinted) {
                (true, false) => Outcome::Right,
                (true, true) => Outcome::RightWithHint,
                (false, _) => Outcome::Wrong,
            };
            match asked.judge(&line) {
                Some(Verdict::Right) => return Ok(Turn::Answered(outcome(true))),
                Some(Verdict::Wrong) => return Ok(Turn::Answered(outcome(false))),
                Some(Verdict::SelfGraded) => return self.self_grade(&asked.question, outcome),
                None => {
                    let message = format!("Could not read {:?} as an answer.", line.trim());
                    writeln!(self.out, "{} {} (h = hint, s = skip, q = quit)", message.yellow(), asked.formats())?;
                }
            }
        }
    }

    /// Shows the model answer of a short-answer question and asks whether the
    /// learner's answer made its points.
    fn self_grade(&mut self, question: &Question, outcome: impl Fn(bool) -> Outcome) -> anyhow::Result<Turn> {
        if let Kind::ShortAnswer { model_answer, key_points } = &question.kind {
            writeln!(self.out, "{}{}", "Model answer:".bold(), wrap_after("Model answer:", model_answer))?;
            writeln!(self.out, "{}", "Key points:".bold())?;
            for point in key_points {
                writeln!(self.out, "  - {point}")?;
            }
        }
        writeln!(self.out, "Did your answer make these points? (y/n)")?;
        loop {
            let Some(line) = self.read_line()? else { return Ok(Turn::Stopped(Ending::InputEnded)) };
            match (command(&line), parse::yes_no(&line)) {
                (Some(Command::Quit), _) => return Ok(Turn::Stopped(Ending::Quit)),
                (Some(Command::Skip), _) => return Ok(Turn::Skipped),
                (_, Some(made_them)) => return Ok(Turn::Answered(outcome(made_them))),
                (_, None) => writeln!(self.out, "{}", "Please answer y or n.".yellow())?,
            }
        }
    }

    /// Right or wrong, the right answer if it was missed, the explanation and where to read more.
    fn feedback(&mut self, asked: &Asked, outcome: Outcome) -> std::io::Result<()> {
        let q = &asked.question;
        match outcome {
            Outcome::Right => writeln!(self.out, "{}", "✓ Right.".green().bold())?,
            Outcome::RightWithHint => writeln!(self.out, "{}", "✓ Right, with the hint.".green().bold())?,
            Outcome::Wrong if matches!(q.kind, Kind::ShortAnswer { .. }) => {
                writeln!(self.out, "{}", "✗ Not yet: this one comes back soon.".red().bold())?
            }
            Outcome::Wrong => writeln!(self.out, "{} {}", "✗ Wrong. The answer:".red().bold(), asked.right_answer())?,
        }
        writeln!(self.out, "{}", wrap(q.explanation.trim_end()))?;
        writeln!(self.out, "{} {}", "Read:".bold(), reference_with_file(&q.reference))
    }

    /// Prints the prompt marker and reads one line; `None` at the end of the input.
    fn read_line(&mut self) -> std::io::Result<Option<String>> {
        write!(self.out, "{} ", ">".bold())?;
        self.out.flush()?;
        let mut bytes = Vec::new();
        if self.input.read_until(b'\n', &mut bytes)? == 0 {
            writeln!(self.out)?;
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&bytes).trim().to_string()))
    }
}

/// The question an item stands for: the written question, or a fresh one from the generator.
fn instantiate(item: Item, rng: &mut StdRng) -> anyhow::Result<Question> {
    match item {
        Item::Written(question) => Ok(question.clone()),
        Item::Generated(generator) => generator
            .generate(rng)
            .map(|generated| generated.question)
            .map_err(|e| anyhow::anyhow!("generator {} failed (a bug): {e}", generator.id)),
    }
}

/// `reference::gqa::grouped_query_attention (src/reference/gqa.rs)`.
pub fn reference_with_file(reference: &str) -> String {
    match pointer::resolve(reference) {
        Ok(resolved) => format!("{reference} ({})", resolved.file),
        Err(_) => reference.to_string(),
    }
}
