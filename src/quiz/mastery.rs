//! Mastery per topic, for `attn-quiz stats`.

use super::bank::Bank;
use super::plan::items;
use super::progress::Progress;
use super::topic::{TOPICS, Topic};
use colored::Colorize;
use std::io::Write;

/// Where a learner stands on a set of questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Written questions and generators.
    pub items: usize,
    /// Of those, answered at least once.
    pub seen: usize,
    /// Of those, mastered (Leitner box 4 or 5).
    pub mastered: usize,
    /// Of those, due now.
    pub due: usize,
    /// Answers given, all time.
    pub answers: u32,
    /// Right answers, all time.
    pub right: u32,
}

impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            items: self.items + other.items,
            seen: self.seen + other.seen,
            mastered: self.mastered + other.mastered,
            due: self.due + other.due,
            answers: self.answers + other.answers,
            right: self.right + other.right,
        }
    }
}

/// Mastery of every topic at time `now`, in topic order.
pub fn per_topic(bank: &Bank, progress: &Progress, now: u64) -> Vec<(&'static Topic, Counts)> {
    TOPICS
        .iter()
        .map(|topic| {
            let items = items(bank, &[topic]);
            let records: Vec<_> = items.iter().filter_map(|item| progress.get(item.id())).collect();
            let counts = Counts {
                items: items.len(),
                seen: records.len(),
                mastered: records.iter().filter(|r| r.is_mastered()).count(),
                due: records.iter().filter(|r| r.is_due(now)).count(),
                answers: records.iter().map(|r| r.answered).sum(),
                right: records.iter().map(|r| r.right).sum(),
            };
            (topic, counts)
        })
        .collect()
}

/// Prints the mastery table, with a total line.
pub fn write_table(out: &mut impl Write, rows: &[(&'static Topic, Counts)]) -> std::io::Result<()> {
    writeln!(out, "{}", columns(["topic", "questions", "seen", "mastered", "due", "accuracy"]).bold())?;
    for (topic, counts) in rows {
        let line = row_text(topic.title, counts);
        let complete = counts.items > 0 && counts.mastered == counts.items;
        writeln!(out, "{}", if complete { line.green() } else { line.normal() })?;
    }
    let total = rows.iter().fold(Counts::default(), |sum, (_, counts)| sum + *counts);
    writeln!(out, "{}", row_text("all topics", &total).bold())
}

/// One line of the table, labelled `label`.
fn row_text(label: &str, counts: &Counts) -> String {
    let [items, seen, mastered, due] = [counts.items, counts.seen, counts.mastered, counts.due].map(|n| n.to_string());
    columns([label, &items, &seen, &mastered, &due, &accuracy(counts.right, counts.answers)])
}

/// Six cells, aligned under the header.
fn columns(cells: [&str; 6]) -> String {
    let [topic, items, seen, mastered, due, accuracy] = cells;
    format!("{topic:<30} {items:>9} {seen:>6} {mastered:>9} {due:>5} {accuracy:>9}")
}

/// "83%", or "-" without answers.
fn accuracy(right: u32, answers: u32) -> String {
    if answers == 0 { "-".into() } else { format!("{}%", (f64::from(right) * 100.0 / f64::from(answers)).round()) }
}
