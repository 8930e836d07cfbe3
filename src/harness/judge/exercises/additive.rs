//! `additive`: `additive_attention(q, k, v, w, mask) -> (output, weights)`.

use super::sdpa::{Sequences, mask_of};
use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::{Draw, keep_columns, keep_rows, removable, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::outputs::Outputs;
use crate::harness::judge::{format, twins};
use crate::layers::AdditiveWeights;
use crate::prelude::{Mask, Matrix, RowVector};
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Additive;

/// Queries (l_q × d_q), keys (l_k × d_k), values, mask, and the weights
/// W_q (d_q × d_a), W_k (d_k × d_a), v_a (d_a).
#[derive(Debug, Clone)]
pub(crate) struct AdditiveCase {
    /// Queries, keys, values and mask.
    pub seq: Sequences,
    /// The score network.
    pub w: AdditiveWeights,
}

impl AdditiveCase {
    /// The same case with other sequences.
    fn with_sequences(&self, seq: Sequences) -> Self {
        AdditiveCase { seq, w: self.w.clone() }
    }

    /// The same case with other weights.
    fn with_weights(&self, w: AdditiveWeights) -> Self {
        AdditiveCase { seq: self.seq.clone(), w }
    }

    /// One fewer query feature, key feature, value feature or alignment feature.
    fn narrower(&self) -> Vec<Self> {
        let (s, w) = (&self.seq, &self.w);
        let queries = removable(s.q.ncols()).map(|c| AdditiveCase {
            seq: Sequences { q: keep_columns(&s.q, |j| j == c), ..s.clone() },
            w: AdditiveWeights { w_q: keep_rows(&w.w_q, |r| r == c), ..w.clone() },
        });
        let keys = removable(s.k.ncols()).map(|c| AdditiveCase {
            seq: Sequences { k: keep_columns(&s.k, |j| j == c), ..s.clone() },
            w: AdditiveWeights { w_k: keep_rows(&w.w_k, |r| r == c), ..w.clone() },
        });
        let values = removable(s.v.ncols())
            .map(|c| self.with_sequences(Sequences { v: keep_columns(&s.v, |j| j == c), ..s.clone() }));
        let alignment = removable(w.v_a.len()).map(|c| {
            let v_a: Vec<f32> = w.v_a.iter().enumerate().filter(|&(j, _)| j != c).map(|(_, &x)| x).collect();
            self.with_weights(AdditiveWeights {
                w_q: keep_columns(&w.w_q, |j| j == c),
                w_k: keep_columns(&w.w_k, |j| j == c),
                v_a: RowVector::from_row_slice(&v_a),
            })
        });
        queries.chain(keys).chain(values).chain(alignment).collect()
    }

    /// Simpler weights: one of W_q, W_k, v_a all zero or with integer entries.
    fn simpler_weights(&self) -> Vec<Self> {
        let w = &self.w;
        let w_q = simpler_matrix(&w.w_q).into_iter().map(|w_q| AdditiveWeights { w_q, ..w.clone() });
        let w_k = simpler_matrix(&w.w_k).into_iter().map(|w_k| AdditiveWeights { w_k, ..w.clone() });
        let v_a = simpler_matrix(&Matrix::from_row_slice(1, w.v_a.len(), w.v_a.as_slice()))
            .into_iter()
            .map(|v_a| AdditiveWeights { v_a: RowVector::from_row_slice(v_a.as_slice()), ..w.clone() });
        w_q.chain(w_k).chain(v_a).map(|w| self.with_weights(w)).collect()
    }
}

impl Arbitrary for AdditiveCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let (d_q, d_k, d_v, d_a) = (draw.size(), draw.size(), draw.size(), draw.size());
        let seq = Sequences::draw(&mut draw, d_q, d_k, d_v);
        let v_a = RowVector::from_row_slice(draw.weight(1, d_a).as_slice());
        AdditiveCase { seq, w: AdditiveWeights { w_q: draw.weight(d_q, d_a), w_k: draw.weight(d_k, d_a), v_a } }
    }

    /// Fewer positions, narrower, then simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller: Vec<Self> = self.seq.fewer_positions().into_iter().map(|s| self.with_sequences(s)).collect();
        smaller.extend(self.narrower());
        smaller.extend(self.seq.simpler().into_iter().map(|s| self.with_sequences(s)));
        smaller.extend(self.simpler_weights());
        Box::new(smaller.into_iter())
    }
}

