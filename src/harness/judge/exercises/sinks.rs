//! `sinks`: `attention_with_sink(q, k, v, sink, mask) -> (output, weights)`.
//!
//! Besides equality with the reference, every case compares the weights' row
//! sums (at most 1: the sink takes the rest), and a sink of −∞ is compared
//! with plain scaled dot-product attention itself.

use super::sdpa::{Sequences, mask_of};
use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::{Draw, keep_columns, removable};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{Knobs, MaskStage, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::prelude::{Mask, Matrix};
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Sinks;

/// How the sink twin uses the sink logit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkRule {
    /// One more logit in the stabilised denominator, no value: correct.
    Correct,
    /// The sink divided by sqrt(d_k).
    Scaled,
    /// The sink's weight multiplies the first value row, into the output.
    HasValue,
    /// Added to every score: plain softmax (NaN for a sink of −∞).
    AddedToScores,
    /// exp of the raw scores and sink, no max subtracted (f32).
    Unstable,
    /// The returned weights renormalised to sum to 1 (the output as computed).
    Renormalised,
}

/// Names of the outputs.
const WEIGHTS: &str = "weights";
const OUTPUT: &str = "output";
const PLAIN_WEIGHTS: &str = "weights (a sink of -inf is plain SDPA)";
const PLAIN_OUTPUT: &str = "output (a sink of -inf is plain SDPA)";
const ROW_SUMS: &str = "row sums of the weights (at most 1: the sink takes the rest)";

/// One input: queries, keys, values, mask and the sink logit.
#[derive(Debug, Clone)]
pub(crate) struct SinkCase {
    /// q, k, v and the mask.
    pub seq: Sequences,
    /// The sink logit.
    pub sink: f32,
}

/// The sum of each row, as a column (f64 inside).
fn row_sums(m: &Matrix) -> Matrix {
    Matrix::from_fn(m.nrows(), 1, |r, _| m.row(r).iter().map(|&a| f64::from(a)).sum::<f64>() as f32)
}

/// The outputs of one call, under the given names, with the row sums.
fn outputs((output, weights): (Matrix, Matrix), (w_name, o_name): (&'static str, &'static str)) -> Outputs {
    let sums = row_sums(&weights);
    Outputs(vec![
        Output { name: w_name, value: Value::Matrix(weights) },
        Output { name: o_name, value: Value::Matrix(output) },
        Output { name: ROW_SUMS, value: Value::Matrix(sums) },
    ])
}

/// What the learner's function returned.
#[derive(Debug, Clone)]
pub(crate) struct SinkReturned(pub (Matrix, Matrix));

impl Decode for SinkReturned {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(SinkReturned(Decode::decode(input)?))
    }
}

impl From<SinkReturned> for Outputs {
    fn from(SinkReturned(returned): SinkReturned) -> Self {
        outputs(returned, (WEIGHTS, OUTPUT))
    }
}

