//! The end of a session: the score per topic and what to review next.

use super::progress::{Outcome, Progress};
use super::question::Question;
use super::session::reference_with_file;
use super::topic::{TOPICS, Topic};
use colored::Colorize;
use std::io::Write;

/// How a session ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ending {
    /// Every planned question came up.
    #[default]
    Completed,
    /// The learner typed `q`.
    Quit,
    /// The input ended (Ctrl-D, or the end of a piped file).
    InputEnded,
}

/// The score of one topic in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicScore {
    /// The topic.
    pub topic: &'static Topic,
    /// Questions answered.
    pub answered: usize,
    /// Of those, answered right (with or without the hint).
    pub right: usize,
}

/// What happened in a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Scores of the topics that came up, in topic order.
    pub topics: Vec<TopicScore>,
    /// Questions skipped.
    pub skipped: usize,
    /// Questions answered wrong: (id, reference pointer).
    pub missed: Vec<(String, String)>,
    /// How the session ended.
    pub ending: Ending,
}

impl Tally {
    /// Counts an answer.
    pub fn answered(&mut self, question: &Question, outcome: Outcome) {
        let score = self.score_of(question.topic);
        score.answered += 1;
        if outcome == Outcome::Wrong {
            self.missed.push((question.id.clone(), question.reference.clone()));
        } else {
            score.right += 1;
        }
    }

    /// Counts a skip.
    pub fn skipped(&mut self) {
        self.skipped += 1;
    }

    /// Answers in total.
    pub fn total_answered(&self) -> usize {
        self.topics.iter().map(|t| t.answered).sum()
    }

    /// Right answers in total.
    pub fn total_right(&self) -> usize {
        self.topics.iter().map(|t| t.right).sum()
    }

    /// The score line of `topic`, created in topic order if new.
    fn score_of(&mut self, topic: &'static Topic) -> &mut TopicScore {
        let position = match self.topics.iter().position(|s| s.topic == topic) {
            Some(position) => position,
            None => {
                let rank = |t: &Topic| TOPICS.iter().position(|known| known == t);
                let at = self.topics.iter().position(|s| rank(s.topic) > rank(topic)).unwrap_or(self.topics.len());
                self.topics.insert(at, TopicScore { topic, answered: 0, right: 0 });
                at
            }
        };
        &mut self.topics[position]
    }

    /// The topic with the lowest share of right answers, if any answer was wrong.
    fn weakest(&self) -> Option<&TopicScore> {
        let share = |s: &TopicScore| s.right as f64 / s.answered as f64;
        self.topics.iter().filter(|s| s.right < s.answered).min_by(|a, b| share(a).total_cmp(&share(b)))
    }

    /// Prints the score per topic and what to review next.
    pub fn write_summary(&self, out: &mut impl Write, progress: &Progress, now: u64) -> std::io::Result<()> {
        let how = match self.ending {
            Ending::Completed => "Session complete.",
            Ending::Quit => "Session stopped.",
            Ending::InputEnded => "End of input: session stopped.",
        };
        writeln!(out, "\n{}", how.bold())?;
        let skipped = if self.skipped > 0 { format!(" ({} skipped)", self.skipped) } else { String::new() };
        match self.total_answered() {
            0 => writeln!(out, "No question answered{skipped}.")?,
            answered => writeln!(out, "Score: {} of {answered} right{skipped}.", self.total_right())?,
        }
        for score in &self.topics {
            let line = format!("  {:<30} {}/{}", score.topic.title, score.right, score.answered);
            let line = if score.right == score.answered { line.green() } else { line.yellow() };
            writeln!(out, "{line}")?;
        }
        self.write_review(out, progress, now)
    }

    /// What to read and what to run next.
    fn write_review(&self, out: &mut impl Write, progress: &Progress, now: u64) -> std::io::Result<()> {
        if self.total_answered() == 0 {
            return Ok(()); // "No question answered" says it all: nothing was missed or learnt
        }
        if self.missed.is_empty() {
            let due = progress.questions.values().filter(|r| r.is_due(now)).count();
            return match due {
                0 => writeln!(out, "Nothing missed. `attn-quiz stats` shows your mastery per topic."),
                1 => writeln!(out, "Nothing missed; 1 question is due for review: `attn-quiz run --review`."),
                _ => writeln!(out, "Nothing missed; {due} questions are due for review: `attn-quiz run --review`."),
            };
        }
        writeln!(out, "{}", "Review next:".bold())?;
        let mut references: Vec<&str> = Vec::new(); // each once, in the order they were missed
        for (_, reference) in &self.missed {
            if !references.contains(&reference.as_str()) {
                references.push(reference);
            }
        }
        for reference in references {
            let ids: Vec<&str> =
                self.missed.iter().filter(|(_, r)| r == reference).map(|(id, _)| id.as_str()).collect();
            writeln!(out, "  - {} {}", reference_with_file(reference), format!("missed: {}", ids.join(", ")).dimmed())?;
        }
        if let Some(weakest) = self.weakest() {
            writeln!(out, "Weakest topic: {} (`attn-quiz run --topic {}`).", weakest.topic.title, weakest.topic.id)?;
        }
        writeln!(out, "Missed questions are due again at once: `attn-quiz run --review` asks them.")
    }
}
