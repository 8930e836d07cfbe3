//! What a function under test returned, and how two results are compared.
//!
//! Comparison runs in three passes, and the first pass that finds something
//! wins: shapes (and the number of heads), then NaN/infinity, then values.
//! Numbers agree when they are within round-off of each other:
//!
//! ```text
//! |actual - expected| <= 1e-5 + 1e-4 · (largest |entry| of the expected matrix)
//! ```
//!
//! That admits any correct implementation (another summation order, f64
//! inside, explicit loops, a -1e9 fill) yet is far tighter than the change a
//! wrong scale or a wrong axis makes.

use crate::harness::verdict::{FailureKind, WeightMap};
use crate::prelude::{Mask, Matrix};
use approx::AbsDiffEq;
use nalgebra::{DMatrix, Scalar};
use std::fmt::{Display, Write};

/// Absolute part of the tolerance.
const ABSOLUTE_TOLERANCE: f32 = 1e-5;
/// Relative part of the tolerance, times the magnitude of the expected matrix.
const RELATIVE_TOLERANCE: f32 = 1e-4;

/// One returned value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A matrix of numbers.
    Matrix(Matrix),
    /// One matrix per head.
    Heads(Vec<Matrix>),
    /// A boolean mask.
    Mask(Mask),
    /// Several matrices, each with its own label (e.g. ` (call 2, head 0)`),
    /// appended to the value's name in messages.
    Labelled(Vec<(String, Matrix)>),
}

/// A returned value and its name (`weights`, `output`, `mask`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Output {
    /// The name, as the SPEC's signature table says.
    pub name: &'static str,
    /// The value.
    pub value: Value,
}

/// Everything one call returned, in the order it is computed (weights first).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outputs(pub Vec<Output>);

impl Outputs {
    /// The (output, weights) of a single-head attention.
    pub fn single_head((output, weights): (Matrix, Matrix)) -> Self {
        Outputs(vec![
            Output { name: "weights", value: Value::Matrix(weights) },
            Output { name: "output", value: Value::Matrix(output) },
        ])
    }

    /// The (output, weights per head) of a multi-head attention.
    pub fn multi_head((output, weights): (Matrix, Vec<Matrix>)) -> Self {
        Outputs(vec![
            Output { name: "weights", value: Value::Heads(weights) },
            Output { name: "output", value: Value::Matrix(output) },
        ])
    }

    /// The weights of a softmax.
    pub fn weights(weights: Matrix) -> Self {
        Outputs(vec![Output { name: "weights", value: Value::Matrix(weights) }])
    }

    /// A mask.
    pub fn mask(mask: Mask) -> Self {
        Outputs(vec![Output { name: "mask", value: Value::Mask(mask) }])
    }

    /// Every value, written out for a terminal (numbers with four decimals).
    pub fn render(&self) -> String {
        let mut text = String::new();
        for output in &self.0 {
            match &output.value {
                Value::Matrix(m) => section(&mut text, output.name, &super::format::rounded(m)),
                Value::Mask(m) => section(&mut text, output.name, &super::format::mask(m)),
                Value::Heads(heads) if heads.is_empty() => section(&mut text, output.name, "no heads"),
                Value::Heads(heads) => heads.iter().enumerate().for_each(|(h, m)| {
                    section(&mut text, &format!("{} (head {h})", output.name), &super::format::rounded(m))
                }),
                Value::Labelled(items) if items.is_empty() => section(&mut text, output.name, "none"),
                Value::Labelled(items) => items.iter().for_each(|(label, m)| {
                    section(&mut text, &format!("{}{label}", output.name), &super::format::rounded(m))
                }),
            }
        }
        text
    }
}

impl From<(Matrix, Matrix)> for Outputs {
    fn from(returned: (Matrix, Matrix)) -> Self {
        Outputs::single_head(returned)
    }
}

impl From<(Matrix, Vec<Matrix>)> for Outputs {
    fn from(returned: (Matrix, Vec<Matrix>)) -> Self {
        Outputs::multi_head(returned)
    }
}