/// The sink twin: one head with a sink logit, as the knobs say.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (output (l_q × d_v), weights (l_q × l_k)).
fn attention_with_sink(c: &SinkCase, knobs: &Knobs) -> (Matrix, Matrix) {
    let Sequences { q, k, v, mask } = &c.seq;
    let (l_q, l_k, d_k) = (q.nrows(), k.nrows(), q.ncols());
    let rule = knobs.sink;
    let root = (d_k as f64).sqrt();
    let sink = if rule == SinkRule::Scaled { f64::from(c.sink) / root } else { f64::from(c.sink) };
    let mask = mask.as_ref().filter(|_| knobs.mask_stage != MaskStage::Never);
    let mut weights = Matrix::zeros(l_q, l_k);
    let mut output = Matrix::zeros(l_q, v.ncols());
    for i in 0..l_q {
        let allowed: Vec<usize> = (0..l_k).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let score = |j: usize| (0..d_k).map(|t| f64::from(q[(i, t)]) * f64::from(k[(j, t)])).sum::<f64>() / root;
        let sink_weight;
        if rule == SinkRule::Unstable {
            let e: Vec<f32> = allowed.iter().map(|&j| (score(j) as f32).exp()).collect();
            let denominator = (sink as f32).exp() + e.iter().sum::<f32>();
            for (&j, e) in allowed.iter().zip(&e) {
                weights[(i, j)] = e / denominator;
            }
            sink_weight = ((sink as f32).exp() / denominator) as f64;
        } else if rule == SinkRule::AddedToScores {
            // s_ij + sink in a plain softmax: the constant cancels (and −∞ gives NaN).
            let biased = |j: usize| score(j) + sink;
            let top = allowed.iter().map(|&j| biased(j)).fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = allowed.iter().map(|&j| (biased(j) - top).exp()).collect();
            let denominator: f64 = e.iter().sum();
            for (&j, e) in allowed.iter().zip(&e) {
                weights[(i, j)] = (e / denominator) as f32;
            }
            sink_weight = if allowed.is_empty() { 1.0 } else { 0.0 };
        } else if let Some(top) = allowed.iter().map(|&j| score(j)).reduce(f64::max) {
            let with_sink = sink > f64::NEG_INFINITY;
            let top = if with_sink { top.max(sink) } else { top };
            let e_sink = if with_sink { (sink - top).exp() } else { 0.0 };
            let e: Vec<f64> = allowed.iter().map(|&j| (score(j) - top).exp()).collect();
            let denominator = e_sink + e.iter().sum::<f64>();
            for (&j, e) in allowed.iter().zip(&e) {
                weights[(i, j)] = (e / denominator) as f32;
            }
            sink_weight = e_sink / denominator;
        } else {
            sink_weight = 1.0;
        }
        for d in 0..v.ncols() {
            let mut sum: f64 = allowed.iter().map(|&j| f64::from(weights[(i, j)]) * f64::from(v[(j, d)])).sum();
            if rule == SinkRule::HasValue && l_k > 0 {
                sum += sink_weight * f64::from(v[(0, d)]);
            }
            output[(i, d)] = sum as f32;
        }
        if rule == SinkRule::Renormalised {
            let total: f32 = weights.row(i).sum();
            if total > 0.0 {
                weights.row_mut(i).iter_mut().for_each(|w| *w /= total);
            }
        }
    }
    (output, weights)
}

/// Whether some row of the mask allows nothing.
fn has_fully_masked_row(seq: &Sequences) -> bool {
    seq.mask.as_ref().is_some_and(|m| m.row_iter().any(|r| r.iter().all(|&a| !a)))
}

impl SinkCase {
    /// A case from a seed.
    fn seeded(seed: u64, lengths: (usize, usize), widths: (usize, usize), mask: Option<Mask>, sink: f32) -> Self {
        SinkCase { seq: Sequences::seeded(seed, lengths, (widths.0, widths.0, widths.1), mask), sink }
    }

    /// Whether the case is one the judge asks about: a sink of −∞ only with
    /// some allowed key in every row (−∞ then means "no sink", and the SPEC's
    /// stability rule is about finite logits).
    fn fits(&self) -> bool {
        self.sink > f32::NEG_INFINITY || !has_fully_masked_row(&self.seq)
    }
}

impl Arbitrary for SinkCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let (d_k, d_v) = (draw.size(), draw.size());
        let seq = Sequences::draw(&mut draw, d_k, d_k, d_v);
        let sink = match draw.pick(&[0, 1, 2, 2, 2, 3]) {
            0 => f32::NEG_INFINITY,
            1 => 0.0,
            2 => draw.pick(&[-2.0, -1.0, -0.5, 0.3, 0.7, 1.0, 1.5, 2.5]),
            _ => draw.pick(&[-1000.0, 1000.0]),
        };
        let case = SinkCase { seq, sink };
        if case.fits() { case } else { SinkCase { sink: 0.0, ..case } }
    }

    /// Smaller sequences (as for sdpa), then a sink of 0 or rounded.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let seq = &self.seq;
        let mut smaller: Vec<Sequences> = seq.fewer_positions();
        smaller.extend(removable(seq.q.ncols()).map(|c| Sequences {
            q: keep_columns(&seq.q, |j| j == c),
            k: keep_columns(&seq.k, |j| j == c),
            ..seq.clone()
        }));
        smaller
            .extend(removable(seq.v.ncols()).map(|c| Sequences { v: keep_columns(&seq.v, |j| j == c), ..seq.clone() }));
        smaller.extend(seq.simpler());
        let mut cases: Vec<SinkCase> = smaller.into_iter().map(|seq| SinkCase { seq, sink: self.sink }).collect();
        if self.sink.is_finite() && self.sink != 0.0 {
            cases.push(SinkCase { sink: 0.0, ..self.clone() });
            if self.sink.round() != self.sink {
                cases.push(SinkCase { sink: self.sink.round(), ..self.clone() });
            }
        }
        cases.retain(SinkCase::fits);
        Box::new(cases.into_iter())
    }
}

