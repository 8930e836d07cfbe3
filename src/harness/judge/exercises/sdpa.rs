//! `sdpa`: `scaled_dot_product_attention(q, k, v, mask) -> (output, weights)`.
//!
//! Also home of [`Sequences`], the queries, keys, values and mask that
//! additive attention shares.

use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::{
    Draw, keep_columns, keep_rows, mask_without_key, mask_without_query, removable, simpler_matrix,
};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::outputs::Outputs;
use crate::harness::judge::{format, twins};
use crate::prelude::{Mask, Matrix};
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Sdpa;

/// Queries (l_q × d_q), keys (l_k × d_k), values (l_k × d_v) and a mask (l_q × l_k).
#[derive(Debug, Clone)]
pub(crate) struct Sequences {
    /// Queries.
    pub q: Matrix,
    /// Keys.
    pub k: Matrix,
    /// Values.
    pub v: Matrix,
    /// Mask, if any.
    pub mask: Option<Mask>,
}

impl Sequences {
    /// Random sequences of random lengths and the given widths.
    pub fn draw(draw: &mut Draw, d_q: usize, d_k: usize, d_v: usize) -> Self {
        let (l_q, l_k) = (draw.size(), draw.size());
        let (q, k, v) = (draw.sequence(l_q, d_q), draw.sequence(l_k, d_k), draw.sequence(l_k, d_v));
        Sequences { q, k, v, mask: draw.mask(l_q, l_k) }
    }

    /// Fixed sequences from a seed, with the given mask (for the edge cases).
    pub fn seeded(
        seed: u64,
        (l_q, l_k): (usize, usize),
        (d_q, d_k, d_v): (usize, usize, usize),
        mask: Option<Mask>,
    ) -> Self {
        let mut draw = Draw::seeded(seed);
        let (q, k, v) = (draw.sequence(l_q, d_q), draw.sequence(l_k, d_k), draw.sequence(l_k, d_v));
        Sequences { q, k, v, mask }
    }

    /// One query fewer, or one key (and its value) fewer.
    pub fn fewer_positions(&self) -> Vec<Self> {
        let queries = removable(self.q.nrows()).map(|i| Sequences {
            q: keep_rows(&self.q, |r| r == i),
            mask: mask_without_query(&self.mask, i),
            ..self.clone()
        });
        let keys = removable(self.k.nrows()).map(|j| Sequences {
            k: keep_rows(&self.k, |r| r == j),
            v: keep_rows(&self.v, |r| r == j),
            mask: mask_without_key(&self.mask, j),
            ..self.clone()
        });
        queries.chain(keys).collect()
    }

    /// No mask, or one of q, k, v all zero or with integer entries.
    pub fn simpler(&self) -> Vec<Self> {
        let no_mask = self.mask.is_some().then(|| Sequences { mask: None, ..self.clone() });
        let q = simpler_matrix(&self.q).into_iter().map(|q| Sequences { q, ..self.clone() });
        let k = simpler_matrix(&self.k).into_iter().map(|k| Sequences { k, ..self.clone() });
        let v = simpler_matrix(&self.v).into_iter().map(|v| Sequences { v, ..self.clone() });
        no_mask.into_iter().chain(q).chain(k).chain(v).collect()
    }

    /// `q`, `k`, `v` rendered.
    pub fn qkv_arguments(&self) -> Vec<(String, String)> {
        [("q", &self.q), ("k", &self.k), ("v", &self.v)].map(|(n, m)| (n.to_string(), format::exact(m))).to_vec()
    }

    /// `mask` rendered.
    pub fn mask_argument(&self) -> (String, String) {
        ("mask".to_string(), format::optional_mask(self.mask.as_ref()))
    }
}

impl Arbitrary for Sequences {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let (d_k, d_v) = (draw.size(), draw.size());
        Sequences::draw(&mut draw, d_k, d_k, d_v)
    }

    /// Fewer positions, narrower q/k (d_k) or v (d_v), then simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let d_k = self.q.ncols();
        let narrower_qk = removable(d_k).map(|c| Sequences {
            q: keep_columns(&self.q, |j| j == c),
            k: keep_columns(&self.k, |j| j == c),
            ..self.clone()
        });
        let d_v = self.v.ncols();
        let narrower_v = removable(d_v).map(|c| Sequences { v: keep_columns(&self.v, |j| j == c), ..self.clone() });
        let mut smaller = self.fewer_positions();
        smaller.extend(narrower_qk.chain(narrower_v));
        smaller.extend(self.simpler());
        Box::new(smaller.into_iter())
    }
}

