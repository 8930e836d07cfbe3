//! The inputs shared by the five multi-head exercises (mha, self_attention,
//! cross_attention, gated, gqa), with their generation, shrinking and edge cases.
//!
//! All five are read as grouped-query attention with an optional gate: G = H
//! except in gqa, a gate only in gated. What differs is the [`Form`]: which
//! sequences the function takes and which of them feeds the queries, keys and
//! values.

use crate::harness::judge::draw::{
    Draw, drop_inputs, drop_outputs, keep_columns, keep_rows, mask_without_key, mask_without_query, removable,
    simpler_layers, simpler_matrix,
};
use crate::harness::judge::format;
use crate::harness::judge::knobs::Knobs;
use crate::harness::judge::twins::{self, HeadsArgs};
use crate::layers::{GroupedQueryWeights, Linear, MultiHeadWeights};
use crate::prelude::{Mask, Matrix};
use crate::reference;
use quickcheck::{Arbitrary, Gen};
use std::marker::PhantomData;

/// Which sequences a multi-head exercise takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sources {
    /// `query`, `key`, `value` (mha, gqa).
    Separate,
    /// `x` alone: queries, keys and values all come from it (self_attention, gated).
    SelfTied,
    /// `x` for the queries, `memory` for keys and values (cross_attention).
    Cross,
}

impl Sources {
    /// The argument names of the sequences, in signature order.
    fn names(self) -> &'static [&'static str] {
        match self {
            Sources::Separate => &["query", "key", "value"],
            Sources::SelfTied => &["x"],
            Sources::Cross => &["x", "memory"],
        }
    }

    /// Which sequence feeds (queries, keys, values).
    fn roles(self) -> (usize, usize, usize) {
        match self {
            Sources::Separate => (0, 1, 2),
            Sources::SelfTied => (0, 0, 0),
            Sources::Cross => (0, 1, 1),
        }
    }
}

/// What sets one multi-head exercise apart from the others.
pub(crate) trait Form: Clone + 'static {
    /// The sequences it takes.
    const SOURCES: Sources;
    /// Whether it has a gate.
    const GATED: bool;
    /// Whether G may differ from H.
    const GROUPED: bool;
}

/// The sizes of one case.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Number of queries.
    pub l_q: usize,
    /// Number of keys (ignored when queries and keys are the same sequence).
    pub l_k: usize,
    /// Input width D.
    pub d_model: usize,
    /// Query heads H.
    pub heads: usize,
    /// Key/value heads G (ignored unless grouped).
    pub kv_heads: usize,
    /// Per-head width of queries, keys and values (the SPEC's multi-head
    /// variants read the block [h·d_k, (h+1)·d_k) of Q, K and V alike).
    pub d_k: usize,
}

/// One input of a multi-head exercise of form `F`.
#[derive(Debug, Clone)]
pub(crate) struct HeadsCase<F> {
    /// The sequences, named and ordered as [`Sources::names`] says.
    pub sequences: Vec<Matrix>,
    /// Projections and head counts (G = H unless the form is grouped).
    pub w: GroupedQueryWeights,
    /// The gate, for gated forms.
    pub gate: Option<Linear>,
    /// Mask (l_q × l_k), if any.
    pub mask: Option<Mask>,
    form: PhantomData<F>,
}

impl<F: Form> HeadsCase<F> {
    /// A case of the given shape with entries from `draw`.
    pub fn build(shape: Shape, draw: &mut Draw, mask: impl FnOnce(&mut Draw, usize, usize) -> Option<Mask>) -> Self {
        let Shape { l_q, d_model, d_k, heads, .. } = shape;
        let l_k = if F::SOURCES == Sources::SelfTied { l_q } else { shape.l_k };
        let kv_heads = if F::GROUPED { shape.kv_heads } else { heads };
        let sequences =
            (0..F::SOURCES.names().len()).map(|s| draw.sequence(if s == 0 { l_q } else { l_k }, d_model)).collect();
        let w = GroupedQueryWeights {
            q: draw.linear(d_model, heads * d_k),
            k: draw.linear(d_model, kv_heads * d_k),
            v: draw.linear(d_model, kv_heads * d_k),
            o: draw.linear(heads * d_k, d_model), // the output has the input's width D
            num_heads: heads,
            num_kv_heads: kv_heads,
        };
        let gate = F::GATED.then(|| draw.linear(d_model, heads * d_k));
        let mask = mask(draw, l_q, l_k);
        HeadsCase { sequences, w, gate, mask, form: PhantomData }
    }

