//! A quiz question, checked and typed: what every question has, and what each
//! kind of question adds.
//!
//! Questions come from two places: the bank of written questions
//! ([`bank`](super::bank), TOML files) and the generators
//! ([`generators`](super::generators), which draw fresh sizes and measure the
//! reference). Both produce this type.

use super::topic::Topic;

/// One question, ready to be asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable identifier, `"<topic>.<slug>"` (bank) or `"gen.<name>"` (generator).
    /// Progress is tracked under it.
    pub id: String,
    /// The topic it belongs to.
    pub topic: &'static Topic,
    /// The question itself.
    pub prompt: String,
    /// A nudge shown when the learner types `h`.
    pub hint: String,
    /// Why the answer is what it is, shown after every answer.
    pub explanation: String,
    /// The reference item that teaches it, e.g. `reference::gqa::grouped_query_attention`.
    pub reference: String,
    /// The kind of answer expected, with the right answer.
    pub kind: Kind,
}

/// The kinds of question, each with its right answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Pick the one right option.
    SingleChoice {
        /// The options, shown with letters a, b, c, ...
        choices: Vec<String>,
        /// Index of the right option.
        correct: usize,
    },
    /// Pick every right option (one or more).
    MultipleSelect {
        /// The options, shown with letters a, b, c, ...
        choices: Vec<String>,
        /// Indexes of the right options, ascending.
        correct: Vec<usize>,
    },
    /// A number, right within an absolute tolerance.
    Numeric {
        /// The right value.
        answer: f64,
        /// How far from `answer` still counts as right.
        tolerance: f64,
    },
    /// A tensor shape such as `[2, 8, 5, 5]`.
    Shape {
        /// The right dimensions.
        shape: Vec<usize>,
    },
    /// A free answer the learner grades against a model answer.
    ShortAnswer {
        /// What a good answer says.
        model_answer: String,
        /// The points a good answer must make.
        key_points: Vec<String>,
    },
    /// A short listing with one wrong line; the answer is its number.
    SpotTheBug {
        /// The code, shown with line numbers starting at 1.
        listing: String,
        /// The number of the wrong line (1-based).
        bug_line: usize,
    },
    /// Steps to put in order; they are shown shuffled.
    OrderSteps {
        /// The steps, in the right order.
        steps: Vec<String>,
    },
}

/// The name of a kind, as written in the question files (`kind = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum KindName {
    /// [`Kind::SingleChoice`]
    SingleChoice,
    /// [`Kind::MultipleSelect`]
    MultipleSelect,
    /// [`Kind::Numeric`]
    Numeric,
    /// [`Kind::Shape`]
    Shape,
    /// [`Kind::ShortAnswer`]
    ShortAnswer,
    /// [`Kind::SpotTheBug`]
    SpotTheBug,
    /// [`Kind::OrderSteps`]
    OrderSteps,
}

impl KindName {
    /// Every kind.
    pub const ALL: [KindName; 7] = [
        KindName::SingleChoice,
        KindName::MultipleSelect,
        KindName::Numeric,
        KindName::Shape,
        KindName::ShortAnswer,
        KindName::SpotTheBug,
        KindName::OrderSteps,
    ];

    /// The name as written in question files.
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::SingleChoice => "single_choice",
            KindName::MultipleSelect => "multiple_select",
            KindName::Numeric => "numeric",
            KindName::Shape => "shape",
            KindName::ShortAnswer => "short_answer",
            KindName::SpotTheBug => "spot_the_bug",
            KindName::OrderSteps => "order_steps",
        }
    }
}

impl TryFrom<String> for KindName {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        KindName::ALL.into_iter().find(|kind| kind.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = KindName::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown kind `{name}` (kinds: {})", names.join(", "))
        })
    }
}

impl Kind {
    /// Which kind this is.
    pub fn name(&self) -> KindName {
        match self {
            Kind::SingleChoice { .. } => KindName::SingleChoice,
            Kind::MultipleSelect { .. } => KindName::MultipleSelect,
            Kind::Numeric { .. } => KindName::Numeric,
            Kind::Shape { .. } => KindName::Shape,
            Kind::ShortAnswer { .. } => KindName::ShortAnswer,
            Kind::SpotTheBug { .. } => KindName::SpotTheBug,
            Kind::OrderSteps { .. } => KindName::OrderSteps,
        }
    }
}

/// The lines of a spot-the-bug listing, as numbered on screen (trailing blank
/// lines dropped).
pub fn listing_lines(listing: &str) -> Vec<&str> {
    listing.trim_end().lines().collect()
}

/// The label of option or step `index`: a, b, c, ... (`index` < [`MAX_STEPS`]).
pub fn letter(index: usize) -> char {
    debug_assert!(index < MAX_STEPS, "only {MAX_STEPS} letters");
    char::from(b'a' + index as u8)
}

/// The index labelled by `letter` (either case), if it is one of the first `count` letters.
pub fn letter_index(letter: char, count: usize) -> Option<usize> {
    let index = (letter.to_ascii_lowercase() as usize).checked_sub('a' as usize)?;
    (index < count).then_some(index)
}

/// The most options a choice question may have: a to g, so that no option's
/// letter is also a command (h = hint, q = quit, s = skip).
pub const MAX_CHOICES: usize = 7;

/// The most steps an order-the-steps question may have: a to z.
pub const MAX_STEPS: usize = 26;
