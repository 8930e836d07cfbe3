//! Progress across sessions, scheduled with Leitner boxes.
//!
//! Every question (and every generator, whose questions change each time but
//! teach the same thing) sits in one of five boxes. Each box has a waiting
//! time before the question is due again:
//!
//! | box | due again after |
//! |---|---|
//! | 1 | at once (the next session) |
//! | 2 | 1 day |
//! | 3 | 3 days |
//! | 4 | 7 days |
//! | 5 | 21 days |
//!
//! A right answer moves the question up one box (a new question lands in box
//! 2); a right answer after a hint keeps it in its box; a wrong answer sends it
//! back to box 1. Skipping changes nothing. A question in box 4 or 5 counts as
//! mastered: it was answered right at least three times in a row, days apart.
//!
//! The state is one JSON file, `quiz-progress.json`, in the state directory
//! (see [`store`]); it is written after every answer.

use crate::store::{self, Loaded, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The state file's name inside the state directory.
pub const STATE_FILE: &str = "quiz-progress.json";

/// Seconds in a day.
const DAY: u64 = 24 * 60 * 60;

/// How long a question waits in each box (index 0 is box 1), in days.
pub const BOX_WAIT_DAYS: [u64; 5] = [0, 1, 3, 7, 21];

/// The first box that counts as mastered.
pub const MASTERED_BOX: u8 = 4;

/// How an answered question went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Right without a hint.
    Right,
    /// Right after asking for the hint.
    RightWithHint,
    /// Wrong.
    Wrong,
}

/// The record of one question (or generator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The Leitner box, 1 to 5.
    #[serde(rename = "box")]
    pub leitner_box: u8,
    /// When it is due again (Unix seconds).
    pub due: u64,
    /// How many times it was answered.
    pub answered: u32,
    /// How many of those answers were right.
    pub right: u32,
    /// When it was last answered (Unix seconds).
    pub last_answered: u64,
}

impl Record {
    /// Whether it is due at time `now`.
    pub fn is_due(&self, now: u64) -> bool {
        self.due <= now
    }

    /// Whether it counts as mastered.
    pub fn is_mastered(&self) -> bool {
        self.leitner_box >= MASTERED_BOX
    }
}

/// Every question's record, by question id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Records by question id (`"masks.causal-polarity"`, `"gen.kv-cache-bytes"`).
    #[serde(default)]
    pub questions: BTreeMap<String, Record>,
}

impl Progress {
    /// The record of `id`, if it was ever answered.
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.questions.get(id)
    }

    /// Records an answer to `id` at time `now` and reschedules it.
    pub fn record(&mut self, id: &str, outcome: Outcome, now: u64) {
        let record = self.questions.entry(id.to_string()).or_insert(Record {
            leitner_box: 1,
            due: now,
            answered: 0,
            right: 0,
            last_answered: now,
        });
        let current = record.leitner_box.clamp(1, 5);
        record.leitner_box = match outcome {
            Outcome::Right => (current + 1).min(5),
            Outcome::RightWithHint => current,
            Outcome::Wrong => 1,
        };
        record.due = now + BOX_WAIT_DAYS[usize::from(record.leitner_box - 1)] * DAY;
        record.answered += 1;
        record.right += u32::from(outcome != Outcome::Wrong);
        record.last_answered = now;
    }
}

/// The progress file in `state_dir` (see [`store::state_dir`] for the fallbacks).
pub fn path(state_dir: Option<&Path>) -> Result<PathBuf, StoreError> {
    Ok(store::state_dir(state_dir)?.join(STATE_FILE))
}

/// Loads the progress at `path`: empty if missing; a damaged file is set aside with a warning.
pub fn load(path: &Path) -> Result<Loaded<Progress>, StoreError> {
    store::load_json(path)
}

/// Saves the progress to `path` atomically.
pub fn save(path: &Path, progress: &Progress) -> Result<(), StoreError> {
    store::save_json(path, progress)
}

/// The current time in Unix seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
