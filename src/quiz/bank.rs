//! The bank of written questions: one TOML file per topic, embedded in the
//! binary, parsed and checked when the quiz starts.
//!
//! The format (one `[[questions]]` table per question):
//!
//! ```toml
//! [[questions]]
//! id = "shapes.classic-output"      # "<topic>.<slug>", unique
//! topic = "shapes"                  # the file's topic
//! kind = "single_choice"            # single_choice | multiple_select | numeric | shape
//!                                   # | short_answer | spot_the_bug | order_steps
//! prompt = "..."
//! hint = "..."
//! explanation = "..."
//! reference = "reference::sdpa::scaled_dot_product_attention"
//! choices = ["...", "..."]          # single_choice, multiple_select (2 to 7 options)
//! correct = [1]                     # 0-based; exactly one for single_choice
//! answer = 1.5                      # numeric
//! tolerance = 0.01                  # numeric, absolute, optional (default 0)
//! shape = [2, 8, 5, 5]              # shape
//! model_answer = "..."              # short_answer
//! key_points = ["...", "..."]       # short_answer
//! listing = '''...'''               # spot_the_bug, numbered from 1 on screen
//! bug_line = 7                      # spot_the_bug
//! steps = ["...", "..."]            # order_steps, in the right order
//! ```
//!
//! Everything is checked before the first question is asked: unknown or
//! misplaced fields, a missing answer, indexes out of range, a bug line outside
//! the listing, duplicate ids, and reference pointers that do not
//! [resolve](super::pointer::resolve). Every problem is reported, not just the
//! first.

use super::pointer;
use super::question::{Kind, KindName, MAX_CHOICES, MAX_STEPS, Question, listing_lines};
use super::topic::{self, TOPICS, Topic};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// The built-in question files: (topic id, file content). The one list of them.
const BUILT_IN: [(&str, &str); 16] = [
    ("shapes", include_str!("bank/shapes.toml")),
    ("scaling_softmax", include_str!("bank/scaling_softmax.toml")),
    ("masks", include_str!("bank/masks.toml")),
    ("multi_head", include_str!("bank/multi_head.toml")),
    ("self_cross", include_str!("bank/self_cross.toml")),
    ("gated", include_str!("bank/gated.toml")),
    ("gqa_kv_cache", include_str!("bank/gqa_kv_cache.toml")),
    ("additive_luong", include_str!("bank/additive_luong.toml")),
    ("complexity", include_str!("bank/complexity.toml")),
    ("transformer", include_str!("bank/transformer.toml")),
    ("positions_rope", include_str!("bank/positions_rope.toml")),
    ("kv_cache_serving", include_str!("bank/kv_cache_serving.toml")),
    ("windows_sinks", include_str!("bank/windows_sinks.toml")),
    ("flash_attention", include_str!("bank/flash_attention.toml")),
    ("position_schemes", include_str!("bank/position_schemes.toml")),
    ("modern_architectures", include_str!("bank/modern_architectures.toml")),
];

/// Every problem found in the question files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the question bank has {} problem(s):\n  {}", .problems.len(), .problems.join("\n  "))]
pub struct BankError {
    /// One line per problem, each naming its file and question.
    pub problems: Vec<String>,
}

/// One question file to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The topic it holds (the file's name without `.toml`).
    pub topic: String,
    /// Where it comes from, for messages (a path).
    pub origin: String,
    /// Its content.
    pub text: String,
}

/// The checked questions of every topic, in topic order, then file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bank {
    questions: Vec<Question>,
}

impl Bank {
    /// The built-in bank, or the bank in `dir` (`<topic>.toml` files) if given.
    pub fn open(dir: Option<&Path>) -> Result<Bank, BankError> {
        match dir {
            Some(dir) => Bank::from_dir(dir),
            None => Bank::built_in(),
        }
    }

    /// The bank embedded in the binary.
    pub fn built_in() -> Result<Bank, BankError> {
        let sources = BUILT_IN.map(|(topic, text)| Source {
            topic: topic.into(),
            origin: format!("src/quiz/bank/{topic}.toml"),
            text: text.into(),
        });
        Bank::from_sources(&sources)
    }