    /// The queries' input.
    pub fn query(&self) -> &Matrix {
        &self.sequences[F::SOURCES.roles().0]
    }

    /// The keys' input.
    pub fn key(&self) -> &Matrix {
        &self.sequences[F::SOURCES.roles().1]
    }

    /// The values' input.
    pub fn value(&self) -> &Matrix {
        &self.sequences[F::SOURCES.roles().2]
    }

    /// The weights as the non-grouped exercises take them (G = H there).
    pub fn multi_head_weights(&self) -> MultiHeadWeights {
        let w = &self.w;
        MultiHeadWeights { q: w.q.clone(), k: w.k.clone(), v: w.v.clone(), o: w.o.clone(), num_heads: w.num_heads }
    }

    /// The buggy twin on this case; cross-attention's sources follow the `routing` knob.
    pub fn twin(&self, knobs: &Knobs) -> (Matrix, Vec<Matrix>) {
        let (query, key, value) = match F::SOURCES {
            Sources::Cross => knobs.routing.pick(&self.sequences[0], &self.sequences[1]),
            _ => (self.query(), self.key(), self.value()),
        };
        let args = HeadsArgs { query, key, value, w: &self.w, gate: self.gate.as_ref(), mask: self.mask.as_ref() };
        twins::multi_head(&args, knobs)
    }

    /// The arguments in signature order: sequences, weights, mask.
    pub fn arguments(&self) -> Vec<(String, String)> {
        let mut arguments: Vec<(String, String)> =
            F::SOURCES.names().iter().zip(&self.sequences).map(|(n, m)| (n.to_string(), format::exact(m))).collect();
        let prefix = if F::GATED { "w.attn" } else { "w" };
        for (name, layer) in [("q", &self.w.q), ("k", &self.w.k), ("v", &self.w.v), ("o", &self.w.o)] {
            arguments.extend(format::linear(&format!("{prefix}.{name}"), layer));
        }
        arguments.push((format!("{prefix}.num_heads"), self.w.num_heads.to_string()));
        if F::GROUPED {
            arguments.push(("w.num_kv_heads".to_string(), self.w.num_kv_heads.to_string()));
        }
        if let Some(gate) = &self.gate {
            arguments.extend(format::linear("w.gate", gate));
        }
        arguments.push(("mask".to_string(), format::optional_mask(self.mask.as_ref())));
        arguments
    }

    /// Per-head query/key width.
    fn d_k(&self) -> usize {
        self.w.q.out_features() / self.w.num_heads
    }

    /// Per-head value width.
    fn d_v(&self) -> usize {
        self.w.v.out_features() / self.w.num_kv_heads
    }

    /// The same case with other weights.
    fn with_weights(&self, w: GroupedQueryWeights, gate: Option<Linear>) -> Self {
        HeadsCase { w, gate, ..self.clone() }
    }

    /// Without query position `i` (and, when queries are keys, key position `i`).
    fn without_query(&self, i: usize) -> Self {
        let (q_role, k_role, _) = F::SOURCES.roles();
        let mut mask = mask_without_query(&self.mask, i);
        if k_role == q_role {
            mask = mask_without_key(&mask, i);
        }
        let sequences = self
            .sequences
            .iter()
            .enumerate()
            .map(|(s, m)| if s == q_role { keep_rows(m, |r| r == i) } else { m.clone() });
        HeadsCase { sequences: sequences.collect(), mask, ..self.clone() }
    }

