//! `sinusoidal`: `sinusoidal_positions(len, d_model) -> Matrix`.
//!
//! Besides equality with the reference, every case checks a property of the
//! result alone: each (sin, cos) pair of columns (2i, 2i+1) lies on the unit
//! circle, so the length of every pair is 1 (the halves layout and swapped
//! frequencies break it; the reference's table is only needed for the rest).

use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::Draw;
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::prelude::Matrix;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Sinusoidal;

/// How the sinusoidal twin fills its table; every setting but `Correct` is one classic mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PositionsRule {
    /// Interleaved sin/cos, ω_i = 10000^(−2i/d), positions from 0: correct.
    Correct,
    /// `[sin | cos]` halves: column i is sin(p·ω_i), column d/2 + i cos(p·ω_i).
    Halves,
    /// cos in the even columns, sin in the odd ones.
    SinCosSwapped,
    /// ω_i = 10000^(−i/d) with i the pair index.
    ExponentIOverD,
    /// ω = 10000^(−c/d) with c the column, so the two columns of a pair differ.
    ColumnExponent,
    /// Row r holds position r + 1.
    PositionsFromOne,
}

/// The name of the property output.
const PAIR_NORMS: &str = "pair lengths sqrt(PE[p, 2i]² + PE[p, 2i+1]²) (every pair lies on the unit circle)";

/// One input: a length and an even width.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PositionsCase {
    /// Number of positions (rows).
    pub len: usize,
    /// Width (even).
    pub d_model: usize,
}

/// The sinusoidal twin, in f64, as `rule` says.
///
/// Shapes: len, d_model -> (len × d_model).
pub(crate) fn table(len: usize, d_model: usize, rule: PositionsRule) -> Matrix {
    let d = d_model as f64;
    let frequency = |column: usize| {
        let exponent = match rule {
            PositionsRule::ExponentIOverD => (column / 2) as f64 / d,
            PositionsRule::ColumnExponent => column as f64 / d,
            _ => 2.0 * (column / 2) as f64 / d,
        };
        10_000f64.powf(-exponent)
    };
    let shift = if rule == PositionsRule::PositionsFromOne { 1 } else { 0 };
    Matrix::from_fn(len, d_model, |r, c| {
        let p = (r + shift) as f64;
        let value = match rule {
            PositionsRule::Halves if c < d_model / 2 => (p * frequency(2 * c)).sin(),
            PositionsRule::Halves => (p * frequency(2 * (c - d_model / 2))).cos(),
            PositionsRule::SinCosSwapped if c % 2 == 0 => (p * frequency(c)).cos(),
            PositionsRule::SinCosSwapped => (p * frequency(c)).sin(),
            _ if c % 2 == 0 => (p * frequency(c)).sin(),
            _ => (p * frequency(c)).cos(),
        };
        value as f32
    })
}

/// The length of every column pair (2i, 2i+1), (len × d/2); an odd last column stands alone.
fn pair_norms(pe: &Matrix) -> Matrix {
    let pairs = pe.ncols().div_ceil(2);
    Matrix::from_fn(pe.nrows(), pairs, |r, i| {
        let a = f64::from(pe[(r, 2 * i)]);
        let b = if 2 * i + 1 < pe.ncols() { f64::from(pe[(r, 2 * i + 1)]) } else { 0.0 };
        (a * a + b * b).sqrt() as f32
    })
}

/// What the learner's `sinusoidal_positions` returned.
#[derive(Debug, Clone)]
pub(crate) struct Table(pub Matrix);

impl Decode for Table {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(Table(Matrix::decode(input)?))
    }
}

impl From<Table> for Outputs {
    /// The table, and the lengths of its pairs (the property).
    fn from(Table(pe): Table) -> Self {
        let norms = pair_norms(&pe);
        outputs(pe, norms)
    }
}

/// The outputs of one call: the table and its pair lengths.
fn outputs(pe: Matrix, norms: Matrix) -> Outputs {
    Outputs(vec![
        Output { name: "output", value: Value::Matrix(pe) },
        Output { name: PAIR_NORMS, value: Value::Matrix(norms) },
    ])
}

impl Arbitrary for PositionsCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        // p·ω_0 = p radians stays below 50 (the SPEC's precision note).
        let len = if draw.chance(0.2) { draw.pick(&[20, 33, 50]) } else { draw.pick(&[1, 2, 3, 4, 5, 6, 8]) };
        let d_model = draw.pick(&[2, 4, 4, 6, 8, 10, 12]);
        PositionsCase { len, d_model }
    }

    /// Fewer positions, then fewer pairs.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let PositionsCase { len, d_model } = *self;
        let mut smaller: Vec<Self> =
            [1, len / 2, len - 1].into_iter().filter(|&l| l >= 1 && l < len).map(|len| Self { len, d_model }).collect();
        smaller.dedup_by_key(|c| c.len);
        smaller
            .extend([2, d_model - 2].into_iter().filter(|&d| d >= 2 && d < d_model).map(|d| Self { len, d_model: d }));
        Box::new(smaller.into_iter())
    }
}

impl Exercise for Sinusoidal {
    type Function = fn(usize, usize) -> Matrix;
    type Input = PositionsCase;
    const NAME: &'static str = "sinusoidal";
    const REFERENCE: Self::Function = reference::sinusoidal_positions;

    type Returned = Table;

    fn encode(c: &PositionsCase) -> Vec<u8> {
        to_bytes(&(c.len, c.d_model))
    }

    /// The reference's table, and pair lengths of exactly 1.
    fn call(function: Self::Function, c: &PositionsCase) -> Outputs {
        outputs(function(c.len, c.d_model), Matrix::from_element(c.len, c.d_model / 2, 1.0))
    }

    fn twin(knobs: &Knobs, c: &PositionsCase) -> Outputs {
        Table(table(c.len, c.d_model, knobs.positions)).into()
    }

    fn edge_cases() -> Vec<(&'static str, PositionsCase)> {
        let case = |len, d_model| PositionsCase { len, d_model };
        vec![
            ("one position (p = 0 is [0, 1, 0, 1])", case(1, 4)),
            ("one pair (d_model = 2)", case(3, 2)),
            ("four pairs", case(5, 8)),
            ("three pairs, twelve positions", case(12, 6)),
            ("positions up to 49 (p·ω_0 up to 49 rad)", case(50, 4)),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, positions| Mutant { mistake, knobs: Knobs { positions, ..Knobs::CORRECT } };
        vec![
            rule(m::SINUSOIDAL_HALVES, PositionsRule::Halves),
            rule(m::SINUSOIDAL_SIN_COS_SWAPPED, PositionsRule::SinCosSwapped),
            rule(m::SINUSOIDAL_EXPONENT_I_OVER_D, PositionsRule::ExponentIOverD),
            rule(m::SINUSOIDAL_COLUMN_EXPONENT, PositionsRule::ColumnExponent),
            rule(m::SINUSOIDAL_POSITIONS_FROM_ONE, PositionsRule::PositionsFromOne),
        ]
    }

    fn arguments(c: &PositionsCase) -> Vec<(String, String)> {
        vec![("len".to_string(), c.len.to_string()), ("d_model".to_string(), c.d_model.to_string())]
    }
}