impl From<Matrix> for Outputs {
    fn from(weights: Matrix) -> Self {
        Outputs::weights(weights)
    }
}

impl From<Mask> for Outputs {
    fn from(mask: Mask) -> Self {
        Outputs::mask(mask)
    }
}

/// Appends `title:` and `body` on the lines below it.
fn section(text: &mut String, title: &str, body: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    let _ = write!(text, "{title}:\n{body}");
}

/// How a result differs from what was expected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Discrepancy {
    /// Shape, NaN or values.
    pub kind: FailureKind,
    /// The property that does not hold, in words.
    pub property: String,
    /// The first differing entry or size, in words.
    pub first_difference: String,
}

/// The first way `actual` differs from `expected`, or `None` if it agrees.
pub(crate) fn discrepancy(expected: &Outputs, actual: &Outputs) -> Option<Discrepancy> {
    let pairs: Vec<(&Output, &Output)> = expected.0.iter().zip(&actual.0).collect();
    let find = |test: fn(&str, &Value, &Value) -> Option<Discrepancy>| {
        pairs.iter().find_map(|(e, a)| test(e.name, &e.value, &a.value))
    };
    find(shape_difference).or_else(|| find(non_finite_entry)).or_else(|| find(value_difference))
}

/// Whether two results agree: same shapes, NaN and infinities in the same
/// places, other entries within the tolerance of `a`'s magnitude.
pub(crate) fn agree(a: &Outputs, b: &Outputs) -> bool {
    a.0.len() == b.0.len()
        && a.0
            .iter()
            .zip(&b.0)
            .all(|(x, y)| shape_difference(x.name, &x.value, &y.value).is_none() && grids_agree(&x.value, &y.value))
}

/// Entry-by-entry agreement of two values of the same shape, NaN matching NaN.
fn grids_agree(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Mask(a), Value::Mask(b)) => a == b,
        _ => numbers(x).iter().zip(numbers(y)).all(|((_, a), (_, b))| {
            let tolerance = tolerance(a);
            a.iter().zip(b.iter()).all(|(&p, &q)| (p.is_nan() && q.is_nan()) || p == q || close(p, q, tolerance))
        }),
    }
}

/// Whether two finite entries are within `tolerance` of each other (NaN and infinities never are).
fn close(expected: f32, actual: f32, tolerance: f32) -> bool {
    expected.is_finite() && actual.is_finite() && expected.abs_diff_eq(&actual, tolerance)
}

/// The weights matrices (`weights` outputs) where `actual` differs from
/// `expected` but has the same shape, for the verdict's picture.
pub(crate) fn differing_weights(expected: &Outputs, actual: &Outputs) -> Vec<WeightMap> {
    let weights = |outputs: &Outputs| -> Vec<(String, Matrix)> {
        let named = outputs.0.iter().filter(|o| o.name == "weights");
        named
            .flat_map(|o| numbers(&o.value).into_iter().map(|(label, m)| (format!("weights{label}"), m.clone())))
            .collect()
    };
    weights(expected)
        .into_iter()
        .zip(weights(actual))
        .filter(|((_, e), (_, a))| e.shape() == a.shape())
        .map(|((name, expected), (_, actual))| {
            let tolerance = tolerance(&expected);
            WeightMap { name, expected, actual, tolerance }
        })
        .filter(|map| {
            map.expected
                .iter()
                .zip(map.actual.iter())
                .any(|(&e, &a)| !(close(e, a, map.tolerance) || e.to_bits() == a.to_bits()))
        })
        .collect()
}

/// The largest difference allowed from `expected`'s entries.
fn tolerance(expected: &Matrix) -> f32 {
    let magnitude = expected.iter().filter(|x| x.is_finite()).fold(0.0f32, |m, x| m.max(x.abs()));
    ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * magnitude
}

/// The numeric matrices of a value, each with the label that names it in messages.
fn numbers(value: &Value) -> Vec<(String, &Matrix)> {
    match value {
        Value::Matrix(m) => vec![(String::new(), m)],
        Value::Heads(heads) => heads.iter().enumerate().map(|(h, m)| (format!(" (head {h})"), m)).collect(),
        Value::Labelled(items) => items.iter().map(|(label, m)| (label.clone(), m)).collect(),
        Value::Mask(_) => Vec::new(),
    }
}

