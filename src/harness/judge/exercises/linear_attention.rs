//! `linear_attention`: `linear_attention(q, k, v, causal) -> Matrix`.
//!
//! Besides equality with the reference (the recurrence over prefix sums),
//! every case compares the output with the explicit weights form computed
//! here, `out_i = Σ_j w_ij·v_j` with `w_ij = φ(q_i)·φ(k_j)ᵀ / (Σ_j' φ(q_i)·φ(k_j')ᵀ + ε)`
//! over the visible keys: the causal prefix sums equal the masked explicit
//! weights. Edge cases put keys where φ(k) ≈ 1e-6 is as small as ε (so ε's
//! place shows) and queries and keys at −30 (where elu alone is −1).
//!
//! Memory: two cases of l = 512, d = 4 (causal and not) are held to a heap
//! budget of a few (l × d) sequences and (l × d_k·d_v) prefix states; the
//! l × l matrix φ(Q)·φ(K)ᵀ alone is 1 MiB of f32 there.

use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::{Draw, keep_columns, keep_rows, removable, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::format;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes::{self as m, MistakeInfo};
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::harness::judge::twins;
use crate::prelude::Matrix;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct LinearAttention;

/// How the linear-attention twin computes; every setting but `Correct` is one classic mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinearRule {
    /// φ = elu + 1 (exp(x) below 0), ε once per row, inclusive prefix sums: correct.
    Correct,
    /// φ = elu: x for x > 0, exp(x) − 1 below.
    EluWithoutOne,
    /// φ = exp everywhere.
    PhiExp,
    /// φ(x ≤ 0) computed in f32 as (exp(x) − 1) + 1.
    NaiveElu,
    /// φ(q / sqrt(d_k)): the 1/sqrt(d_k) of softmax attention kept.
    QueriesScaled,
    /// Plain softmax attention (scaled, causal when asked).
    SoftmaxLeftIn,
    /// No ε in the denominator.
    EpsMissing,
    /// ε added to every entry of z (φ(q)·(z + ε)).
    EpsPerEntry,
    /// Causal sums over j < a_i: the current key left out.
    ExclusivePrefix,
    /// φ(q)·S without dividing by φ(q)·z + ε.
    NoNormaliser,
    /// Causal aligned top-left: query i sees keys j ≤ i.
    TopLeft,
    /// `causal` ignored: every query sees every key.
    CausalIgnored,
}

/// Name of the property output.
const EXPLICIT: &str = "output, against the explicit weights form Σ_j w_ij·v_j (prefix sums = masked weights)";

/// Cases with at least this many (query, key) pairs are held to a heap budget.
const MEASURED_PAIRS: usize = 1 << 16;
/// Length of the memory cases.
const MEMORY_LENGTH: usize = 512;
/// Width of the memory cases (d_k = d_v).
const MEMORY_WIDTH: usize = 4;
/// How many (l × d) sequences a call may hold: q, k, v, φ(q), φ(k), the output, in f64 too, and spare.
const SEQUENCES: usize = 16;
/// How many (l × d_k·d_v) prefix states a call may hold (every S_i kept, in f64 too).
const STATES: usize = 4;
/// A fixed allowance on top, for small bookkeeping.
const FIXED_ALLOWANCE: usize = 64 * 1024;

/// One input: queries, keys, values and causality.
#[derive(Debug, Clone)]
pub(crate) struct LinearCase {
    /// Queries (l_q × d_k).
    pub q: Matrix,
    /// Keys (l_k × d_k).
    pub k: Matrix,
    /// Values (l_k × d_v).
    pub v: Matrix,
    /// Causal (then l_q ≤ l_k, aligned bottom-right).
    pub causal: bool,
}

/// φ of one entry, in f64, as `rule` says.
fn phi(x: f32, rule: LinearRule) -> f64 {
    let x64 = f64::from(x);
    match rule {
        LinearRule::EluWithoutOne if x > 0.0 => x64,
        LinearRule::EluWithoutOne => x64.exp() - 1.0,
        LinearRule::PhiExp => x64.exp(),
        LinearRule::NaiveElu if x <= 0.0 => f64::from((x.exp() - 1.0) + 1.0),
        _ if x > 0.0 => x64 + 1.0,
        _ => x64.exp(),
    }
}

/// How many keys query `i` of `l_q` sees among `l_k`, as `rule` says.
fn visible(i: usize, (l_q, l_k): (usize, usize), causal: bool, rule: LinearRule) -> usize {
    if !causal || rule == LinearRule::CausalIgnored {
        return l_k;
    }
    let last = if rule == LinearRule::TopLeft { i } else { i + l_k - l_q };
    if rule == LinearRule::ExclusivePrefix { last } else { (last + 1).min(l_k) }
}

