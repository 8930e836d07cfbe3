//! `softmax`: `softmax_rows(scores: &Matrix) -> Matrix`.

use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::{Draw, keep_columns, keep_rows, removable, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::outputs::Outputs;
use crate::harness::judge::{format, twins};
use crate::prelude::Matrix;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Softmax;

/// A matrix of scores, one row per query.
#[derive(Debug, Clone)]
pub(crate) struct Scores(pub Matrix);

impl Arbitrary for Scores {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let (rows, cols) = (draw.size(), draw.size());
        Scores(draw.sequence(rows, cols))
    }

    /// Fewer rows, fewer columns, then all zeros or integer entries.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let m = &self.0;
        let rows = removable(m.nrows()).map(|i| keep_rows(m, |r| r == i));
        let cols = removable(m.ncols()).map(|j| keep_columns(m, |c| c == j));
        let smaller: Vec<Scores> = rows.chain(cols).chain(simpler_matrix(m)).map(Scores).collect();
        Box::new(smaller.into_iter())
    }
}

impl Exercise for Softmax {
    type Function = fn(&Matrix) -> Matrix;
    type Input = Scores;
    const NAME: &'static str = "softmax";
    const REFERENCE: Self::Function = reference::softmax_rows;
    type Returned = Matrix;

    fn encode(input: &Scores) -> Vec<u8> {
        to_bytes(&input.0)
    }

    fn call(function: Self::Function, input: &Scores) -> Outputs {
        Outputs::weights(function(&input.0))
    }

    fn twin(knobs: &Knobs, input: &Scores) -> Outputs {
        Outputs::weights(twins::softmax(&input.0, None, knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Scores)> {
        let m = |rows, cols, entries: &[f32]| Scores(Matrix::from_row_slice(rows, cols, entries));
        vec![
            ("a single entry", m(1, 1, &[0.5])),
            ("one key per query (a single column)", m(3, 1, &[1.0, -2.0, 0.5])),
            ("one query (a single row)", m(1, 4, &[0.5, -1.0, 2.0, 0.0])),
            ("more keys than queries", m(2, 3, &[0.1, 0.7, -0.4, 1.5, -0.3, 0.2])),
            ("large logits (|score| >= 1000)", m(2, 3, &[1000.0, 1001.0, 999.0, -1000.0, -1002.0, -1001.0])),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [knobs::SOFTMAX, knobs::SOFTMAX_WHOLE, knobs::WEIGHTING].concat()
    }

    fn arguments(input: &Scores) -> Vec<(String, String)> {
        vec![("scores".to_string(), format::exact(&input.0))]
    }
}
