//! `kv_cache`: `decode_step(x, cache, w, rope) -> (output, weights)`, called
//! once per chunk on one cache.
//!
//! A case is a list of chunks, an initial cache, the weights and the RoPE
//! settings; the evaluator calls the learner's `decode_step` on each chunk in
//! turn, on the same cache, and sends back every call's results and the
//! final cache. Besides each call's output and weights and the cache's
//! contents, every case checks that the calls' outputs, stacked, equal one
//! reference call on all the chunks at once (any split into decode calls
//! equals one call).

use super::rope::{RopeRule, rotate};
use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::{Draw, keep_rows, removable, simpler_layers, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::format;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::harness::judge::twins;
use crate::layers::{GroupedQueryWeights, KvCache, Rope, RopeStyle};
use crate::prelude::{Mask, Matrix};
use crate::reference;
use crate::reference::heads::merge_heads;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct DecodeStep;

/// How the decode twin uses and fills its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeRule {
    /// Positions from the cache length, aligned causal mask, append then
    /// attend, G heads of rotated keys stored: correct.
    Correct,
    /// RoPE at 0..s−1 on every call.
    PositionsRestart,
    /// Query i of the chunk sees keys j ≤ i (top-left).
    TopLeftMask,
    /// No mask at all.
    NoMask,
    /// The new queries attend over the old cache only.
    AttendBeforeAppend,
    /// Keys and values stored repeated to H heads.
    RepeatedCache,
    /// Values rotated too.
    RopeOnValues,
    /// Raw keys stored; the whole cache rotated at 0..p+s−1 on every call.
    CacheBeforeRope,
    /// The cache is never written back.
    NotUpdated,
}

/// Names of the outputs.
const KEYS: &str = "cache.keys";
const VALUES: &str = "cache.values";
const STACKED: &str = "the outputs of all calls stacked (any split into calls equals one call)";

/// One input: chunks decoded one call each, on one cache.
#[derive(Debug, Clone)]
pub(crate) struct DecodeCase {
    /// The new tokens of each call, (s_c × D).
    pub chunks: Vec<Matrix>,
    /// The cache before the first call.
    pub cache: KvCache,
    /// Projections and head counts.
    pub w: GroupedQueryWeights,
    /// RoPE settings, if any.
    pub rope: Option<Rope>,
}

/// What the evaluator sends back: each call's (output, weights) and the final cache.
#[derive(Debug, Clone)]
pub(crate) struct DecodeReturned {
    /// One (output, H weights) per call.
    pub calls: Vec<(Matrix, Vec<Matrix>)>,
    /// The cache after the last call.
    pub cache: KvCache,
}

impl Decode for DecodeReturned {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let (calls, cache) = Decode::decode(input)?;
        Ok(DecodeReturned { calls, cache })
    }
}

/// `top` above `bottom`; `None` if their widths differ (an empty `top` takes `bottom`'s width).
pub(crate) fn stacked(top: &Matrix, bottom: &Matrix) -> Option<Matrix> {
    if top.nrows() == 0 {
        return Some(bottom.clone());
    }
    if top.ncols() != bottom.ncols() {
        return None;
    }
    let p = top.nrows();
    Some(Matrix::from_fn(p + bottom.nrows(), top.ncols(), |r, c| if r < p { top[(r, c)] } else { bottom[(r - p, c)] }))
}

/// Smaller splits of a sequence into calls, for shrinking: one chunk
/// dropped, two neighbouring chunks merged, or one token of a chunk dropped.
pub(crate) fn smaller_chunkings(chunks: &[Matrix]) -> Vec<Vec<Matrix>> {
    let n = chunks.len();
    let mut smaller: Vec<Vec<Matrix>> = removable(n)
        .map(|c| chunks.iter().enumerate().filter(|&(i, _)| i != c).map(|(_, x)| x.clone()).collect())
        .collect();
    for c in 0..n.saturating_sub(1) {
        let mut merged = chunks.to_vec();
        let next = merged.remove(c + 1);
        merged[c] = stacked(&merged[c], &next).expect("chunks of one width");
        smaller.push(merged);
    }
    for (c, x) in chunks.iter().enumerate() {
        for r in removable(x.nrows()) {
            let mut fewer = chunks.to_vec();
            fewer[c] = keep_rows(x, |i| i == r);
            smaller.push(fewer);
        }
    }
    smaller
}

