//! A question as put to the learner: its text on screen, the formats its
//! answer may take, and the judging of an answer.
//!
//! Choice questions and order-the-steps questions look different each time:
//! their options (or steps) are shown shuffled by the session's seeded random
//! generator, and the answer is read against the letters as shown. Steps are
//! never shown in the right order; options may land anywhere, so the letter of
//! the right option carries no information.

use super::parse;
use super::question::{Kind, Question, letter, listing_lines};
use rand::Rng;
use rand::seq::SliceRandom;

/// The shape the accepted formats of a shape question are shown with. It must
/// never be an answer, or the hint would give that answer away: it has five
/// dimensions, and no question asks for a five-dimensional shape (the
/// fairness tests check it against the bank and many generated questions).
pub const FORMAT_EXAMPLE_SHAPE: [usize; 5] = [3, 1, 4, 1, 5];

/// What an answer was worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The right answer.
    Right,
    /// A readable, wrong answer.
    Wrong,
    /// A free answer: the learner compares it with the model answer.
    SelfGraded,
}

/// A question with the order its steps are shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    /// The question.
    pub question: Question,
    /// For choice questions: `shown[i]` is the index (as written) of the option
    /// labelled with the i-th letter. For order-the-steps: the index (in the
    /// right order) of the step labelled with the i-th letter. Empty for other kinds.
    pub shown: Vec<usize>,
}

impl Asked {
    /// Puts `question`, shuffling its options, or its steps (never into the right
    /// order), if it has any.
    pub fn new(question: Question, rng: &mut impl Rng) -> Asked {
        let shown = match &question.kind {
            Kind::OrderSteps { steps } => shuffled(steps.len(), rng),
            Kind::SingleChoice { choices, .. } | Kind::MultipleSelect { choices, .. } => {
                let mut order: Vec<usize> = (0..choices.len()).collect();
                order.shuffle(rng);
                order
            }
            _ => Vec::new(),
        };
        Asked { question, shown }
    }

    /// The letter index an option (index as written) is shown with.
    fn shown_at(&self, index: usize) -> usize {
        self.shown.iter().position(|&s| s == index).unwrap_or(index)
    }

    /// The letter indexes of the right options as shown, ascending (choice questions only).
    pub fn right_letters(&self) -> Vec<usize> {
        let mut letters: Vec<usize> = match &self.question.kind {
            Kind::SingleChoice { correct, .. } => vec![self.shown_at(*correct)],
            Kind::MultipleSelect { correct, .. } => correct.iter().map(|&i| self.shown_at(i)).collect(),
            _ => Vec::new(),
        };
        letters.sort_unstable();
        letters
    }

    /// The options in the order shown (choice questions only).
    fn shown_choices<'a>(&self, choices: &'a [String]) -> Vec<&'a String> {
        if self.shown.len() == choices.len() {
            self.shown.iter().map(|&i| &choices[i]).collect()
        } else {
            choices.iter().collect()
        }
    }

    /// The prompt with its options, listing or steps, as shown on screen.
    pub fn body(&self) -> String {
        let mut body = wrap(self.question.prompt.trim_end());
        match &self.question.kind {
            Kind::SingleChoice { choices, .. } | Kind::MultipleSelect { choices, .. } => {
                body.push('\n');
                body.push_str(&lettered(self.shown_choices(choices).into_iter()));
            }
            Kind::SpotTheBug { listing, .. } => {
                body.push_str("\n\n");
                body.push_str(&numbered(listing));
            }
            Kind::OrderSteps { steps } => {
                body.push('\n');
                body.push_str(&lettered(self.shown.iter().map(|&i| &steps[i])));
            }
            Kind::Numeric { .. } | Kind::Shape { .. } | Kind::ShortAnswer { .. } => {}
        }
        body
    }

    /// How to answer, in one line.
    pub fn formats(&self) -> String {
        match &self.question.kind {
            Kind::SingleChoice { choices, .. } => format!("Answer with one letter ({}).", letter_range(choices.len())),
            Kind::MultipleSelect { choices, .. } => {
                format!("Answer with every right letter, e.g. `a c` or `ac` ({}).", letter_range(choices.len()))
            }
            Kind::Numeric { .. } => "Answer with a number; `12_345`, `6.5e6` and `3*7*11` are fine.".into(),
            Kind::Shape { .. } => {
                let dims = FORMAT_EXAMPLE_SHAPE.map(|d| d.to_string());
                format!(
                    "Answer with a shape: `[{}]`, `{}` or `({})`.",
                    dims.join(", "),
                    dims.join("x"),
                    dims.join(", ")
                )
            }
            Kind::ShortAnswer { .. } => "Answer in one line; then compare it with a model answer.".into(),
            Kind::SpotTheBug { listing, .. } => {
                format!("Answer with the number of the wrong line (1-{}).", listing_lines(listing).len())
            }
            Kind::OrderSteps { steps } => format!(
                "Answer with all {} letters ({}) in the right order, e.g. `c a b d` or `cabd`.",
                steps.len(),
                letter_range(steps.len())
            ),
        }
    }

    /// Judges `answer`, or `None` if it cannot be read as this kind of answer.
    pub fn judge(&self, answer: &str) -> Option<Verdict> {
        let right = match &self.question.kind {
            Kind::SingleChoice { choices, .. } => parse::letters(answer, choices.len())? == self.right_letters(),
            Kind::MultipleSelect { choices, .. } => {
                let mut picked = parse::letters(answer, choices.len())?;
                picked.sort_unstable();
                picked == self.right_letters()
            }
            Kind::Numeric { answer: expected, tolerance } => {
                let given = parse::number(answer)?;
                // A hair of slack for decimal fractions that binary floats cannot hold exactly.
                (given - expected).abs() <= tolerance + 1e-9 * expected.abs().max(1.0)
            }
            Kind::Shape { shape } => parse::shape(answer)? == *shape,
            Kind::ShortAnswer { .. } => return (!answer.trim().is_empty()).then_some(Verdict::SelfGraded),
            Kind::SpotTheBug { listing, bug_line } => {
                parse::line_number(answer, listing_lines(listing).len())? == *bug_line
            }
            Kind::OrderSteps { steps } => {
                let order = parse::letters(answer, steps.len()).filter(|o| o.len() == steps.len())?;
                order.iter().map(|&i| self.shown[i]).eq(0..steps.len())
            }
        };
        Some(if right { Verdict::Right } else { Verdict::Wrong })
    }

    /// The right answer, written out for the learner who missed it.
    pub fn right_answer(&self) -> String {
        match &self.question.kind {
            Kind::SingleChoice { choices, .. } => {
                let at = self.right_letters()[0];
                format!("{}) {}", letter(at), self.shown_choices(choices)[at])
            }
            Kind::MultipleSelect { choices, .. } => {
                let right = self.right_letters();
                let shown = self.shown_choices(choices);
                let letters: Vec<String> = right.iter().map(|&i| letter(i).to_string()).collect();
                format!("{}\n{}", letters.join(" "), lettered_in_order(right.iter().map(|&i| (i, shown[i]))))
            }
            Kind::Numeric { answer, tolerance } if *tolerance > 0.0 => format!("{} (± {tolerance})", number(*answer)),
            Kind::Numeric { answer, .. } => number(*answer),
            Kind::Shape { shape } => shape_text(shape),
            Kind::ShortAnswer { model_answer, .. } => model_answer.clone(),
            Kind::SpotTheBug { listing, bug_line } => {
                format!("line {bug_line}: {}", listing_lines(listing)[bug_line - 1].trim())
            }
            Kind::OrderSteps { steps } => {
                let in_order: Vec<(usize, &String)> =
                    steps.iter().enumerate().map(|(step, text)| (self.letter_index_of_step(step), text)).collect();
                let letters: Vec<String> = in_order.iter().map(|&(i, _)| letter(i).to_string()).collect();
                format!("{}\n{}", letters.join(" "), lettered_in_order(in_order.into_iter()))
            }
        }
    }

    /// The index of the letter the step at `index` (in the right order) is shown with.
    fn letter_index_of_step(&self, index: usize) -> usize {
        self.shown.iter().position(|&s| s == index).unwrap_or(index)
    }
}

