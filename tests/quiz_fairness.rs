//! Fairness rules for the whole question bank, written over whatever topic
//! files the bank holds (a new topic file is checked as soon as it is built
//! in): nothing in the way a question is shown may point at its answer better
//! than chance.
//!
//! - **Letters**: the options of choice questions are shuffled each time they
//!   are asked, so the right option sits under every letter about equally often.
//! - **Lengths**: in single choice, the right option is the longest (or the
//!   shortest) about as often as chance would have it: for a question with n
//!   options, 1/n (ties share the credit). The count over the bank must stay
//!   within two standard deviations of its expectation.
//! - **Multiple select**: the number of right options varies (1 to 4), and the
//!   first option as written is not always right.
//! - **Format hints**: no example in a question's accepted formats (`[3, 1, 4,
//!   1, 5]`, `12_345`, ...) is a right answer to it, for written questions and
//!   for many draws of every generator.

use attn_quiz::quiz::asked::{Asked, FORMAT_EXAMPLE_SHAPE, Verdict};
use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::generators::GENERATORS;
use attn_quiz::quiz::question::{Kind, Question};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::BTreeMap;

fn bank() -> Bank {
    Bank::built_in().unwrap_or_else(|e| panic!("{e}"))
}

/// Written questions plus `draws` generated questions from every generator.
fn all_questions(draws: u64) -> Vec<Question> {
    let mut questions = bank().questions().to_vec();
    for generator in GENERATORS {
        for seed in 0..draws {
            questions.push(generator.generate(&mut StdRng::seed_from_u64(seed)).unwrap().question);
        }
    }
    questions
}

/// A cue count against chance: the observed count, its expectation, its standard deviation.
#[derive(Debug, Default)]
struct Cue {
    observed: f64,
    expected: f64,
    variance: f64,
    hits: Vec<String>,
}

impl Cue {
    /// Adds a question with `n` options where the cue picks `picked` options, one of them right if `right`.
    fn add(&mut self, id: &str, n: usize, picked: usize, right: bool) {
        let p = 1.0 / n as f64;
        self.expected += p;
        self.variance += p * (1.0 - p);
        if right {
            self.observed += 1.0 / picked as f64;
            self.hits.push(id.to_string());
        }
    }

    fn assert_near_chance(&self, what: &str) {
        let sd = self.variance.sqrt();
        assert!(
            (self.observed - self.expected).abs() <= 2.0 * sd,
            "{what}: {:.2} questions against {:.2} expected by chance (sd {sd:.2}); the right option is {what} in: {:?}",
            self.observed,
            self.expected,
            self.hits
        );
    }
}

#[test]
fn in_single_choice_the_right_option_is_the_longest_or_shortest_about_as_often_as_chance() {
    let (mut longest, mut shortest) = (Cue::default(), Cue::default());
    for q in bank().questions() {
        let Kind::SingleChoice { choices, correct } = &q.kind else { continue };
        let lengths: Vec<usize> = choices.iter().map(|c| c.trim().chars().count()).collect();
        let (max, min) = (*lengths.iter().max().unwrap(), *lengths.iter().min().unwrap());
        let count = |len: usize| lengths.iter().filter(|&&l| l == len).count();
        longest.add(&q.id, choices.len(), count(max), lengths[*correct] == max);
        shortest.add(&q.id, choices.len(), count(min), lengths[*correct] == min);
    }
    assert!(longest.expected >= 5.0, "too few single-choice questions to judge");
    longest.assert_near_chance("the longest");
    shortest.assert_near_chance("the shortest");
}

#[test]
fn the_right_option_is_shown_under_every_letter_about_equally_often() {
    const SEEDS: u64 = 40;
    let mut by_letter: BTreeMap<usize, f64> = BTreeMap::new();
    let mut expected: BTreeMap<usize, f64> = BTreeMap::new();
    let mut shown = 0.0;
    for q in bank().questions() {
        let n = match &q.kind {
            Kind::SingleChoice { choices, .. } | Kind::MultipleSelect { choices, .. } => choices.len(),
            _ => continue,
        };
        let mut letters_used = std::collections::HashSet::new();
        for seed in 0..SEEDS {
            let asked = Asked::new(q.clone(), &mut StdRng::seed_from_u64(seed));
            let right = asked.right_letters();
            for &letter in &right {
                *by_letter.entry(letter).or_default() += 1.0;
                letters_used.insert(letter);
            }
            let share = right.len() as f64 / n as f64;
            for letter in 0..n {
                *expected.entry(letter).or_default() += share;
            }
            shown += right.len() as f64;
        }
        assert!(letters_used.len() >= n.min(3), "{}: the right options stay under {letters_used:?}", q.id);
    }
    for (letter, &count) in &by_letter {
        let expect = expected[letter];
        assert!(
            (count - expect).abs() <= 4.0 * expect.sqrt() + 1.0,
            "letter {letter}: right {count} times, {expect:.0} expected (of {shown} right options shown)"
        );
    }
}

#[test]
fn multiple_select_varies_the_number_of_right_options_and_where_they_are() {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    let (mut total, mut first_wrong) = (0, 0);
    for q in bank().questions() {
        let Kind::MultipleSelect { choices, correct } = &q.kind else { continue };
        assert!(correct.len() < choices.len(), "{}: every option is right", q.id);
        *counts.entry(correct.len()).or_default() += 1;
        total += 1;
        first_wrong += usize::from(!correct.contains(&0));
    }
    if total < 5 {
        return; // too few to speak of a pattern
    }
    assert!(counts.keys().all(|k| (1..=4).contains(k)), "right options per question: {counts:?}");
    assert!(counts.len() >= 3, "the number of right options hardly varies: {counts:?}");
    let most = *counts.values().max().unwrap();
    assert!(most * 10 <= total * 6, "{most} of {total} questions have the same number of right options: {counts:?}");
    assert!(first_wrong * 5 >= total, "option (a) as written is wrong in only {first_wrong} of {total}");
}

/// The examples a format line shows between backticks.
fn examples(formats: &str) -> Vec<String> {
    formats.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn no_format_example_is_a_right_answer() {
    let mut checked = 0;
    for q in all_questions(25) {
        if !matches!(q.kind, Kind::Numeric { .. } | Kind::Shape { .. } | Kind::SpotTheBug { .. }) {
            continue; // choice letters are shuffled: an example letter is right only by chance
        }
        let asked = Asked::new(q, &mut StdRng::seed_from_u64(0));
        for example in examples(&asked.formats()) {
            assert_ne!(
                asked.judge(&example),
                Some(Verdict::Right),
                "{}: the format example `{example}` is the answer\n{}",
                asked.question.id,
                asked.question.prompt
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no format example was checked");
}

#[test]
fn the_shape_format_example_is_no_shape_answer() {
    let example = FORMAT_EXAMPLE_SHAPE.to_vec();
    let written = bank().questions().to_vec();
    let generated = GENERATORS
        .iter()
        .filter(|g| g.answers_with_shape())
        .flat_map(|g| (0..150).map(move |seed| g.generate(&mut StdRng::seed_from_u64(seed)).unwrap().question));
    for q in written.into_iter().chain(generated) {
        if let Kind::Shape { shape } = &q.kind {
            assert_ne!(shape, &example, "{}: the shape format example is its answer", q.id);
        }
    }
}
