//! `rope`: `apply_rope(x, positions, head_dim, rope) -> Matrix`.
//!
//! Besides equality with the reference, every case checks a property of the
//! result alone: a rotation keeps lengths, so each row of the result has the
//! length of the same row of x (the results do not carry head_dim or the
//! pairing, so the judge checks whole rows; pair by pair follows from the
//! equality with the reference).
//!
//! Also home of [`rotate`], the RoPE twin the `kv_cache` twin rotates with.

use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::{Draw, keep_columns, keep_rows, removable, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::format;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::layers::{Rope, RopeStyle};
use crate::prelude::Matrix;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct RopeExercise;

/// How the RoPE twin rotates; every setting but `Correct` is one classic mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RopeRule {
    /// θ_i = base^(−2i/d), the style's pairs, +angle, per head, positions as given: correct.
    Correct,
    /// θ_i = base^(−i/d).
    ThetaIOverD,
    /// Interleaved and half-split swapped.
    OtherPairing,
    /// Rotation by −angle.
    NegativeAngle,
    /// The whole row rotated as one head of its full width.
    AcrossHeads,
    /// Row r rotated at position r, whatever `positions` says.
    RowIndex,
}

/// The name of the property output.
const ROW_NORMS: &str = "row norms (RoPE keeps each row's length)";

/// One input: x (L × n·head_dim), a position per row, head_dim, the settings.
#[derive(Debug, Clone)]
pub(crate) struct RopeCase {
    /// The rows to rotate.
    pub x: Matrix,
    /// One position per row.
    pub positions: Vec<usize>,
    /// Width of one head block (even).
    pub head_dim: usize,
    /// Base and pairing.
    pub rope: Rope,
}

/// The RoPE twin: rotates every head block of every row of `x`, as `rule` says.
///
/// Shapes: x (L × n·head_dim), positions (L) -> (L × n·head_dim).
pub(crate) fn rotate(x: &Matrix, positions: &[usize], head_dim: usize, rope: &Rope, rule: RopeRule) -> Matrix {
    let head_dim = if rule == RopeRule::AcrossHeads { x.ncols() } else { head_dim };
    let half = head_dim / 2;
    let style = match (rule, rope.style) {
        (RopeRule::OtherPairing, RopeStyle::Interleaved) => RopeStyle::HalfSplit,
        (RopeRule::OtherPairing, RopeStyle::HalfSplit) => RopeStyle::Interleaved,
        (_, style) => style,
    };
    let exponent = if rule == RopeRule::ThetaIOverD { 1.0 } else { 2.0 };
    let sign = if rule == RopeRule::NegativeAngle { -1.0 } else { 1.0 };
    let mut out = x.clone();
    for r in 0..x.nrows() {
        let position = if rule == RopeRule::RowIndex { r } else { positions[r] };
        for block in (0..x.ncols()).step_by(head_dim.max(1)) {
            for i in 0..half {
                let theta = f64::from(rope.base).powf(-exponent * i as f64 / head_dim as f64);
                let angle = sign * position as f64 * theta;
                let (c, s) = (angle.cos(), angle.sin());
                let (first, second) = match style {
                    RopeStyle::Interleaved => (block + 2 * i, block + 2 * i + 1),
                    RopeStyle::HalfSplit => (block + i, block + i + half),
                };
                let (a, b) = (f64::from(x[(r, first)]), f64::from(x[(r, second)]));
                out[(r, first)] = (a * c - b * s) as f32;
                out[(r, second)] = (a * s + b * c) as f32;
            }
        }
    }
    out
}

/// The length of every row, as a column.
fn row_norms(m: &Matrix) -> Matrix {
    Matrix::from_fn(m.nrows(), 1, |r, _| {
        m.row(r).iter().map(|&a| f64::from(a) * f64::from(a)).sum::<f64>().sqrt() as f32
    })
}

/// What the learner's `apply_rope` returned.
#[derive(Debug, Clone)]
pub(crate) struct Rotated(pub Matrix);

impl Decode for Rotated {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(Rotated(Matrix::decode(input)?))
    }
}

impl From<Rotated> for Outputs {
    /// The rotated rows, and their lengths (the property).
    fn from(Rotated(rotated): Rotated) -> Self {
        let norms = row_norms(&rotated);
        outputs(rotated, norms)
    }
}

/// The outputs of one call: the rotated rows and the row norms to compare.
fn outputs(rotated: Matrix, norms: Matrix) -> Outputs {
    Outputs(vec![
        Output { name: "output", value: Value::Matrix(rotated) },
        Output { name: ROW_NORMS, value: Value::Matrix(norms) },
    ])
}

impl RopeCase {
    /// A case from `draw` with the given sizes.
    fn build(draw: &mut Draw, rows: usize, heads: usize, head_dim: usize, rope: Rope, positions: Vec<usize>) -> Self {
        debug_assert_eq!(positions.len(), rows);
        RopeCase { x: draw.sequence(rows, heads * head_dim), positions, head_dim, rope }
    }

    /// The case without row `r`.
    fn without_row(&self, r: usize) -> Self {
        let mut positions = self.positions.clone();
        positions.remove(r);
        RopeCase { x: keep_rows(&self.x, |i| i == r), positions, ..self.clone() }
    }

    /// The case without head block `h`.
    fn without_head(&self, h: usize) -> Self {
        let d = self.head_dim;
        RopeCase { x: keep_columns(&self.x, |c| c / d == h), ..self.clone() }
    }