/// How many of `cached` rows a shorter cache keeps, for shrinking: none, half, all but one.
pub(crate) fn shorter_cache_lengths(cached: usize) -> impl Iterator<Item = usize> {
    [0, cached / 2, cached.saturating_sub(1)].into_iter().filter(move |&keep| keep < cached)
}

/// The last `keep` rows of a cached matrix (the most recent positions).
pub(crate) fn last_rows(m: &Matrix, keep: usize) -> Matrix {
    m.rows(m.nrows() - keep, keep).into_owned()
}

/// Every call's output, stacked (0 × 0 if their widths differ).
pub(crate) fn stack_outputs(calls: &[(Matrix, Vec<Matrix>)]) -> Matrix {
    let width = calls.first().map_or(0, |(o, _)| o.ncols());
    calls
        .iter()
        .try_fold(Matrix::zeros(0, width), |all, (o, _)| stacked(&all, o))
        .unwrap_or_else(|| Matrix::zeros(0, 0))
}

/// Every call's weights (per head) and output, labelled with the call.
pub(crate) fn call_outputs(calls: &[(Matrix, Vec<Matrix>)]) -> [Output; 2] {
    let weights = calls
        .iter()
        .enumerate()
        .flat_map(|(c, (_, heads))| {
            heads.iter().enumerate().map(move |(h, m)| (format!(" (call {}, head {h})", c + 1), m.clone()))
        })
        .collect();
    let each = calls.iter().enumerate().map(|(c, (o, _))| (format!(" (call {})", c + 1), o.clone())).collect();
    [
        Output { name: "weights", value: Value::Labelled(weights) },
        Output { name: "output", value: Value::Labelled(each) },
    ]
}

/// The outputs of a case, the stacked one given.
fn outputs(returned: DecodeReturned, one_call: Matrix) -> Outputs {
    let DecodeReturned { calls, cache } = returned;
    let [weights, each] = call_outputs(&calls);
    Outputs(vec![
        weights,
        each,
        Output { name: KEYS, value: Value::Matrix(cache.keys) },
        Output { name: VALUES, value: Value::Matrix(cache.values) },
        Output { name: STACKED, value: Value::Matrix(one_call) },
    ])
}

impl From<DecodeReturned> for Outputs {
    /// The learner's calls, and their outputs stacked.
    fn from(returned: DecodeReturned) -> Self {
        let all = stack_outputs(&returned.calls);
        outputs(returned, all)
    }
}