    /// Without key position `j` (and its value), when keys are not the queries.
    fn without_key(&self, j: usize) -> Self {
        let q_role = F::SOURCES.roles().0;
        let sequences = self
            .sequences
            .iter()
            .enumerate()
            .map(|(s, m)| if s != q_role { keep_rows(m, |r| r == j) } else { m.clone() });
        HeadsCase { sequences: sequences.collect(), mask: mask_without_key(&self.mask, j), ..self.clone() }
    }

    /// Without the input features `drop` names: columns of every sequence, rows of every input projection.
    fn without_features(&self, drop: impl Fn(usize) -> bool + Copy) -> Self {
        let w = GroupedQueryWeights {
            q: drop_inputs(&self.w.q, drop),
            k: drop_inputs(&self.w.k, drop),
            v: drop_inputs(&self.w.v, drop),
            ..self.w.clone()
        };
        let sequences = self.sequences.iter().map(|m| keep_columns(m, drop)).collect();
        HeadsCase { sequences, ..self.with_weights(w, self.gate.as_ref().map(|g| drop_inputs(g, drop))) }
    }

    /// Without the query heads and key/value heads the two predicates name.
    fn without_heads(&self, drop_head: impl Fn(usize) -> bool, drop_kv_head: impl Fn(usize) -> bool) -> Self {
        let (d_k, d_v, w) = (self.d_k(), self.d_v(), &self.w);
        let kept = |n: usize, drop: &dyn Fn(usize) -> bool| (0..n).filter(|&h| !drop(h)).count();
        let w = GroupedQueryWeights {
            q: drop_outputs(&w.q, |c| drop_head(c / d_k)),
            k: drop_outputs(&w.k, |c| drop_kv_head(c / d_k)),
            v: drop_outputs(&w.v, |c| drop_kv_head(c / d_v)),
            o: drop_inputs(&w.o, |r| drop_head(r / d_v)),
            num_heads: kept(w.num_heads, &drop_head),
            num_kv_heads: kept(w.num_kv_heads, &drop_kv_head),
        };
        self.with_weights(w, self.gate.as_ref().map(|g| drop_outputs(g, |c| drop_head(c / d_v))))
    }

    /// Every head one query/key feature narrower (feature `t` of each head).
    fn narrower_keys(&self, t: usize) -> Self {
        let d_k = self.d_k();
        let drop = |c: usize| c % d_k == t;
        let w = GroupedQueryWeights {
            q: drop_outputs(&self.w.q, drop),
            k: drop_outputs(&self.w.k, drop),
            ..self.w.clone()
        };
        self.with_weights(w, self.gate.clone())
    }

    /// Every head one value feature narrower (feature `t` of each head).
    fn narrower_values(&self, t: usize) -> Self {
        let d_v = self.d_v();
        let drop = |c: usize| c % d_v == t;
        let w =
            GroupedQueryWeights { v: drop_outputs(&self.w.v, drop), o: drop_inputs(&self.w.o, drop), ..self.w.clone() };
        self.with_weights(w, self.gate.as_ref().map(|g| drop_outputs(g, drop)))
    }

    /// Candidates with fewer positions, heads or features.
    fn smaller_shapes(&self) -> Vec<Self> {
        let (l_q, l_k, d_model) = (self.query().nrows(), self.key().nrows(), self.query().ncols());
        let (heads, kv_heads, d_k) = (self.w.num_heads, self.w.num_kv_heads, self.d_k());
        let group = heads / kv_heads;
        let keys_are_queries = F::SOURCES == Sources::SelfTied;
        let mut smaller: Vec<Self> = removable(l_q).map(|i| self.without_query(i)).collect();
        smaller.extend(removable(l_k).filter(|_| !keys_are_queries).map(|j| self.without_key(j)));
        // Keys and values narrow together, keeping d_v = d_k.
        let narrower = |t: usize| self.narrower_values(t).narrower_keys(t);
        if F::GROUPED {
            smaller.extend(removable(kv_heads).map(|g| self.without_heads(|h| h / group == g, |j| j == g)));
            smaller.extend(removable(group).map(|t| self.without_heads(|h| h % group == t, |_| false)));
            smaller.extend(removable(d_model).map(|c| self.without_features(|r| r == c)));
            smaller.extend(removable(d_k).map(narrower));
        } else {
            // The SPEC's multi-head variants have D = H·d_k: a head or a head
            // feature goes together with the input features of the same width.
            let without_head =
                |g: usize| self.without_heads(|h| h == g, |j| j == g).without_features(move |r| r / d_k == g);
            smaller.extend(removable(heads).map(without_head));
            smaller.extend(removable(d_k).map(|t| narrower(t).without_features(move |r| r % d_k == t)));
        }
        smaller
    }

