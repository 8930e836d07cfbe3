//! Reading and judging answers of every kind.

use attn_quiz::quiz::asked::{Asked, Verdict};
use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::parse;
use attn_quiz::quiz::question::{Kind, Question, letter};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

const SAMPLE_BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quiz_data/sample_bank");

/// The sample question `id`, asked with a seeded shuffle.
fn asked(id: &str, seed: u64) -> Asked {
    let bank = Bank::from_dir(Path::new(SAMPLE_BANK)).unwrap();
    let question: Question = bank.questions().iter().find(|q| q.id == id).unwrap().clone();
    Asked::new(question, &mut StdRng::seed_from_u64(seed))
}

#[test]
fn shapes_are_read_in_every_common_notation() {
    for text in
        ["[2, 8, 5, 5]", "[2,8,5,5]", "2x8x5x5", "(2,8,5,5)", "2 x 8 x 5 x 5", "2×8×5×5", " 2 8 5 5 ", "2, 8, 5, 5"]
    {
        assert_eq!(parse::shape(text), Some(vec![2, 8, 5, 5]), "{text:?}");
    }
    assert_eq!(parse::shape("(5,)"), Some(vec![5]));
    for text in ["", "[]", "[2, 8,, 5]", "[2, -8]", "2.5x3", "two by three", "[2, 8"] {
        assert_eq!(parse::shape(text), None, "{text:?}");
    }
}

#[test]
fn letters_are_read_with_or_without_separators() {
    for text in ["c a b d", "cabd", "C A B D", "c, a, b, d", "c > a > b > d"] {
        assert_eq!(parse::letters(text, 4), Some(vec![2, 0, 1, 3]), "{text:?}");
    }
    for text in ["", "c a e", "c c", "c1"] {
        assert_eq!(parse::letters(text, 4), None, "{text:?}");
    }
}

#[test]
fn numbers_accept_grouping_exponents_and_arithmetic() {
    let cases = [
        ("1048576", 1_048_576.0),
        ("1_048_576", 1_048_576.0),
        ("1,048,576", 1_048_576.0),
        ("1 048 576", 1_048_576.0),
        ("1.5e6", 1.5e6),
        ("2*8*128*128*64", 16_777_216.0),
        ("2^20", 1_048_576.0),
        ("2**3**2", 512.0),
        ("4·(16² + 16)", f64::NAN), // ² is not arithmetic
        ("(3 + 1) / 8", 0.5),
        ("-2 * -3", 6.0),
        ("0.125", 0.125),
    ];
    for (text, value) in cases {
        match parse::number(text) {
            Some(read) => assert_eq!(read, value, "{text:?}"),
            None => assert!(value.is_nan(), "{text:?} should read as {value}"),
        }
    }
    for text in ["", "1,5", "1,0000", "12e", "2 *", "(2", "abc", "1/0", "_1"] {
        assert_eq!(parse::number(text), None, "{text:?}");
    }
}

#[test]
fn line_numbers_and_yes_no() {
    assert_eq!(parse::line_number("8", 14), Some(8));
    assert_eq!(parse::line_number("line 8", 14), Some(8));
    assert_eq!(parse::line_number("15", 14), None);
    assert_eq!(parse::line_number("0", 14), None);
    assert_eq!(parse::yes_no(" Yes "), Some(true));
    assert_eq!(parse::yes_no("n"), Some(false));
    assert_eq!(parse::yes_no("perhaps"), None);
}

#[test]
fn single_choice_is_judged_by_the_letter_shown() {
    let mut letters_seen = std::collections::HashSet::new();
    for seed in 0..20 {
        let q = asked("transformer.sample-choice", seed);
        // "Self-attention" (written second) is shown at letter `right`.
        let right = q.shown.iter().position(|&i| i == 1).unwrap();
        letters_seen.insert(right);
        let wrong = (right + 1) % 3;
        let right_letter = letter(right).to_string();
        assert_eq!(q.right_letters(), vec![right]);
        assert_eq!(q.judge(&right_letter), Some(Verdict::Right));
        assert_eq!(q.judge(&right_letter.to_uppercase()), Some(Verdict::Right));
        assert_eq!(q.judge(&letter(wrong).to_string()), Some(Verdict::Wrong));
        assert_eq!(q.judge("a b"), Some(Verdict::Wrong), "two letters are readable but not one answer");
        assert_eq!(q.judge("d"), None, "only a to c exist");
        assert_eq!(q.right_answer(), format!("{right_letter}) Self-attention"));
        assert!(q.body().contains(&format!("\n  {right_letter}) Self-attention")), "{}", q.body());
        for option in ["The feed-forward network", "Self-attention", "Layer normalisation"] {
            assert_eq!(q.body().matches(option).count(), 1, "every option is shown once: {}", q.body());
        }
    }
    assert_eq!(letters_seen.len(), 3, "the shuffle puts the right option under every letter");
}