/// The decode twin: every chunk in turn, as `rule` says.
fn decode_twin(c: &DecodeCase, rule: DecodeRule) -> DecodeReturned {
    let w = &c.w;
    let (heads, kv_heads) = (w.num_heads, w.num_kv_heads);
    let group = heads / kv_heads;
    let d_k = w.q.out_features() / heads;
    let repeat =
        |m: &Matrix| Matrix::from_fn(m.nrows(), heads * d_k, |r, col| m[(r, (col / d_k / group) * d_k + col % d_k)]);
    if rule == DecodeRule::RepeatedCache && group > 1 && c.cache.keys.nrows() > 0 {
        panic!("a cache of G heads cannot take rows of H heads");
    }
    let (mut keys, mut values) = (c.cache.keys.clone(), c.cache.values.clone());
    let mut calls = Vec::new();
    for x in &c.chunks {
        let (p, s) = (keys.nrows(), x.nrows());
        let (mut q, mut k, mut v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
        let raw_k = k.clone();
        if let Some(rope) = &c.rope {
            let start = if rule == DecodeRule::PositionsRestart { 0 } else { p };
            let positions: Vec<usize> = (start..start + s).collect();
            q = rotate(&q, &positions, d_k, rope, RopeRule::Correct);
            k = rotate(&k, &positions, d_k, rope, RopeRule::Correct);
            if rule == DecodeRule::RopeOnValues {
                v = rotate(&v, &positions, d_k, rope, RopeRule::Correct);
            }
        }
        let (store_k, store_v) = match rule {
            DecodeRule::CacheBeforeRope => (raw_k, v),
            DecodeRule::RepeatedCache => (repeat(&k), repeat(&v)),
            _ => (k, v),
        };
        let grown_k = stacked(&keys, &store_k).expect("the cache and the new keys have one width");
        let grown_v = stacked(&values, &store_v).expect("the cache and the new values have one width");
        let (attend_k, attend_v) = match rule {
            DecodeRule::AttendBeforeAppend => (keys.clone(), values.clone()),
            DecodeRule::CacheBeforeRope => {
                let all: Vec<usize> = (0..p + s).collect();
                let rotated = c.rope.as_ref().map(|r| rotate(&grown_k, &all, d_k, r, RopeRule::Correct));
                (rotated.unwrap_or_else(|| grown_k.clone()), grown_v.clone())
            }
            _ => (grown_k.clone(), grown_v.clone()),
        };
        let l_k = attend_k.nrows();
        let mask = match rule {
            DecodeRule::TopLeftMask => Some(Mask::from_fn(s, l_k, |i, j| j <= i)),
            DecodeRule::NoMask | DecodeRule::AttendBeforeAppend => None,
            _ => Some(reference::aligned_causal_mask(s, l_k)),
        };
        let (mut head_outputs, mut weights) = (Vec::new(), Vec::new());
        for h in 0..heads {
            let g = if rule == DecodeRule::RepeatedCache { h } else { h / group };
            let q_h = q.columns(h * d_k, d_k).into_owned();
            let (k_g, v_g) = (attend_k.columns(g * d_k, d_k).into_owned(), attend_v.columns(g * d_k, d_k).into_owned());
            let (out, wts) = if l_k == 0 {
                (Matrix::zeros(s, d_k), Matrix::zeros(s, 0))
            } else {
                twins::scaled_dot_product(&q_h, &k_g, &v_g, mask.as_ref(), &Knobs::CORRECT)
            };
            head_outputs.push(out);
            weights.push(wts);
        }
        calls.push((w.o.forward(&merge_heads(&head_outputs)), weights));
        if rule != DecodeRule::NotUpdated {
            (keys, values) = (grown_k, grown_v);
        }
    }
    DecodeReturned { calls, cache: KvCache { keys, values } }
}

/// Every chunk of a case stacked into one.
fn all_tokens(c: &DecodeCase) -> Matrix {
    let width = c.w.q.in_features();
    c.chunks.iter().try_fold(Matrix::zeros(0, width), |all, x| stacked(&all, x)).expect("chunks of one width")
}

/// The sizes of a case.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    heads: usize,
    kv_heads: usize,
    d_k: usize,
    d_model: usize,
    cached: usize,
}

impl DecodeCase {
    /// A case of the given sizes and chunk lengths, entries from `draw`.
    fn build(draw: &mut Draw, sizes: Sizes, chunks: &[usize], rope: Option<Rope>) -> Self {
        let Sizes { heads, kv_heads, d_k, d_model, cached } = sizes;
        let w = GroupedQueryWeights {
            q: draw.linear(d_model, heads * d_k),
            k: draw.linear(d_model, kv_heads * d_k),
            v: draw.linear(d_model, kv_heads * d_k),
            o: draw.linear(heads * d_k, d_model),
            num_heads: heads,
            num_kv_heads: kv_heads,
        };
        let cache =
            KvCache { keys: draw.sequence(cached, kv_heads * d_k), values: draw.sequence(cached, kv_heads * d_k) };
        let chunks = chunks.iter().map(|&s| draw.sequence(s, d_model)).collect();
        DecodeCase { chunks, cache, w, rope }
    }

    /// The case with other chunks.
    fn with_chunks(&self, chunks: Vec<Matrix>) -> Self {
        DecodeCase { chunks, ..self.clone() }
    }