    /// Candidates with no mask, zero or integer inputs and weights, or zero biases.
    fn simpler_values(&self) -> Vec<Self> {
        let mut simpler: Vec<Self> = self.mask.iter().map(|_| HeadsCase { mask: None, ..self.clone() }).collect();
        for (s, m) in self.sequences.iter().enumerate() {
            simpler.extend(simpler_matrix(m).into_iter().map(|r| {
                let mut case = self.clone();
                case.sequences[s] = r;
                case
            }));
        }
        let w = &self.w;
        let replace = |role: usize, layer: Linear| {
            let mut w = w.clone();
            *[&mut w.q, &mut w.k, &mut w.v, &mut w.o][role] = layer;
            self.with_weights(w, self.gate.clone())
        };
        for (role, layer) in [&w.q, &w.k, &w.v, &w.o].into_iter().enumerate() {
            simpler.extend(simpler_layers(layer).into_iter().map(|l| replace(role, l)));
        }
        if let Some(gate) = &self.gate {
            simpler.extend(simpler_layers(gate).into_iter().map(|g| self.with_weights(w.clone(), Some(g))));
        }
        simpler
    }
}

impl<F: Form> Arbitrary for HeadsCase<F> {
    /// The SPEC's shapes: d_v = d_k, output width D, and D = H·d_k except, now and then, for grouped-query attention.
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let heads: usize = draw.pick(&[1, 2, 3, 4]);
        let divisors: Vec<usize> = (1..=heads).filter(|&g| heads.is_multiple_of(g)).collect();
        let kv_heads = draw.pick(&divisors);
        let d_k = draw.pick(&[1, 2, 3]);
        // D = H·d_k, as the SPEC's multi-head weights are (D × D); grouped-query
        // attention may also have H·d_k ≠ D, as some of its fixtures do.
        let d_model = if F::GROUPED && draw.chance(0.2) { draw.size() } else { heads * d_k };
        let (l_q, l_k) = (draw.size(), draw.size());
        let shape = Shape { l_q, l_k, d_model, heads, kv_heads, d_k };
        HeadsCase::build(shape, &mut draw, |draw, l_q, l_k| draw.mask(l_q, l_k))
    }

    /// Smaller shapes first, then simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller = self.smaller_shapes();
        smaller.extend(self.simpler_values());
        Box::new(smaller.into_iter())
    }
}