/// The linear-attention twin, in the explicit weights form (f64), as `rule` says.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (l_q × d_v).
pub(crate) fn explicit(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool, rule: LinearRule) -> Matrix {
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    if rule == LinearRule::SoftmaxLeftIn {
        let scores = q * k.transpose() / (d_k as f32).sqrt();
        let mask = causal.then(|| reference::aligned_causal_mask(l_q, l_k));
        return twins::softmax(&scores, mask.as_ref(), &Knobs::CORRECT) * v;
    }
    let root = (d_k as f32).sqrt();
    let phi_k: Vec<Vec<f64>> = (0..l_k).map(|j| (0..d_k).map(|c| phi(k[(j, c)], rule)).collect()).collect();
    let mut out = Matrix::zeros(l_q, d_v);
    for i in 0..l_q {
        let query = |c: usize| if rule == LinearRule::QueriesScaled { q[(i, c)] / root } else { q[(i, c)] };
        let phi_q: Vec<f64> = (0..d_k).map(|c| phi(query(c), rule)).collect();
        let seen = visible(i, (l_q, l_k), causal, rule);
        let affinity = |j: usize| -> f64 { phi_q.iter().zip(&phi_k[j]).map(|(a, b)| a * b).sum() };
        let mut denominator: f64 = (0..seen).map(affinity).sum();
        denominator += match rule {
            LinearRule::EpsMissing | LinearRule::NoNormaliser => 0.0,
            LinearRule::EpsPerEntry => f64::from(reference::linear_attention::EPS) * phi_q.iter().sum::<f64>(),
            _ => f64::from(reference::linear_attention::EPS),
        };
        if rule == LinearRule::NoNormaliser {
            denominator = 1.0;
        }
        for c in 0..d_v {
            let numerator: f64 = (0..seen).map(|j| affinity(j) * f64::from(v[(j, c)])).sum();
            out[(i, c)] = (numerator / denominator) as f32;
        }
    }
    out
}

/// What the learner's `linear_attention` returned.
#[derive(Debug, Clone)]
pub(crate) struct Attended(pub Matrix);

impl Decode for Attended {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(Attended(Matrix::decode(input)?))
    }
}

impl From<Attended> for Outputs {
    /// The output, compared with the reference and with the explicit form.
    fn from(Attended(output): Attended) -> Self {
        outputs(output.clone(), output)
    }
}

/// The outputs of one call.
fn outputs(output: Matrix, against_explicit: Matrix) -> Outputs {
    Outputs(vec![
        Output { name: "output", value: Value::Matrix(output) },
        Output { name: EXPLICIT, value: Value::Matrix(against_explicit) },
    ])
}

impl LinearCase {
    /// A case of the given shapes, entries from a seed.
    fn seeded(seed: u64, (l_q, l_k): (usize, usize), (d_k, d_v): (usize, usize), causal: bool) -> Self {
        let mut draw = Draw::seeded(seed);
        LinearCase { q: draw.sequence(l_q, d_k), k: draw.sequence(l_k, d_k), v: draw.sequence(l_k, d_v), causal }
    }

    /// Whether the case is held to a heap budget (then it is not shrunk).
    fn is_memory_case(&self) -> bool {
        self.q.nrows() * self.k.nrows() >= MEASURED_PAIRS
    }
}

impl Arbitrary for LinearCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let lengths = [1, 2, 3, 4, 5, 6];
        let (mut l_q, mut l_k) = (draw.pick(&lengths), draw.pick(&lengths));
        let causal = draw.chance(0.6);
        if causal && l_q > l_k {
            (l_q, l_k) = (l_k, l_q);
        }
        let (d_k, d_v) = (draw.size(), draw.size());
        let (q, k, v) = (draw.sequence(l_q, d_k), draw.sequence(l_k, d_k), draw.sequence(l_k, d_v));
        LinearCase { q, k, v, causal }
    }

    /// Not causal, fewer queries, keys or columns, then simpler entries; nothing for a memory case.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        if self.is_memory_case() {
            return Box::new(std::iter::empty());
        }
        let (l_q, l_k) = (self.q.nrows(), self.k.nrows());
        let mut out = Vec::new();
        if self.causal {
            out.push(LinearCase { causal: false, ..self.clone() });
        }
        for i in removable(l_q) {
            out.push(LinearCase { q: keep_rows(&self.q, |r| r == i), ..self.clone() });
        }
        for j in removable(l_k).filter(|_| !self.causal || l_k > l_q) {
            let (k, v) = (keep_rows(&self.k, |r| r == j), keep_rows(&self.v, |r| r == j));
            out.push(LinearCase { k, v, ..self.clone() });
        }
        for c in removable(self.q.ncols()) {
            let (q, k) = (keep_columns(&self.q, |j| j == c), keep_columns(&self.k, |j| j == c));
            out.push(LinearCase { q, k, ..self.clone() });
        }
        for c in removable(self.v.ncols()) {
            out.push(LinearCase { v: keep_columns(&self.v, |j| j == c), ..self.clone() });
        }
        out.extend(simpler_matrix(&self.q).into_iter().map(|q| LinearCase { q, ..self.clone() }));
        out.extend(simpler_matrix(&self.k).into_iter().map(|k| LinearCase { k, ..self.clone() }));
        out.extend(simpler_matrix(&self.v).into_iter().map(|v| LinearCase { v, ..self.clone() }));
        Box::new(out.into_iter())
    }
}