    /// The bank in `dir`: `<topic>.toml` for each topic (a missing file means no
    /// questions for that topic; a `.toml` file named after no topic is an error).
    pub fn from_dir(dir: &Path) -> Result<Bank, BankError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| BankError { problems: vec![format!("reading the directory {}: {e}", dir.display())] })?;
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
            if path.extension().is_none_or(|ext| ext != "toml") {
                continue;
            }
            let topic = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let origin = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => sources.push(Source { topic, origin, text }),
                Err(e) => problems.push(format!("{origin}: {e}")),
            }
        }
        // Topic order, whatever order the directory lists its files in.
        sources.sort_by_key(|source| TOPICS.iter().position(|t| t.id == source.topic));
        match Bank::from_sources(&sources) {
            Ok(bank) if problems.is_empty() => Ok(bank),
            Ok(_) => Err(BankError { problems }),
            Err(e) => Err(BankError { problems: [problems, e.problems].concat() }),
        }
    }

    /// Parses and checks question files.
    pub fn from_sources(sources: &[Source]) -> Result<Bank, BankError> {
        let mut questions = Vec::new();
        let mut problems = Vec::new();
        for source in sources {
            let origin = &source.origin;
            let Some(topic) = topic::find(&source.topic) else {
                problems.push(format!("{origin}: `{}` is not a topic (topics: {})", source.topic, topic::list_ids()));
                continue;
            };
            match parse_file(topic, &source.text) {
                Ok(parsed) => questions.extend(parsed),
                Err(file_problems) => problems.extend(file_problems.into_iter().map(|p| format!("{origin}: {p}"))),
            }
        }
        problems.extend(duplicate_ids(&questions));
        if problems.is_empty() { Ok(Bank { questions }) } else { Err(BankError { problems }) }
    }

    /// All questions.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }
}

/// Parses one topic's file and checks each question; returns every problem found.
pub fn parse_file(topic: &'static Topic, text: &str) -> Result<Vec<Question>, Vec<String>> {
    let file: QuestionFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut questions = Vec::new();
    let mut problems = Vec::new();
    for raw in file.questions {
        let id = raw.id.clone();
        match raw.check(topic) {
            Ok(question) => questions.push(question),
            Err(problem) => problems.push(format!("question `{id}`: {problem}")),
        }
    }
    if problems.is_empty() { Ok(questions) } else { Err(problems) }
}

/// One problem per id used more than once.
fn duplicate_ids(questions: &[Question]) -> Vec<String> {
    let mut seen = HashSet::new();
    questions.iter().filter(|q| !seen.insert(&q.id)).map(|q| format!("question id `{}` is used twice", q.id)).collect()
}

/// A question file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

/// A question as written: every kind's fields optional, checked by [`RawQuestion::check`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    topic: String,
    kind: KindName,
    prompt: String,
    hint: String,
    explanation: String,
    reference: String,
    choices: Option<Vec<String>>,
    correct: Option<Vec<usize>>,
    answer: Option<f64>,
    tolerance: Option<f64>,
    shape: Option<Vec<usize>>,
    model_answer: Option<String>,
    key_points: Option<Vec<String>>,
    listing: Option<String>,
    bug_line: Option<usize>,
    steps: Option<Vec<String>>,
}

/// The fields each kind may have beyond the common ones.
fn kind_fields(kind: KindName) -> &'static [&'static str] {
    match kind {
        KindName::SingleChoice | KindName::MultipleSelect => &["choices", "correct"],
        KindName::Numeric => &["answer", "tolerance"],
        KindName::Shape => &["shape"],
        KindName::ShortAnswer => &["model_answer", "key_points"],
        KindName::SpotTheBug => &["listing", "bug_line"],
        KindName::OrderSteps => &["steps"],
    }
}

impl RawQuestion {
    /// Checks everything and builds the typed question.
    fn check(self, file_topic: &'static Topic) -> Result<Question, String> {
        self.check_common(file_topic)?;
        self.check_fields_belong()?;
        let kind = self.typed_kind()?;
        Ok(Question {
            id: self.id,
            topic: file_topic,
            prompt: self.prompt,
            hint: self.hint,
            explanation: self.explanation,
            reference: self.reference,
            kind,
        })
    }