/// A different shape, or a different number of heads.
fn shape_difference(name: &str, expected: &Value, actual: &Value) -> Option<Discrepancy> {
    let wrong = |what: String| Discrepancy {
        kind: FailureKind::WrongShape,
        property: format!("{name}: same shape as the reference's"),
        first_difference: what,
    };
    let shape = |(r, c): (usize, usize)| format!("{r}×{c}");
    match (expected, actual) {
        (Value::Mask(e), Value::Mask(a)) if e.shape() != a.shape() => {
            Some(wrong(format!("{name}: expected {}, got {}", shape(e.shape()), shape(a.shape()))))
        }
        (Value::Heads(e), Value::Heads(a)) if e.len() != a.len() => {
            Some(wrong(format!("{name}: expected {} matrices (one per head), got {}", e.len(), a.len())))
        }
        (Value::Labelled(e), Value::Labelled(a)) if e.len() != a.len() => {
            let labels =
                |items: &[(String, Matrix)]| items.iter().map(|(l, _)| l.trim()).collect::<Vec<_>>().join(", ");
            Some(wrong(format!("{name}: expected {} matrices ({}), got {}", e.len(), labels(e), a.len())))
        }
        _ => numbers(expected).into_iter().zip(numbers(actual)).find_map(|((label, e), (_, a))| {
            (e.shape() != a.shape())
                .then(|| wrong(format!("{name}{label}: expected {}, got {}", shape(e.shape()), shape(a.shape()))))
        }),
    }
}

/// A NaN or an infinity where the expected entry is finite.
fn non_finite_entry(name: &str, expected: &Value, actual: &Value) -> Option<Discrepancy> {
    first_entry(name, expected, actual, |e, a| e.is_finite() && !a.is_finite()).map(|first_difference| Discrepancy {
        kind: FailureKind::NotFinite,
        property: format!("{name}: no NaN or infinity"),
        first_difference,
    })
}

/// An entry further from the expected one than the tolerance (or a differing mask entry).
fn value_difference(name: &str, expected: &Value, actual: &Value) -> Option<Discrepancy> {
    let first_difference = match (expected, actual) {
        (Value::Mask(e), Value::Mask(a)) => first_in(name, e, a, |x, y| x != y),
        _ => numbers(expected).into_iter().zip(numbers(actual)).find_map(|((label, e), (_, a))| {
            let tolerance = tolerance(e);
            first_in(&format!("{name}{label}"), e, a, |x, y| !close(x, y, tolerance))
        }),
    };
    let same = match expected {
        Value::Mask(_) => "same entries as the reference's",
        _ => "same values as the reference's, within round-off",
    };
    first_difference.map(|first_difference| Discrepancy {
        kind: FailureKind::WrongValues,
        property: format!("{name}: {same}"),
        first_difference,
    })
}

/// The first entry (over all matrices of a value) where `differs(expected, actual)`.
fn first_entry(name: &str, expected: &Value, actual: &Value, differs: impl Fn(f32, f32) -> bool) -> Option<String> {
    numbers(expected)
        .into_iter()
        .zip(numbers(actual))
        .find_map(|((label, e), (_, a))| first_in(&format!("{name}{label}"), e, a, &differs))
}

/// The first entry, row by row, where `differs(expected, actual)`, described in words.
fn first_in<T: Scalar + Copy + Display>(
    label: &str,
    expected: &DMatrix<T>,
    actual: &DMatrix<T>,
    differs: impl Fn(T, T) -> bool,
) -> Option<String> {
    let (rows, cols) = expected.shape();
    let mut cells = (0..rows).flat_map(|i| (0..cols).map(move |j| (i, j)));
    let (i, j) = cells.find(|&c| differs(expected[c], actual[c]))?;
    Some(format!("{label}[{i}, {j}]: expected {}, got {}", expected[(i, j)], actual[(i, j)]))
}