/// A permutation of `0..count` that is not the identity (when `count` > 1).
fn shuffled(count: usize, rng: &mut impl Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(rng);
    if order.iter().copied().eq(0..count) {
        order.rotate_left(1); // shown in the right order, the question would answer itself
    }
    order
}

/// Options as `  a) ...` lines.
fn lettered<'a>(options: impl Iterator<Item = &'a String>) -> String {
    options.enumerate().map(|(i, text)| format!("\n  {}) {text}", letter(i))).collect()
}

/// Options or steps given with the index of their letter, one `  b) ...` line each.
fn lettered_in_order<'a>(options: impl Iterator<Item = (usize, &'a String)>) -> String {
    let lines: Vec<String> = options.map(|(i, text)| format!("  {}) {text}", letter(i))).collect();
    lines.join("\n")
}

/// A listing with right-aligned line numbers from 1.
fn numbered(listing: &str) -> String {
    let lines = listing_lines(listing);
    let width = lines.len().to_string().len();
    let numbered: Vec<String> =
        lines.iter().enumerate().map(|(i, line)| format!("  {:>width$} | {line}", i + 1)).collect();
    numbered.join("\n")
}

/// "a-d" for four options.
fn letter_range(count: usize) -> String {
    format!("{}-{}", letter(0), letter(count - 1))
}

/// The width prose is wrapped to.
const TEXT_WIDTH: usize = 100;

/// `text` with every line longer than 100 characters broken between words;
/// existing line breaks and indentation are kept.
pub fn wrap(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(wrap_line).collect();
    lines.join("\n")
}

/// `text` wrapped as if it followed `label` on the same line (`Hint: ...`), so
/// that the label's line keeps to the width too; print the (styled) label, then
/// this.
pub fn wrap_after(label: &str, text: &str) -> String {
    let wrapped = wrap(&format!("{label} {}", text.trim()));
    wrapped[label.len()..].to_string()
}

/// One line broken between words, each piece keeping the line's indentation.
fn wrap_line(line: &str) -> String {
    if line.chars().count() <= TEXT_WIDTH {
        return line.to_string();
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let mut wrapped = String::new();
    let mut current = String::new();
    for word in line.split_whitespace() {
        if !current.is_empty() && indent.len() + current.chars().count() + 1 + word.chars().count() > TEXT_WIDTH {
            wrapped.push_str(indent);
            wrapped.push_str(&current);
            wrapped.push('\n');
            current.clear();
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    wrapped.push_str(indent);
    wrapped.push_str(&current);
    wrapped
}

/// A shape as `[2, 8, 5, 5]`.
pub fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

/// A number for people: whole numbers with thousands separators (`33,554,432`).
pub fn number(value: f64) -> String {
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return value.to_string();
    }
    let digits = format!("{}", value.abs() as u64);
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 { format!("-{grouped}") } else { grouped }
}
