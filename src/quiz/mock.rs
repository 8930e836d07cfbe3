//! The mock written test behind `attn-quiz mock`: what it asks, how it is
//! scored, and the history of past attempts.
//!
//! A mock has three parts, as the written test it prepares for:
//! 1. **choice**: five questions, single choice and multiple select from the
//!    bank, a generated shape question and another generated question;
//! 2. **short answer**: two written questions; after each, the model answer and
//!    its key points are shown and the learner marks each point covered;
//! 3. **code**: `sdpa`, then one of the [`HARDER`] exercises, written into a
//!    fresh folder and judged by `check`.
//!
//! Each part is scored out of 100: the share of right choice answers, the share
//! of key points covered, the share of exercises passed. The overall score is
//! the mean of the three. A question or exercise not reached before the time
//! ran out counts as 0.
//!
//! The history is one JSON file, `mock-history.json`, in the state directory
//! (see [`store`]), written once per attempt when it ends.

use super::asked::Asked;
use super::bank::Bank;
use super::generators::{GENERATORS, GeneratorError};
use super::plan::Item;
use super::question::{Kind, KindName, Question};
use crate::store::{self, Loaded, StoreError};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The history file's name inside the state directory.
pub const HISTORY_FILE: &str = "mock-history.json";

/// Questions in the choice part.
pub const CHOICE_QUESTIONS: usize = 5;

/// Questions in the short-answer part.
pub const SHORT_QUESTIONS: usize = 2;

/// The first exercise of the code part.
pub const FIRST_EXERCISE: &str = "sdpa";

/// The exercises the second code question is drawn from: those that build on sdpa.
pub const HARDER: &[&str] =
    &["mha", "self_attention", "cross_attention", "gated", "gqa", "additive", "rope", "sinks", "kv_cache"];

/// Minutes of a mock unless `--minutes` says otherwise.
pub const DEFAULT_MINUTES: f64 = 45.0;

/// What a mock asks.
#[derive(Debug, Clone)]
pub struct Paper<'b> {
    /// The choice part, in the order asked.
    pub choice: Vec<Item<'b>>,
    /// The short-answer part.
    pub short: Vec<Item<'b>>,
    /// The exercises of the code part, in order.
    pub code: Vec<&'static str>,
}

/// Draws a paper from `bank`: two single-choice and one multiple-select
/// question, a shape generator and one more generator, shuffled; two short
/// answers; sdpa and one harder exercise. A kind the bank lacks is replaced by
/// whatever choice questions it has, so a small bank still gives a paper.
pub fn draw<'b>(bank: &'b Bank, rng: &mut StdRng) -> Paper<'b> {
    let of_kind = |kind: KindName| -> Vec<Item<'b>> {
        bank.questions().iter().filter(|q| q.kind.name() == kind).map(Item::Written).collect()
    };
    let mut singles = of_kind(KindName::SingleChoice);
    let mut multiples = of_kind(KindName::MultipleSelect);
    singles.shuffle(rng);
    multiples.shuffle(rng);
    let shapes: Vec<Item<'b>> = GENERATORS.iter().filter(|g| g.answers_with_shape()).map(Item::Generated).collect();
    let mut others: Vec<Item<'b>> =
        GENERATORS.iter().filter(|g| !g.answers_with_shape()).map(Item::Generated).collect();
    others.shuffle(rng);
    let mut choice: Vec<Item<'b>> = Vec::new();
    choice.extend(singles.drain(..2.min(singles.len())));
    choice.extend(multiples.drain(..1.min(multiples.len())));
    choice.extend(shapes.choose(rng).copied());
    choice.extend(others.drain(..1.min(others.len())));
    let mut spare: Vec<Item<'b>> = singles.into_iter().chain(multiples).chain(others).collect();
    while choice.len() < CHOICE_QUESTIONS && !spare.is_empty() {
        choice.push(spare.remove(0));
    }
    choice.shuffle(rng);
    let mut short = of_kind(KindName::ShortAnswer);
    short.shuffle(rng);
    short.truncate(SHORT_QUESTIONS);
    let second = HARDER.choose(rng).copied().unwrap_or("mha");
    Paper { choice, short, code: vec![FIRST_EXERCISE, second] }
}

/// A paper ready to be sat: every question instantiated (generated sizes
/// drawn, options shuffled) up front, so the seed alone fixes all of it.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The choice part, as it will be shown.
    pub choice: Vec<Asked>,
    /// The short-answer part.
    pub short: Vec<Question>,
    /// The exercises of the code part, in order.
    pub code: Vec<&'static str>,
    /// The seed of the code part's checks.
    pub check_seed: u64,
}