    /// Id, topic, texts and reference pointer.
    fn check_common(&self, file_topic: &Topic) -> Result<(), String> {
        if self.topic != file_topic.id {
            return Err(format!("topic is `{}` but the file is the `{}` file", self.topic, file_topic.id));
        }
        let slug = self.id.strip_prefix(file_topic.id).and_then(|rest| rest.strip_prefix('.'));
        let slug_ok = |s: &str| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        };
        if !slug.is_some_and(slug_ok) {
            return Err(format!("the id must be `{}.<slug>` (slug: a-z, 0-9, - and _)", file_topic.id));
        }
        for (name, text) in [("prompt", &self.prompt), ("hint", &self.hint), ("explanation", &self.explanation)] {
            if text.trim().is_empty() {
                return Err(format!("`{name}` is empty"));
            }
        }
        pointer::resolve(&self.reference).map(|_| ())
    }

    /// No field of another kind.
    fn check_fields_belong(&self) -> Result<(), String> {
        let present = [
            ("choices", self.choices.is_some()),
            ("correct", self.correct.is_some()),
            ("answer", self.answer.is_some()),
            ("tolerance", self.tolerance.is_some()),
            ("shape", self.shape.is_some()),
            ("model_answer", self.model_answer.is_some()),
            ("key_points", self.key_points.is_some()),
            ("listing", self.listing.is_some()),
            ("bug_line", self.bug_line.is_some()),
            ("steps", self.steps.is_some()),
        ];
        let allowed = kind_fields(self.kind);
        match present.iter().find(|(name, is_present)| *is_present && !allowed.contains(name)) {
            Some((name, _)) => Err(format!("`{name}` does not belong to a {} question", self.kind.as_str())),
            None => Ok(()),
        }
    }

    /// The kind with its answer, checked.
    fn typed_kind(&self) -> Result<Kind, String> {
        match self.kind {
            KindName::SingleChoice => {
                let (choices, correct) = self.choices_and_correct()?;
                match correct.as_slice() {
                    [one] => Ok(Kind::SingleChoice { choices, correct: *one }),
                    _ => Err(format!("a single_choice question needs exactly one `correct` index, got {correct:?}")),
                }
            }
            KindName::MultipleSelect => {
                let (choices, correct) = self.choices_and_correct()?;
                Ok(Kind::MultipleSelect { choices, correct })
            }
            KindName::Numeric => {
                let answer = self.required("answer", self.answer)?;
                let tolerance = self.tolerance.unwrap_or(0.0);
                if !answer.is_finite() || !tolerance.is_finite() || tolerance < 0.0 {
                    return Err("`answer` must be finite and `tolerance` finite and not negative".into());
                }
                Ok(Kind::Numeric { answer, tolerance })
            }
            KindName::Shape => {
                let shape = self.required("shape", self.shape.clone())?;
                if shape.is_empty() {
                    return Err("`shape` is empty".into());
                }
                Ok(Kind::Shape { shape })
            }
            KindName::ShortAnswer => {
                let model_answer = self.required("model_answer", self.model_answer.clone())?;
                let key_points = self.required("key_points", self.key_points.clone())?;
                if model_answer.trim().is_empty() || key_points.is_empty() || has_blank(&key_points) {
                    return Err("`model_answer` and at least one `key_points` entry must be non-empty".into());
                }
                Ok(Kind::ShortAnswer { model_answer, key_points })
            }
            KindName::SpotTheBug => {
                let listing = self.required("listing", self.listing.clone())?;
                let bug_line = self.required("bug_line", self.bug_line)?;
                let lines = listing_lines(&listing).len();
                if lines < 2 || !(1..=lines).contains(&bug_line) {
                    return Err(format!("`bug_line` = {bug_line} is not a line of the {lines}-line listing"));
                }
                Ok(Kind::SpotTheBug { listing, bug_line })
            }
            KindName::OrderSteps => {
                let steps = self.required("steps", self.steps.clone())?;
                check_options("steps", &steps, MAX_STEPS)?;
                Ok(Kind::OrderSteps { steps })
            }
        }
    }

    /// The options and right indexes of a choice question, checked.
    fn choices_and_correct(&self) -> Result<(Vec<String>, Vec<usize>), String> {
        let choices = self.required("choices", self.choices.clone())?;
        let mut correct = self.required("correct", self.correct.clone())?;
        check_options("choices", &choices, MAX_CHOICES)?;
        correct.sort_unstable();
        correct.dedup();
        if correct.is_empty() || correct.len() != self.correct.as_ref().map_or(0, Vec::len) {
            return Err("`correct` must list at least one index, each once".into());
        }
        if let Some(bad) = correct.iter().find(|&&i| i >= choices.len()) {
            return Err(format!(
                "`correct` index {bad} is out of range: there are {} choices (0-based)",
                choices.len()
            ));
        }
        Ok((choices, correct))
    }

    /// `field`, or an error naming it.
    fn required<T>(&self, name: &str, field: Option<T>) -> Result<T, String> {
        field.ok_or_else(|| format!("a {} question needs `{name}`", self.kind.as_str()))
    }
}

/// Options or steps: between 2 and `max`, none blank, no two the same.
fn check_options(name: &str, options: &[String], max: usize) -> Result<(), String> {
    if !(2..=max).contains(&options.len()) {
        return Err(format!("`{name}` must have between 2 and {max} entries, it has {}", options.len()));
    }
    if has_blank(options) {
        return Err(format!("`{name}` has an empty entry"));
    }
    let distinct: HashSet<&str> = options.iter().map(|o| o.trim()).collect();
    if distinct.len() != options.len() {
        return Err(format!("`{name}` has two identical entries"));
    }
    Ok(())
}

/// Whether any text is empty or only whitespace.
fn has_blank(texts: &[String]) -> bool {
    texts.iter().any(|t| t.trim().is_empty())
}
