//! Reading what the learner typed: letters, shapes, numbers, line numbers.
//!
//! Each function returns `None` when the text cannot be read as what was asked
//! for; the session then repeats the accepted formats and asks again. A
//! readable but wrong answer is not `None`: it is judged, and it is wrong.

use super::question::letter_index;

/// Characters that separate the dimensions of a shape (besides whitespace).
const SHAPE_SEPARATORS: [char; 5] = [',', 'x', 'X', '×', '*'];

/// A shape written as `[2, 8, 5, 5]`, `[2,8,5,5]`, `(2, 8, 5, 5)`, `2x8x5x5`,
/// `2 x 8 x 5 x 5`, `2×8×5×5` or `2 8 5 5`.
///
/// ```
/// use attn_quiz::quiz::parse::shape;
/// assert_eq!(shape("2 x 8 x 5 x 5"), Some(vec![2, 8, 5, 5]));
/// assert_eq!(shape("(2,8,5,5)"), Some(vec![2, 8, 5, 5]));
/// assert_eq!(shape("[2, 8,, 5]"), None);
/// ```
pub fn shape(text: &str) -> Option<Vec<usize>> {
    let inner = strip_brackets(text.trim()).trim();
    let mut pieces: Vec<&str> = if inner.contains(SHAPE_SEPARATORS) {
        inner.split(SHAPE_SEPARATORS).map(str::trim).collect()
    } else {
        inner.split_whitespace().collect()
    };
    if pieces.len() > 1 && pieces.last() == Some(&"") {
        pieces.pop(); // a one-dimensional tuple: "(5,)"
    }
    let dims: Option<Vec<usize>> = pieces.iter().map(|p| p.parse().ok()).collect();
    dims.filter(|d| !d.is_empty())
}

/// `text` without one pair of enclosing `[...]` or `(...)`.
fn strip_brackets(text: &str) -> &str {
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            return inner;
        }
    }
    text
}

/// Letters among the first `count` (a, b, c, ...), as indexes in the order
/// typed: `c a b d`, `cabd`, `c, a, b, d` and `C A B D` all give `[2, 0, 1, 3]`.
/// Anything but letters and separators, a letter out of range, or a letter
/// typed twice, gives `None`.
///
/// ```
/// use attn_quiz::quiz::parse::letters;
/// assert_eq!(letters("c a b d", 4), Some(vec![2, 0, 1, 3]));
/// assert_eq!(letters("cabd", 4), Some(vec![2, 0, 1, 3]));
/// assert_eq!(letters("c a e", 4), None);
/// ```
pub fn letters(text: &str, count: usize) -> Option<Vec<usize>> {
    let mut indexes = Vec::new();
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        let index = letter_index(c, count)?;
        if indexes.contains(&index) {
            return None;
        }
        indexes.push(index);
    }
    (!indexes.is_empty()).then_some(indexes)
}

/// A line number between 1 and `lines`.
pub fn line_number(text: &str, lines: usize) -> Option<usize> {
    let line = text.trim().trim_start_matches("line").trim().parse().ok()?;
    (1..=lines).contains(&line).then_some(line)
}

/// `y`/`yes` is `true`, `n`/`no` is `false` (any case).
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

/// A number, or a small arithmetic expression that gives one.
///
/// Numbers may group digits with `_`, `,` (groups of three) or spaces, and use
/// an exponent (`1.5e6`). Expressions may use `+ - * / ^`, `**` for powers,
/// `×` or `·` for products, and parentheses, so `2*8*128*128*64` or `2^20`
/// can be typed as such.
///
/// ```
/// use attn_quiz::quiz::parse::number;
/// assert_eq!(number("1,048,576"), Some(1_048_576.0));
/// assert_eq!(number("2 * 4^2"), Some(32.0));
/// assert_eq!(number("1,5"), None); // not a grouping of three digits
/// ```
pub fn number(text: &str) -> Option<f64> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut expr = Expr { chars, pos: 0 };
    let value = expr.sum()?;
    (expr.pos == expr.chars.len() && value.is_finite()).then_some(value)
}

/// A recursive-descent reader of arithmetic, whitespace already removed.
struct Expr {
    chars: Vec<char>,
    pos: usize,
}

impl Expr {
    /// sum := product (('+' | '-') product)*
    fn sum(&mut self) -> Option<f64> {
        let mut value = self.product()?;
        while let Some(op) = self.eat_one_of(&['+', '-']) {
            let rhs = self.product()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Some(value)
    }

    /// product := power (('*' | '×' | '·' | '/') power)*
    fn product(&mut self) -> Option<f64> {
        let mut value = self.power()?;
        while let Some(op) = self.eat_one_of(&['*', '×', '·', '/']) {
            let rhs = self.power()?;
            value = if op == '/' { value / rhs } else { value * rhs };
        }
        Some(value)
    }

    /// power := unary (('^' | '**') power)?   (right-associative; `**` is
    /// consumed here, before `product` could read its first `*`)
    fn power(&mut self) -> Option<f64> {
        let base = self.unary()?;
        let is_power = self.eat("**") || self.eat("^");
        if is_power { Some(base.powf(self.power()?)) } else { Some(base) }
    }

    /// unary := '-' unary | '(' sum ')' | literal
    fn unary(&mut self) -> Option<f64> {
        if self.eat("-") {
            return Some(-self.unary()?);
        }
        if self.eat("(") {
            let value = self.sum()?;
            return self.eat(")").then_some(value);
        }
        self.literal()
    }

    /// literal := digits with grouping, optional fraction, optional exponent.
    fn literal(&mut self) -> Option<f64> {
        let start = self.pos;
        self.skip_while(|c| c.is_ascii_digit() || matches!(c, '_' | ',' | '.'));
        if self.eat_one_of(&['e', 'E']).is_some() {
            self.eat_one_of(&['+', '-']);
            self.skip_while(|c| c.is_ascii_digit());
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        ungroup(&text)?.parse().ok()
    }

    /// Consumes `token` if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        let matches = token.chars().enumerate().all(|(i, c)| self.chars.get(self.pos + i) == Some(&c));
        if matches {
            self.pos += token.chars().count();
        }
        matches
    }

    /// Consumes the next character if it is one of `options`.
    fn eat_one_of(&mut self, options: &[char]) -> Option<char> {
        let next = *self.chars.get(self.pos).filter(|c| options.contains(c))?;
        self.pos += 1;
        Some(next)
    }

    /// Advances past every character satisfying `keep`.
    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.chars.get(self.pos).is_some_and(|&c| keep(c)) {
            self.pos += 1;
        }
    }
}

/// A numeric literal without its digit grouping, if the grouping is valid:
/// `_` between digits anywhere, `,` only between groups of three in the
/// integer part (`1,048,576`, not `1,5`).
fn ungroup(literal: &str) -> Option<String> {
    let integer_end = literal.find(['.', 'e', 'E']).unwrap_or(literal.len());
    let (integer, rest) = literal.split_at(integer_end);
    if rest.contains(',') {
        return None;
    }
    let mut groups = integer.split(',');
    let first_ok = groups.next().is_some_and(|g| !g.is_empty());
    let others_ok = groups.all(|g| g.chars().filter(char::is_ascii_digit).count() == 3);
    let underscores_ok = !literal.contains("__") && !literal.starts_with('_') && !literal.ends_with('_');
    (first_ok && others_ok && underscores_ok).then(|| literal.replace([',', '_'], ""))
}