impl Prepared {
    /// The key points of the short-answer part, in all.
    pub fn points_total(&self) -> usize {
        self.short
            .iter()
            .map(|q| match &q.kind {
                Kind::ShortAnswer { key_points, .. } => key_points.len(),
                _ => 0,
            })
            .sum()
    }
}

/// The paper of seed `seed` over `bank`, fully instantiated.
///
/// # Errors
/// Only if a generator cannot measure its answer, which would be a bug.
pub fn prepare(bank: &Bank, seed: u64) -> Result<Prepared, GeneratorError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let paper = draw(bank, &mut rng);
    let mut choice = Vec::new();
    for item in &paper.choice {
        let question = instantiate(*item, &mut rng)?;
        choice.push(Asked::new(question, &mut rng));
    }
    let short = paper.short.iter().map(|item| instantiate(*item, &mut rng)).collect::<Result<_, _>>()?;
    Ok(Prepared { choice, short, code: paper.code, check_seed: rng.random_range(0..1_000_000) })
}

/// The question an item stands for: the written question, or a fresh one from the generator.
fn instantiate(item: Item, rng: &mut StdRng) -> Result<Question, GeneratorError> {
    match item {
        Item::Written(question) => Ok(question.clone()),
        Item::Generated(generator) => generator.generate(rng).map(|generated| generated.question),
    }
}

/// How a mock ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MockEnding {
    /// Every part was finished.
    Completed,
    /// The time ran out.
    TimeUp,
    /// The learner typed `q`.
    Quit,
    /// The input ended.
    InputEnded,
}

impl MockEnding {
    /// In words, for the score sheet and the history.
    pub fn label(self) -> &'static str {
        match self {
            MockEnding::Completed => "completed",
            MockEnding::TimeUp => "time up",
            MockEnding::Quit => "stopped",
            MockEnding::InputEnded => "input ended",
        }
    }
}

/// The result of one exercise of the code part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeResult {
    /// `check` passed it.
    Passed,
    /// Checked, and not passing (failing, not compiling, still a template, ...).
    Failing,
    /// Skipped without a check.
    Skipped,
    /// Not handed in: not reached, or the test ended while it was open.
    NotReached,
}

/// One exercise of the code part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeScore {
    /// The exercise.
    pub exercise: String,
    /// How it went.
    pub result: CodeResult,
    /// How many times it was checked.
    pub checks: u32,
}

/// One past attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// When it started (Unix seconds).
    pub started: u64,
    /// Its seed.
    pub seed: u64,
    /// The time allowed, in minutes.
    pub minutes: f64,
    /// The time taken, in seconds.
    pub seconds_used: u64,
    /// How it ended.
    pub ending: MockEnding,
    /// Choice questions answered right, out of [`CHOICE_QUESTIONS`] asked.
    pub choice_right: usize,
    /// Choice questions on the paper.
    pub choice_total: usize,
    /// Key points covered in the short answers.
    pub points_covered: usize,
    /// Key points of the short answers on the paper.
    pub points_total: usize,
    /// The exercises of the code part.
    pub code: Vec<CodeScore>,
    /// The folder the code part was written in, if it was reached.
    pub folder: Option<PathBuf>,
}

/// A share as a percentage (0 when there is nothing to share).
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

impl Attempt {
    /// The choice part out of 100.
    pub fn choice_percent(&self) -> f64 {
        percent(self.choice_right, self.choice_total)
    }

    /// The short-answer part out of 100.
    pub fn short_percent(&self) -> f64 {
        percent(self.points_covered, self.points_total)
    }

    /// Exercises passed.
    pub fn code_passed(&self) -> usize {
        self.code.iter().filter(|c| c.result == CodeResult::Passed).count()
    }

    /// The code part out of 100.
    pub fn code_percent(&self) -> f64 {
        percent(self.code_passed(), self.code.len())
    }

    /// The overall score: the mean of the three parts.
    pub fn overall_percent(&self) -> f64 {
        (self.choice_percent() + self.short_percent() + self.code_percent()) / 3.0
    }
}

/// Every past attempt, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The attempts.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

/// The history file in `state_dir` (see [`store::state_dir`] for the fallbacks).
pub fn history_path(state_dir: Option<&Path>) -> Result<PathBuf, StoreError> {
    Ok(store::state_dir(state_dir)?.join(HISTORY_FILE))
}

/// Loads the history: empty if missing; a damaged file is set aside with a warning.
pub fn load_history(path: &Path) -> Result<Loaded<History>, StoreError> {
    store::load_json(path)
}

/// Saves the history atomically.
pub fn save_history(path: &Path, history: &History) -> Result<(), StoreError> {
    store::save_json(path, history)
}