impl Exercise for LinearAttention {
    type Function = fn(&Matrix, &Matrix, &Matrix, bool) -> Matrix;
    type Input = LinearCase;
    const NAME: &'static str = "linear_attention";
    const REFERENCE: Self::Function = reference::linear_attention;

    type Returned = Attended;

    fn encode(c: &LinearCase) -> Vec<u8> {
        to_bytes(&(&c.q, &c.k, &c.v, c.causal))
    }

    /// The reference's recurrence, and the explicit weights form.
    fn call(function: Self::Function, c: &LinearCase) -> Outputs {
        let weights_form = explicit(&c.q, &c.k, &c.v, c.causal, LinearRule::Correct);
        outputs(function(&c.q, &c.k, &c.v, c.causal), weights_form)
    }

    fn twin(knobs: &Knobs, c: &LinearCase) -> Outputs {
        Attended(explicit(&c.q, &c.k, &c.v, c.causal, knobs.linear)).into()
    }

    fn edge_cases() -> Vec<(&'static str, LinearCase)> {
        let m = Matrix::from_row_slice;
        // φ(k) = exp(−14) ≈ 8e-7, as small as ε: where ε goes (and how φ is computed) shows.
        let tiny_keys = LinearCase {
            q: m(2, 2, &[0.5, 1.0, -0.3, 2.0]),
            k: m(3, 2, &[-14.0, -13.5, -14.5, -14.0, -13.8, -14.2]),
            v: m(3, 2, &[1.0, -2.0, 0.5, 3.0, -1.5, 1.0]),
            causal: false,
        };
        // elu(−30) = −1, exp(−30) ≈ 1e-13: only ε keeps the second query's row finite and near 0.
        let far_below = LinearCase {
            q: m(2, 2, &[-30.0, -30.0, 1.0, -30.0]),
            k: m(3, 2, &[-30.0, 0.5, 1.0, -30.0, -30.0, -30.0]),
            v: m(3, 1, &[2.0, -1.0, 0.5]),
            causal: true,
        };
        let memory =
            |causal| LinearCase::seeded(88, (MEMORY_LENGTH, MEMORY_LENGTH), (MEMORY_WIDTH, MEMORY_WIDTH), causal);
        vec![
            ("one query, one key (L = 1)", LinearCase::seeded(81, (1, 1), (2, 2), true)),
            ("not causal, l_q != l_k, d_k != d_v", LinearCase::seeded(82, (2, 4), (3, 2), false)),
            ("causal, l_q = l_k", LinearCase::seeded(83, (4, 4), (2, 3), true)),
            ("causal with l_q < l_k (aligned bottom-right)", LinearCase::seeded(84, (2, 5), (2, 2), true)),
            ("keys far below 0: φ(k) ≈ 1e-6, as small as ε", tiny_keys),
            ("queries and keys at −30 (elu = −1 there)", far_below),
            ("memory: l = 512, d = 4, causal", memory(true)),
            ("memory: l = 512, d = 4, not causal", memory(false)),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, linear| Mutant { mistake, knobs: Knobs { linear, ..Knobs::CORRECT } };
        vec![
            rule(m::LINEAR_SOFTMAX_LEFT_IN, LinearRule::SoftmaxLeftIn),
            rule(m::LINEAR_NO_NORMALISER, LinearRule::NoNormaliser),
            rule(m::LINEAR_ELU_WITHOUT_ONE, LinearRule::EluWithoutOne),
            rule(m::LINEAR_PHI_EXP, LinearRule::PhiExp),
            rule(m::LINEAR_QUERIES_SCALED, LinearRule::QueriesScaled),
            rule(m::LINEAR_EXCLUSIVE_PREFIX, LinearRule::ExclusivePrefix),
            rule(m::CAUSAL_TOP_LEFT, LinearRule::TopLeft),
            rule(m::LINEAR_CAUSAL_IGNORED, LinearRule::CausalIgnored),
            rule(m::LINEAR_EPS_MISSING, LinearRule::EpsMissing),
            rule(m::LINEAR_EPS_PER_ENTRY, LinearRule::EpsPerEntry),
            rule(m::LINEAR_NAIVE_ELU, LinearRule::NaiveElu),
        ]
    }

    fn heap_budget(c: &LinearCase) -> Option<usize> {
        if !c.is_memory_case() {
            return None;
        }
        let (l, d_k, d_v) = (c.q.nrows().max(c.k.nrows()), c.q.ncols(), c.v.ncols());
        Some(size_of::<f32>() * (SEQUENCES * l * d_k.max(d_v) + STATES * l * d_k * d_v) + FIXED_ALLOWANCE)
    }

    const OVER_BUDGET: Option<MistakeInfo> = Some(m::LINEAR_MATERIALISED);

    fn arguments(c: &LinearCase) -> Vec<(String, String)> {
        vec![
            ("q".to_string(), format::exact(&c.q)),
            ("k".to_string(), format::exact(&c.k)),
            ("v".to_string(), format::exact(&c.v)),
            ("causal".to_string(), c.causal.to_string()),
        ]
    }
}