/// The edge cases every multi-head exercise of form `F` starts with.
pub(crate) fn edge_cases<F: Form>() -> Vec<(&'static str, HeadsCase<F>)> {
    let shape = |(l_q, l_k), d_model, (heads, kv_heads), d_k| Shape { l_q, l_k, d_model, heads, kv_heads, d_k };
    let case = |seed, shape, mask: fn(&mut Draw, usize, usize) -> Option<Mask>| {
        HeadsCase::<F>::build(shape, &mut Draw::seeded(seed), mask)
    };
    let no_mask = |_: &mut Draw, _, _| None;
    // Row 1 fully masked, the others partly.
    let one_row_fully_masked =
        |_: &mut Draw, l_q, l_k| Some(Mask::from_fn(l_q, l_k, |i, j| i != 1 && (i + j) % 3 != 1));
    let causal = |_: &mut Draw, l_q, _| Some(reference::causal_mask(l_q));
    let mut cases = vec![
        ("one query, one key (l = 1)", case(21, shape((1, 1), 4, (2, 2), 2), no_mask)),
        ("one head (H = 1)", case(22, shape((3, 2), 3, (1, 1), 3), no_mask)),
        ("D heads (d_k = 1)", case(23, shape((2, 3), 3, (3, 3), 1), no_mask)),
        ("two heads of width 2, nonzero biases", case(24, shape((2, 3), 4, (2, 2), 2), no_mask)),
        ("a fully masked row", case(27, shape((3, 3), 4, (2, 2), 2), one_row_fully_masked)),
        ("causal mask", case(28, shape((3, 3), 4, (2, 2), 2), causal)),
        ("large logits (|score| >= 1000)", large_logits()),
        ("masked keys dominate their rows (by ~1000 and ~20000; an allowed score of -20000)", masked_keys_dominate()),
    ];
    if F::GROUPED {
        cases.push(("input width D != H·d_k", case(26, shape((2, 3), 3, (2, 2), 2), no_mask)));
        cases.push(("G = 1 (multi-query)", case(29, shape((2, 3), 4, (2, 1), 2), no_mask)));
        cases.push(("H = 4 query heads over G = 2 key/value heads", case(30, shape((2, 3), 4, (4, 2), 1), no_mask)));
    }
    cases
}

/// Two heads with d_k = 1, W_q = W_k = I and no q/k bias, every sequence the
/// same X, so head h scores query i against key j as X[i, h]·X[j, h],
/// exactly. In head 0 query 0 may attend to keys scoring 1 and 2 while a
/// masked key scores 1000; in head 1 query 2 may only attend to a key scoring
/// -20000 while its masked keys score ±1. A masked key that sets the row's
/// maximum underflows every allowed `exp` to 0 there, and a -1e4 fill beats
/// the allowed score; a -1e9 or -inf fill gets every row right.
fn masked_keys_dominate<F: Form>() -> HeadsCase<F> {
    let shape = Shape { l_q: 3, l_k: 3, d_model: 2, heads: 2, kv_heads: 2, d_k: 1 };
    let allowed = [[1, 1, 0], [1, 1, 1], [0, 1, 0]];
    let mask = move |_: &mut Draw, _, _| Some(Mask::from_fn(3, 3, |i, j| allowed[i][j] == 1));
    let mut case = HeadsCase::<F>::build(shape, &mut Draw::seeded(32), mask);
    let x = Matrix::from_row_slice(3, 2, &[1.0, 1.0, 2.0, 20000.0, 1000.0, -1.0]);
    case.sequences.iter_mut().for_each(|m| *m = x.clone());
    case.w.q = Linear::without_bias(Matrix::identity(2, 2));
    case.w.k = Linear::without_bias(Matrix::identity(2, 2));
    case
}

/// Two heads with d_k = 1, integer inputs and W_q = 1000·I, W_k = I, no q/k
/// bias: every score is an exact multiple of 1000, so any correct
/// implementation gets the same (one-hot or tied) weights.
fn large_logits<F: Form>() -> HeadsCase<F> {
    let shape = Shape { l_q: 2, l_k: 3, d_model: 2, heads: 2, kv_heads: 2, d_k: 1 };
    let mut case = HeadsCase::<F>::build(shape, &mut Draw::seeded(31), |_, _, _| None);
    const PATTERN: [f32; 4] = [1.0, -2.0, -1.0, 2.0];
    for (s, m) in case.sequences.iter_mut().enumerate() {
        *m = Matrix::from_fn(m.nrows(), 2, |i, j| PATTERN[(3 * i + j + s) % 4]);
    }
    case.w.q = Linear::without_bias(Matrix::identity(2, 2) * 1000.0);
    case.w.k = Linear::without_bias(Matrix::identity(2, 2));
    case
}