    /// Every head one pair narrower (pair `i` of each block).
    fn without_pair(&self, i: usize) -> Self {
        let d = self.head_dim;
        let dropped = |c: usize| match self.rope.style {
            RopeStyle::Interleaved => (c % d) / 2 == i,
            RopeStyle::HalfSplit => c % d == i || c % d == i + d / 2,
        };
        RopeCase { x: keep_columns(&self.x, dropped), head_dim: d - 2, ..self.clone() }
    }
}

impl Arbitrary for RopeCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let rows = draw.size();
        let heads = draw.pick(&[1, 1, 2, 3]);
        let head_dim = draw.pick(&[2, 4, 4, 6, 8]);
        let base = draw.pick(&[10_000.0, 10_000.0, 500_000.0, 100.0, 10.0, 2.0]);
        let style = draw.pick(&[RopeStyle::Interleaved, RopeStyle::HalfSplit]);
        // pos·θ_0 = pos radians: keep it below 50 (the SPEC's precision note).
        let far = draw.chance(0.3);
        let positions = (0..rows).map(|_| if far { draw.pick(&[20, 31, 42, 49]) } else { draw.size() - 1 }).collect();
        RopeCase::build(&mut draw, rows, heads, head_dim, Rope { base, style }, positions)
    }

    /// Fewer rows, heads or pairs; smaller positions; simpler x; base 10 000.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller: Vec<Self> = removable(self.x.nrows()).map(|r| self.without_row(r)).collect();
        smaller.extend(removable(self.x.ncols() / self.head_dim).map(|h| self.without_head(h)));
        if self.head_dim > 2 {
            smaller.extend((0..self.head_dim / 2).map(|i| self.without_pair(i)));
        }
        for (r, &p) in self.positions.iter().enumerate() {
            for q in [1, p / 2, p.saturating_sub(1)] {
                if q < p {
                    let mut positions = self.positions.clone();
                    positions[r] = q;
                    smaller.push(RopeCase { positions, ..self.clone() });
                }
            }
        }
        smaller.extend(simpler_matrix(&self.x).into_iter().map(|x| RopeCase { x, ..self.clone() }));
        if self.rope.base != 10_000.0 {
            smaller.push(RopeCase { rope: Rope { base: 10_000.0, ..self.rope }, ..self.clone() });
        }
        Box::new(smaller.into_iter())
    }
}

impl Exercise for RopeExercise {
    type Function = fn(&Matrix, &[usize], usize, &Rope) -> Matrix;
    type Input = RopeCase;
    const NAME: &'static str = "rope";
    const REFERENCE: Self::Function = reference::apply_rope;

    type Returned = Rotated;

    fn encode(c: &RopeCase) -> Vec<u8> {
        to_bytes(&(&c.x, &c.positions, c.head_dim, &c.rope))
    }

    /// The reference's rotation, and the lengths of the rows of x.
    fn call(function: Self::Function, c: &RopeCase) -> Outputs {
        outputs(function(&c.x, &c.positions, c.head_dim, &c.rope), row_norms(&c.x))
    }

    fn twin(knobs: &Knobs, c: &RopeCase) -> Outputs {
        Rotated(rotate(&c.x, &c.positions, c.head_dim, &c.rope, knobs.rope)).into()
    }

    fn edge_cases() -> Vec<(&'static str, RopeCase)> {
        let (interleaved, half) = (RopeStyle::Interleaved, RopeStyle::HalfSplit);
        let rope = |base, style| Rope { base, style };
        let case = |seed, rows, heads, head_dim, rope, positions: &[usize]| {
            RopeCase::build(&mut Draw::seeded(seed), rows, heads, head_dim, rope, positions.to_vec())
        };
        vec![
            (
                "one row, head_dim 2",
                RopeCase {
                    x: Matrix::from_row_slice(1, 2, &[1.0, 0.5]),
                    positions: vec![3],
                    head_dim: 2,
                    rope: rope(10_000.0, interleaved),
                },
            ),
            ("position 0 and later positions, interleaved", case(41, 3, 1, 4, rope(10_000.0, interleaved), &[0, 1, 2])),
            ("two heads of width 4, half-split", case(42, 2, 2, 4, rope(10_000.0, half), &[1, 3])),
            ("positions far from 0 (pos·θ_0 up to 49 rad)", case(43, 3, 1, 6, rope(100.0, interleaved), &[37, 45, 49])),
            ("positions out of order and repeated", case(44, 3, 2, 2, rope(10.0, half), &[5, 2, 5])),
            ("head_dim 8, base 500 000", case(45, 2, 1, 8, rope(500_000.0, half), &[7, 30])),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, rope| Mutant { mistake, knobs: Knobs { rope, ..Knobs::CORRECT } };
        vec![
            rule(m::ROPE_ROW_INDEX_AS_POSITION, RopeRule::RowIndex),
            rule(m::ROPE_ACROSS_HEADS, RopeRule::AcrossHeads),
            rule(m::ROPE_WRONG_PAIRING, RopeRule::OtherPairing),
            rule(m::ROPE_NEGATIVE_ANGLE, RopeRule::NegativeAngle),
            rule(m::ROPE_THETA_EXPONENT, RopeRule::ThetaIOverD),
        ]
    }

    fn arguments(c: &RopeCase) -> Vec<(String, String)> {
        vec![
            ("x".to_string(), format::exact(&c.x)),
            ("positions".to_string(), format!("{:?}", c.positions)),
            ("head_dim".to_string(), c.head_dim.to_string()),
            ("rope".to_string(), format!("Rope {{ base: {:?}, style: RopeStyle::{:?} }}", c.rope.base, c.rope.style)),
        ]
    }
}