    /// Candidates with fewer or merged chunks, fewer tokens or fewer cached rows.
    fn fewer_tokens(&self) -> Vec<Self> {
        let mut smaller: Vec<Self> = smaller_chunkings(&self.chunks).into_iter().map(|c| self.with_chunks(c)).collect();
        for keep in shorter_cache_lengths(self.cache.keys.nrows()) {
            let cache =
                KvCache { keys: last_rows(&self.cache.keys, keep), values: last_rows(&self.cache.values, keep) };
            smaller.push(DecodeCase { cache, ..self.clone() });
        }
        smaller
    }

    /// Candidates without RoPE, with simpler tokens, cache or weights.
    fn simpler(&self) -> Vec<Self> {
        let mut simpler: Vec<Self> = self.rope.iter().map(|_| DecodeCase { rope: None, ..self.clone() }).collect();
        for (c, x) in self.chunks.iter().enumerate() {
            simpler.extend(simpler_matrix(x).into_iter().map(|x| {
                let mut chunks = self.chunks.clone();
                chunks[c] = x;
                self.with_chunks(chunks)
            }));
        }
        for keys in simpler_matrix(&self.cache.keys) {
            simpler.push(DecodeCase { cache: KvCache { keys, values: self.cache.values.clone() }, ..self.clone() });
        }
        for values in simpler_matrix(&self.cache.values) {
            simpler.push(DecodeCase { cache: KvCache { keys: self.cache.keys.clone(), values }, ..self.clone() });
        }
        let w = &self.w;
        for (role, layer) in [&w.q, &w.k, &w.v, &w.o].into_iter().enumerate() {
            for simpler_layer in simpler_layers(layer) {
                let mut w = w.clone();
                *[&mut w.q, &mut w.k, &mut w.v, &mut w.o][role] = simpler_layer;
                simpler.push(DecodeCase { w, ..self.clone() });
            }
        }
        simpler
    }
}

impl Arbitrary for DecodeCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let heads: usize = draw.pick(&[1, 2, 2, 4]);
        let divisors: Vec<usize> = (1..=heads).filter(|&g| heads.is_multiple_of(g)).collect();
        let kv_heads = draw.pick(&divisors);
        let rope = draw.chance(0.75).then(|| Rope {
            base: draw.pick(&[10_000.0, 10_000.0, 100.0, 10.0]),
            style: draw.pick(&[RopeStyle::Interleaved, RopeStyle::HalfSplit]),
        });
        let d_k = if rope.is_some() { draw.pick(&[2, 2, 4]) } else { draw.pick(&[1, 2, 3]) };
        let d_model = if draw.chance(0.2) { draw.size() } else { heads * d_k };
        // pos·θ_0 = pos radians stays below 50 (the SPEC's precision note).
        let cached = match draw.pick(&[0, 0, 1, 1, 2]) {
            0 => 0,
            1 => draw.size(),
            _ => draw.pick(&[20, 35]),
        };
        let calls = draw.size().min(3);
        let chunks: Vec<usize> = (0..calls).map(|_| draw.size().min(3)).collect();
        DecodeCase::build(&mut draw, Sizes { heads, kv_heads, d_k, d_model, cached }, &chunks, rope)
    }

    /// Fewer tokens first, then simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller = self.fewer_tokens();
        smaller.extend(self.simpler());
        Box::new(smaller.into_iter())
    }
}

impl Exercise for DecodeStep {
    type Function = fn(&Matrix, &mut KvCache, &GroupedQueryWeights, Option<&Rope>) -> (Matrix, Vec<Matrix>);
    type Input = DecodeCase;
    const NAME: &'static str = "kv_cache";
    const REFERENCE: Self::Function = reference::kv_cache::decode_step;

    type Returned = DecodeReturned;

    fn encode(c: &DecodeCase) -> Vec<u8> {
        to_bytes(&(&c.chunks, &c.cache, &c.w, &c.rope))
    }