impl Exercise for Additive {
    type Function = fn(&Matrix, &Matrix, &Matrix, &AdditiveWeights, Option<&Mask>) -> (Matrix, Matrix);
    type Input = AdditiveCase;
    const NAME: &'static str = "additive";
    const REFERENCE: Self::Function = reference::additive_attention;

    type Returned = (Matrix, Matrix);

    fn encode(c: &AdditiveCase) -> Vec<u8> {
        to_bytes(&(&c.seq.q, &c.seq.k, &c.seq.v, &c.w, &c.seq.mask))
    }

    fn call(function: Self::Function, c: &AdditiveCase) -> Outputs {
        Outputs::single_head(function(&c.seq.q, &c.seq.k, &c.seq.v, &c.w, c.seq.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &AdditiveCase) -> Outputs {
        Outputs::single_head(twins::additive(&c.seq.q, &c.seq.k, &c.seq.v, &c.w, c.seq.mask.as_ref(), knobs))
    }

    fn edge_cases() -> Vec<(&'static str, AdditiveCase)> {
        let m = Matrix::from_row_slice;
        let row = RowVector::from_row_slice;
        let seeded = |seed, lengths, widths, d_a, mask| {
            let mut draw = Draw::seeded(seed + 100);
            let (d_q, d_k, _) = widths;
            let w = AdditiveWeights {
                w_q: draw.weight(d_q, d_a),
                w_k: draw.weight(d_k, d_a),
                v_a: row(draw.weight(1, d_a).as_slice()),
            };
            AdditiveCase { seq: Sequences::seeded(seed, lengths, widths, mask), w }
        };
        let single = AdditiveCase {
            seq: Sequences { q: m(1, 1, &[0.5]), k: m(1, 1, &[-1.0]), v: m(1, 1, &[2.0]), mask: None },
            w: AdditiveWeights { w_q: m(1, 1, &[0.3]), w_k: m(1, 1, &[0.7]), v_a: row(&[1.5]) },
        };
        // tanh saturates to exactly ±1, so the scores are exact multiples of 1000.
        let large = AdditiveCase {
            seq: Sequences {
                q: m(2, 1, &[1.0, -1.0]),
                k: m(3, 1, &[1.0, -1.0, 2.0]),
                v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
                mask: None,
            },
            w: AdditiveWeights { w_q: m(1, 2, &[40.0, 0.0]), w_k: m(1, 2, &[10.0, 10.0]), v_a: row(&[1000.0, 2000.0]) },
        };
        // The same network ten times larger: scores are exact multiples of 10000.
        // Row 0 may only attend to a key scoring -10000 while two masked keys
        // score 30000; row 1's masked key only ties.
        let dominated = AdditiveCase {
            seq: Sequences { mask: Some(mask_of(2, 3, &[0, 1, 0, 1, 1, 0])), ..large.seq.clone() },
            w: AdditiveWeights { v_a: row(&[10000.0, 20000.0]), ..large.w.clone() },
        };
        vec![
            ("one query, one key, every width 1", single),
            ("l_q != l_k and d_q, d_k, d_v, d_a all different", seeded(11, (2, 3), (3, 2, 1), 4, None)),
            ("a fully masked row", seeded(12, (3, 3), (2, 2, 2), 2, Some(mask_of(3, 3, &[1, 0, 1, 0, 0, 0, 0, 1, 1])))),
            ("causal mask", seeded(13, (3, 3), (2, 3, 2), 3, Some(reference::causal_mask(3)))),
            ("large logits (|score| >= 1000)", large),
            ("masked keys dominate their row (by 40000; the allowed score is -10000)", dominated),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [knobs::ADDITIVE, knobs::SOFTMAX, knobs::SOFTMAX_WHOLE, knobs::WEIGHTING, knobs::MASK, knobs::AVERAGED].concat()
    }

    fn arguments(c: &AdditiveCase) -> Vec<(String, String)> {
        let mut arguments = c.seq.qkv_arguments();
        arguments.push(("w.w_q".to_string(), format::exact(&c.w.w_q)));
        arguments.push(("w.w_k".to_string(), format::exact(&c.w.w_k)));
        arguments.push(("w.v_a".to_string(), format::row(&c.w.v_a)));
        arguments.push(c.seq.mask_argument());
        arguments
    }
}