/// d_k = 1 and integer entries, so the scores are exact: in row 0 a masked
/// key scores 20001 against allowed scores 1 and 2; in row 1 the one allowed
/// key scores -20001 and the masked ones -1 and -2. An implementation that
/// lets a masked key set the row's maximum (then masks or renormalises)
/// underflows every allowed `exp` to 0 there; a -1e4 fill beats the allowed
/// score of row 1. A -1e9 or -inf fill gets both rows right. (Three keys, as
/// in every edge case: a mistake that needs four is left to random cases.)
fn masked_keys_dominate() -> Sequences {
    let m = Matrix::from_row_slice;
    Sequences {
        q: m(2, 1, &[1.0, -1.0]),
        k: m(3, 1, &[20001.0, 1.0, 2.0]),
        v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
        mask: Some(mask_of(2, 3, &[0, 1, 1, 1, 0, 0])),
    }
}

/// A (rows × cols) mask from 0/1 entries, row by row.
pub(crate) fn mask_of(rows: usize, cols: usize, allowed: &[u8]) -> Mask {
    Mask::from_fn(rows, cols, |i, j| allowed[i * cols + j] == 1)
}

impl Exercise for Sdpa {
    type Function = fn(&Matrix, &Matrix, &Matrix, Option<&Mask>) -> (Matrix, Matrix);
    type Input = Sequences;
    const NAME: &'static str = "sdpa";
    const REFERENCE: Self::Function = reference::scaled_dot_product_attention;

    type Returned = (Matrix, Matrix);

    fn encode(s: &Sequences) -> Vec<u8> {
        to_bytes(&(&s.q, &s.k, &s.v, &s.mask))
    }

    fn call(function: Self::Function, s: &Sequences) -> Outputs {
        Outputs::single_head(function(&s.q, &s.k, &s.v, s.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, s: &Sequences) -> Outputs {
        Outputs::single_head(twins::scaled_dot_product(&s.q, &s.k, &s.v, s.mask.as_ref(), knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Sequences)> {
        let m = Matrix::from_row_slice;
        let large = Sequences {
            q: m(2, 1, &[1000.0, -1000.0]),
            k: m(3, 1, &[1.0, 1.0, 0.0]),
            v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
            mask: None,
        };
        vec![
            (
                "one query, one key, width 1",
                Sequences { q: m(1, 1, &[0.5]), k: m(1, 1, &[-1.0]), v: m(1, 1, &[2.0]), mask: None },
            ),
            ("l_q != l_k and d_k != d_v", Sequences::seeded(1, (2, 3), (4, 4, 2), None)),
            ("d_k = 1", Sequences::seeded(2, (3, 2), (1, 1, 3), None)),
            (
                "a fully masked row",
                Sequences::seeded(3, (3, 3), (2, 2, 2), Some(mask_of(3, 3, &[1, 0, 1, 0, 0, 0, 0, 1, 1]))),
            ),
            ("causal mask", Sequences::seeded(4, (3, 3), (2, 2, 3), Some(reference::causal_mask(3)))),
            ("large logits (|score| >= 1000)", large),
            ("masked keys dominate their rows (by ~20000; an allowed score of -20001)", masked_keys_dominate()),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [
            knobs::SCALE,
            knobs::SCALE_STAGE,
            knobs::VALUE_WIDTH_SCALE,
            knobs::SOFTMAX,
            knobs::SOFTMAX_WHOLE,
            knobs::WEIGHTING,
            knobs::MASK,
            knobs::AVERAGED,
        ]
        .concat()
    }

    fn arguments(s: &Sequences) -> Vec<(String, String)> {
        let mut arguments = s.qkv_arguments();
        arguments.push(s.mask_argument());
        arguments
    }
}