impl Exercise for Sinks {
    type Function = fn(&Matrix, &Matrix, &Matrix, f32, Option<&Mask>) -> (Matrix, Matrix);
    type Input = SinkCase;
    const NAME: &'static str = "sinks";
    const REFERENCE: Self::Function = reference::attention_with_sink;

    type Returned = SinkReturned;

    fn encode(c: &SinkCase) -> Vec<u8> {
        let s = &c.seq;
        to_bytes(&(&s.q, &s.k, &s.v, c.sink, &s.mask))
    }

    /// The reference's result; with a sink of −∞, plain SDPA's.
    fn call(function: Self::Function, c: &SinkCase) -> Outputs {
        let s = &c.seq;
        if c.sink == f32::NEG_INFINITY {
            let plain = reference::scaled_dot_product_attention(&s.q, &s.k, &s.v, s.mask.as_ref());
            return outputs(plain, (PLAIN_WEIGHTS, PLAIN_OUTPUT));
        }
        outputs(function(&s.q, &s.k, &s.v, c.sink, s.mask.as_ref()), (WEIGHTS, OUTPUT))
    }

    fn twin(knobs: &Knobs, c: &SinkCase) -> Outputs {
        SinkReturned(attention_with_sink(c, knobs)).into()
    }

    fn edge_cases() -> Vec<(&'static str, SinkCase)> {
        let m = Matrix::from_row_slice;
        let one = Sequences { q: m(1, 1, &[0.5]), k: m(1, 1, &[-1.0]), v: m(1, 1, &[2.0]), mask: None };
        let near_1000 = Sequences {
            q: m(1, 1, &[1000.0]),
            k: m(2, 1, &[1.0, 1.0]),
            v: m(2, 2, &[0.5, -1.0, 2.0, 0.3]),
            mask: None,
        };
        let large = Sequences {
            q: m(2, 1, &[1000.0, -1000.0]),
            k: m(3, 1, &[1.0, 1.0, 0.0]),
            v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
            mask: None,
        };
        let fully_masked = mask_of(3, 3, &[1, 0, 1, 0, 0, 0, 0, 1, 1]);
        vec![
            ("one query, one key, width 1, sink 0", SinkCase { seq: one, sink: 0.0 }),
            ("d_k = 4, d_v = 2, sink 1.5", SinkCase::seeded(51, (2, 3), (4, 2), None, 1.5)),
            (
                "a fully masked row (only the sink is left)",
                SinkCase::seeded(52, (3, 3), (2, 2), Some(fully_masked), 0.5),
            ),
            ("a sink of 1000 next to scores of 1000", SinkCase { seq: near_1000, sink: 1000.0 }),
            ("a sink of -1000 with scores of +-1000", SinkCase { seq: large, sink: -1000.0 }),
            ("a sink of 1000 takes (almost) everything", SinkCase::seeded(53, (2, 2), (2, 3), None, 1000.0)),
            (
                "a sink of -inf is plain SDPA (causal mask)",
                SinkCase::seeded(54, (3, 3), (2, 2), Some(reference::causal_mask(3)), f32::NEG_INFINITY),
            ),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, sink| Mutant { mistake, knobs: Knobs { sink, ..Knobs::CORRECT } };
        vec![
            rule(m::SINK_UNSTABLE, SinkRule::Unstable),
            rule(m::SINK_SCALED, SinkRule::Scaled),
            rule(m::SINK_HAS_VALUE, SinkRule::HasValue),
            rule(m::SINK_RENORMALISED, SinkRule::Renormalised),
            rule(m::SINK_ADDED_TO_SCORES, SinkRule::AddedToScores),
            Mutant { mistake: m::MASK_IGNORED, knobs: Knobs { mask_stage: MaskStage::Never, ..Knobs::CORRECT } },
        ]
    }

    fn arguments(c: &SinkCase) -> Vec<(String, String)> {
        let mut arguments = c.seq.qkv_arguments();
        arguments.push(("sink".to_string(), c.sink.to_string()));
        arguments.push(c.seq.mask_argument());
        arguments
    }
}