    /// The reference call by call on one cache; stacked, one reference call on every chunk at once.
    fn call(function: Self::Function, c: &DecodeCase) -> Outputs {
        let mut cache = c.cache.clone();
        let calls = c.chunks.iter().map(|x| function(x, &mut cache, &c.w, c.rope.as_ref())).collect();
        let (one_call, _) = function(&all_tokens(c), &mut c.cache.clone(), &c.w, c.rope.as_ref());
        outputs(DecodeReturned { calls, cache }, one_call)
    }

    fn twin(knobs: &Knobs, c: &DecodeCase) -> Outputs {
        decode_twin(c, knobs.decode).into()
    }

    fn edge_cases() -> Vec<(&'static str, DecodeCase)> {
        let sizes = |heads, kv_heads, d_k, cached| Sizes { heads, kv_heads, d_k, d_model: heads * d_k, cached };
        let rope = |base, style| Some(Rope { base, style });
        let (interleaved, half) = (RopeStyle::Interleaved, RopeStyle::HalfSplit);
        let case =
            |seed, sizes, chunks: &[usize], rope| DecodeCase::build(&mut Draw::seeded(seed), sizes, chunks, rope);
        vec![
            ("one token on an empty cache, head_dim 2", case(61, sizes(2, 2, 2, 0), &[1], rope(10_000.0, interleaved))),
            (
                "a prefill of 3, then two calls of 1 token (G = 1)",
                case(62, sizes(2, 1, 2, 0), &[3, 1, 1], rope(100.0, half)),
            ),
            (
                "uneven chunks (2, 3, 1), H = 4 over G = 2",
                case(63, sizes(4, 2, 2, 0), &[2, 3, 1], rope(10.0, interleaved)),
            ),
            ("G = H, no RoPE, two chunks of 2", case(64, sizes(2, 2, 2, 0), &[2, 2], None)),
            (
                "positions far from 0: 40 rows already cached",
                case(65, sizes(1, 1, 2, 40), &[2, 1], rope(10_000.0, interleaved)),
            ),
            ("one token at a time on a cache of 3, head_dim 4", case(66, sizes(2, 2, 4, 3), &[1, 1], rope(10.0, half))),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, decode| Mutant { mistake, knobs: Knobs { decode, ..Knobs::CORRECT } };
        vec![
            rule(m::DECODE_CACHE_NOT_UPDATED, DecodeRule::NotUpdated),
            rule(m::DECODE_CACHE_REPEATED, DecodeRule::RepeatedCache),
            rule(m::DECODE_ATTEND_BEFORE_APPEND, DecodeRule::AttendBeforeAppend),
            rule(m::DECODE_CACHE_BEFORE_ROPE, DecodeRule::CacheBeforeRope),
            rule(m::DECODE_POSITIONS_RESTART, DecodeRule::PositionsRestart),
            rule(m::DECODE_TOP_LEFT_MASK, DecodeRule::TopLeftMask),
            rule(m::DECODE_NO_CAUSAL_MASK, DecodeRule::NoMask),
            rule(m::DECODE_ROPE_ON_VALUES, DecodeRule::RopeOnValues),
        ]
    }

    fn arguments(c: &DecodeCase) -> Vec<(String, String)> {
        let mut arguments: Vec<(String, String)> =
            c.chunks.iter().enumerate().map(|(i, x)| (format!("x (call {})", i + 1), format::exact(x))).collect();
        arguments.push(("cache.keys (before call 1)".to_string(), format::exact(&c.cache.keys)));
        arguments.push(("cache.values (before call 1)".to_string(), format::exact(&c.cache.values)));
        for (name, layer) in [("q", &c.w.q), ("k", &c.w.k), ("v", &c.w.v), ("o", &c.w.o)] {
            arguments.extend(format::linear(&format!("w.{name}"), layer));
        }
        arguments.push(("w.num_heads".to_string(), c.w.num_heads.to_string()));
        arguments.push(("w.num_kv_heads".to_string(), c.w.num_kv_heads.to_string()));
        let rope = c.rope.map_or_else(
            || "None".to_string(),
            |r| format!("Some(Rope {{ base: {:?}, style: RopeStyle::{:?} }})", r.base, r.style),
        );
        arguments.push(("rope".to_string(), rope));
        arguments
    }
}