#[test]
fn multiple_select_needs_exactly_the_right_set() {
    for seed in 0..10 {
        let q = asked("shapes.sample-select", seed);
        // Options 0 and 2 (as written) are right.
        let right: Vec<usize> = [0, 2].iter().map(|&i| q.shown.iter().position(|&s| s == i).unwrap()).collect();
        let typed = |letters: &[usize]| letters.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(" ");
        assert_eq!(q.judge(&typed(&right)), Some(Verdict::Right));
        assert_eq!(q.judge(&typed(&[right[1], right[0]])), Some(Verdict::Right), "any order");
        assert_eq!(q.judge(&typed(&right[..1])), Some(Verdict::Wrong));
        let third = (0..4).find(|i| !right.contains(i)).unwrap();
        assert_eq!(q.judge(&typed(&[right[0], right[1], third])), Some(Verdict::Wrong));
        assert_eq!(q.judge("a e"), None);
    }
}

#[test]
fn numeric_answers_are_right_within_the_tolerance() {
    let q = asked("scaling_softmax.sample-scale", 1);
    assert_eq!(q.judge("8"), Some(Verdict::Right));
    assert_eq!(q.judge("8.0009"), Some(Verdict::Right));
    assert_eq!(q.judge("64^0.5"), Some(Verdict::Right));
    assert_eq!(q.judge("8.01"), Some(Verdict::Wrong));
    assert_eq!(q.judge("eight"), None);
    assert_eq!(q.right_answer(), "8 (± 0.001)");
}

#[test]
fn shape_answers_compare_every_dimension() {
    let q = asked("shapes.sample-weights", 1);
    assert_eq!(q.judge("2x8x5x5"), Some(Verdict::Right));
    assert_eq!(q.judge("[2, 5, 8, 5]"), Some(Verdict::Wrong));
    assert_eq!(q.judge("[2, 8, 5]"), Some(Verdict::Wrong));
    assert_eq!(q.right_answer(), "[2, 8, 5, 5]");
}

#[test]
fn spot_the_bug_shows_line_numbers_and_takes_one() {
    let q = asked("scaling_softmax.sample-bug", 1);
    assert!(q.body().contains("\n   1 | fn softmax(row: &mut [f32]) {"), "{}", q.body());
    assert!(q.body().contains("\n   8 |         *s = s.exp();"), "{}", q.body());
    assert!(q.formats().contains("(1-14)"), "{}", q.formats());
    assert_eq!(q.judge("8"), Some(Verdict::Right));
    assert_eq!(q.judge("7"), Some(Verdict::Wrong));
    assert_eq!(q.judge("15"), None);
    assert_eq!(q.right_answer(), "line 8: *s = s.exp();");
}

#[test]
fn order_steps_are_shuffled_and_read_against_the_shown_letters() {
    for seed in 0..20 {
        let q = asked("shapes.sample-order", seed);
        let Kind::OrderSteps { steps } = &q.question.kind else { panic!("not an order question") };
        assert_ne!(q.shown, (0..steps.len()).collect::<Vec<_>>(), "seed {seed}: shown in the right order");
        // The right answer: for each step in order, the letter it is shown with.
        let right: String =
            (0..steps.len()).map(|step| letter(q.shown.iter().position(|&s| s == step).unwrap())).collect();
        assert_eq!(q.judge(&right), Some(Verdict::Right), "seed {seed}: {right}");
        let spaced: Vec<String> = right.chars().map(String::from).collect();
        assert_eq!(q.judge(&spaced.join(" ")), Some(Verdict::Right));
        assert_eq!(q.judge("abcd"), Some(Verdict::Wrong), "seed {seed}: the shown order is never right");
        assert_eq!(q.judge("abc"), None, "every step must be placed");
        assert!(q.formats().contains("all 4 letters (a-d)"), "says how many letters: {}", q.formats());
        assert!(q.right_answer().starts_with(&spaced.join(" ")), "{}", q.right_answer());
        let shown_first = &steps[q.shown[0]];
        assert!(q.body().contains(&format!("  a) {shown_first}")), "{}", q.body());
    }
}

#[test]
fn short_answers_are_graded_by_the_learner() {
    let q = asked("shapes.sample-short", 1);
    assert_eq!(q.judge("one row per query"), Some(Verdict::SelfGraded));
    assert_eq!(q.judge("   "), None);
}

#[test]
fn long_prompts_are_wrapped_between_words() {
    let long = "word ".repeat(60);
    let wrapped = attn_quiz::quiz::asked::wrap(&long);
    assert!(wrapped.lines().count() > 1);
    assert!(wrapped.lines().all(|l| l.chars().count() <= 100), "{wrapped}");
    assert_eq!(wrapped.split_whitespace().count(), 60, "no word is lost");
    assert_eq!(attn_quiz::quiz::asked::wrap("short\n  indented"), "short\n  indented");
}

#[test]
fn text_after_a_label_is_wrapped_with_the_label_counted() {
    let long = "word ".repeat(60);
    let rest = attn_quiz::quiz::asked::wrap_after("Model answer:", &long);
    let shown = format!("Model answer:{rest}");
    assert!(shown.starts_with("Model answer: word word"), "{shown}");
    assert!(shown.lines().all(|l| l.chars().count() <= 100), "{shown}");
    assert_eq!(shown.split_whitespace().count(), 62, "no word is lost");
    assert_eq!(attn_quiz::quiz::asked::wrap_after("Hint:", "short"), " short");
}
