//! `mla`: `mla_decode_step(x, cache, w, rope) -> (output, weights)`, called
//! once per chunk on one cache.
//!
//! As in `kv_cache`, a case is a list of chunks, an initial cache, the
//! weights and the RoPE settings; the evaluator calls the learner's function
//! on each chunk in turn and sends back every call's results and the final
//! cache. Besides each call's output and weights and the cache's contents
//! (its shape says what was cached: the latent and one rotary key per token,
//! nothing else), every case checks that the calls' outputs, stacked, equal
//! one reference call on all the chunks at once (the decode split equals one
//! call). The edge cases decode single tokens after a prefill, use
//! rope_dim = 2 and 4, one head and three, and a cache that starts at 30 rows.

use super::kv_cache::{call_outputs, last_rows, shorter_cache_lengths, smaller_chunkings, stack_outputs, stacked};
use super::rope::{RopeRule, rotate};
use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::{Draw, simpler_layers, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::format;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::harness::judge::twins;
use crate::layers::{MlaCache, MlaWeights, Rope, RopeStyle};
use crate::prelude::{Mask, Matrix, RowVector};
use crate::reference;
use crate::reference::heads::merge_heads;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Mla;

/// How the MLA twin computes and fills its cache; every setting but `Correct` is one classic mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MlaRule {
    /// The SPEC's MLA: correct.
    Correct,
    /// Each head's whole query [q^C | q^R] rotated as one block of d_n + d_r.
    RopeWholeQuery,
    /// The latent rotated (head_dim d_c) before it is cached and used.
    RopeOnLatent,
    /// The rotary key cached once per head ((p+s) × H·d_r).
    RotaryKeyPerHead,
    /// No RMSNorm: c = a.
    NormMissing,
    /// RMSNorm without the gain kv_norm.
    NormWithoutGain,
    /// The raw a cached, normalised (all rows) when attending.
    LatentBeforeNorm,
    /// Scores divided by sqrt(d_n).
    ScaleDn,
    /// The up-projected [c·k_up | c·v_up] cached instead of the latent.
    CacheUpProjected,
    /// RoPE at 0..s−1 on every call.
    PositionsRestart,
    /// New query i sees keys j ≤ i (top-left).
    TopLeftMask,
}

/// Names of the outputs.
const LATENT: &str = "cache.latent";
const ROPE_KEYS: &str = "cache.rope_keys";
const STACKED: &str = "the outputs of all calls stacked (any split into calls equals one call)";

/// The ε of the latent's RMSNorm.
const RMS_EPS: f64 = 1e-6;

/// One input: chunks decoded one call each, on one cache.
#[derive(Debug, Clone)]
pub(crate) struct MlaCase {
    /// The new tokens of each call, (s_c × D).
    pub chunks: Vec<Matrix>,
    /// The cache before the first call.
    pub cache: MlaCache,
    /// The weights.
    pub w: MlaWeights,
    /// RoPE settings.
    pub rope: Rope,
}

/// What the evaluator sends back: each call's (output, weights) and the final cache.
#[derive(Debug, Clone)]
pub(crate) struct MlaReturned {
    /// One (output, H weights) per call.
    pub calls: Vec<(Matrix, Vec<Matrix>)>,
    /// The cache after the last call.
    pub cache: MlaCache,
}

impl Decode for MlaReturned {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let (calls, cache) = Decode::decode(input)?;
        Ok(MlaReturned { calls, cache })
    }
}

/// The outputs of a case, the stacked one given.
fn outputs(returned: MlaReturned, one_call: Matrix) -> Outputs {
    let MlaReturned { calls, cache } = returned;
    let [weights, each] = call_outputs(&calls);
    Outputs(vec![
        weights,
        each,
        Output { name: LATENT, value: Value::Matrix(cache.latent) },
        Output { name: ROPE_KEYS, value: Value::Matrix(cache.rope_keys) },
        Output { name: STACKED, value: Value::Matrix(one_call) },
    ])
}

impl From<MlaReturned> for Outputs {
    /// The learner's calls, and their outputs stacked.
    fn from(returned: MlaReturned) -> Self {
        let all = stack_outputs(&returned.calls);
        outputs(returned, all)
    }
}

/// RMSNorm of every row (f64 inside), with the gain or without it.
fn rms_norm(a: &Matrix, gain: Option<&RowVector>) -> Matrix {
    Matrix::from_fn(a.nrows(), a.ncols(), |r, c| {
        let mean_square = a.row(r).iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / a.ncols() as f64;
        let g = gain.map_or(1.0, |g| f64::from(g[c]));
        (f64::from(a[(r, c)]) / (mean_square + RMS_EPS).sqrt() * g) as f32
    })
}

/// `top` above `bottom`; panics if their widths differ (the learner's append would too).
fn append(top: &Matrix, bottom: &Matrix) -> Matrix {
    stacked(top, bottom).expect("a cache cannot take rows of another width")
}

/// `[a | b]`.
fn side_by_side(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_fn(
        a.nrows(),
        a.ncols() + b.ncols(),
        |r, c| if c < a.ncols() { a[(r, c)] } else { b[(r, c - a.ncols())] },
    )
}

/// The MLA twin: every chunk in turn, as `rule` says.
fn mla_twin(c: &MlaCase, rule: MlaRule) -> MlaReturned {
    let w = &c.w;
    let heads = w.num_heads;
    let (d_c, d_r) = (w.kv_norm.len(), w.rope_dim);
    let (d_n, d_v) = (w.k_up.ncols() / heads, w.v_up.ncols() / heads);
    let at = |m: &Matrix, positions: &[usize], width: usize| rotate(m, positions, width, &c.rope, RopeRule::Correct);
    let (mut latent, mut rope_keys) = (c.cache.latent.clone(), c.cache.rope_keys.clone());
    let mut calls = Vec::new();
    for x in &c.chunks {
        let (p, s) = (latent.nrows(), x.nrows());
        let start = if rule == MlaRule::PositionsRestart { 0 } else { p };
        let positions: Vec<usize> = (start..start + s).collect();
        // The new tokens' latents and rotary keys.
        let kv = w.kv_down.forward(x);
        let a = kv.columns(0, d_c).into_owned();
        let key = at(&kv.columns(d_c, d_r).into_owned(), &positions, d_r);
        let new_latent = match rule {
            MlaRule::NormMissing | MlaRule::LatentBeforeNorm => a,
            MlaRule::NormWithoutGain => rms_norm(&a, None),
            MlaRule::RopeOnLatent => at(&rms_norm(&a, Some(&w.kv_norm)), &positions, d_c),
            _ => rms_norm(&a, Some(&w.kv_norm)),
        };
        let stored_key = if rule == MlaRule::RotaryKeyPerHead {
            Matrix::from_fn(s, heads * d_r, |r, col| key[(r, col % d_r)])
        } else {
            key.clone()
        };
        let stored_latent = if rule == MlaRule::CacheUpProjected {
            side_by_side(&(&new_latent * &w.k_up), &(&new_latent * &w.v_up))
        } else {
            new_latent
        };
        (latent, rope_keys) = (append(&latent, &stored_latent), append(&rope_keys, &stored_key));
        // What attention reads: content keys, values and the shared rotary keys of all p+s rows.
        let shared = rope_keys.columns(0, d_r).into_owned();
        let (k_content, values) = match rule {
            MlaRule::CacheUpProjected => {
                (latent.columns(0, heads * d_n).into_owned(), latent.columns(heads * d_n, heads * d_v).into_owned())
            }
            MlaRule::LatentBeforeNorm => {
                let normed = rms_norm(&latent, Some(&w.kv_norm));
                (&normed * &w.k_up, &normed * &w.v_up)
            }
            _ => (&latent * &w.k_up, &latent * &w.v_up),
        };
        let q = w.q.forward(x);
        let l_k = p + s;
        let mask = match rule {
            MlaRule::TopLeftMask => Mask::from_fn(s, l_k, |i, j| j <= i),
            _ => reference::aligned_causal_mask(s, l_k),
        };
        let width = if rule == MlaRule::ScaleDn { d_n } else { d_n + d_r };
        let (mut head_outputs, mut weights) = (Vec::new(), Vec::new());
        for h in 0..heads {
            let q_h = q.columns(h * (d_n + d_r), d_n + d_r).into_owned();
            let q_h = if rule == MlaRule::RopeWholeQuery {
                at(&q_h, &positions, d_n + d_r)
            } else {
                side_by_side(
                    &q_h.columns(0, d_n).into_owned(),
                    &at(&q_h.columns(d_n, d_r).into_owned(), &positions, d_r),
                )
            };
            let k_h = side_by_side(&k_content.columns(h * d_n, d_n).into_owned(), &shared);
            let v_h = values.columns(h * d_v, d_v).into_owned();
            let scores = &q_h * k_h.transpose() / (width as f32).sqrt();
            let p_h = twins::softmax(&scores, Some(&mask), &Knobs::CORRECT);
            head_outputs.push(&p_h * v_h);
            weights.push(p_h);
        }
        calls.push((w.o.forward(&merge_heads(&head_outputs)), weights));
    }
    MlaReturned { calls, cache: MlaCache { latent, rope_keys } }
}

/// Every chunk of a case stacked into one.
fn all_tokens(c: &MlaCase) -> Matrix {
    let width = c.w.q.in_features();
    c.chunks.iter().try_fold(Matrix::zeros(0, width), |all, x| stacked(&all, x)).expect("chunks of one width")
}

/// The sizes of a case.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    heads: usize,
    d_n: usize,
    d_r: usize,
    d_c: usize,
    d_v: usize,
    d_model: usize,
    cached: usize,
}

impl MlaCase {
    /// A case of the given sizes and chunk lengths, entries from `draw`.
    fn build(draw: &mut Draw, sizes: Sizes, chunks: &[usize], rope: Rope) -> Self {
        let Sizes { heads, d_n, d_r, d_c, d_v, d_model, cached } = sizes;
        // A gain in [0.5, 1.5], never 1 everywhere.
        let gain = draw.weight(1, d_c).map(|g| 1.0 + 0.5 * g);
        let mut kv_norm = RowVector::from_row_slice(gain.as_slice());
        if kv_norm.iter().all(|&g| g == 1.0) {
            kv_norm[0] = 1.3;
        }
        let w = MlaWeights {
            q: draw.linear(d_model, heads * (d_n + d_r)),
            kv_down: draw.linear(d_model, d_c + d_r),
            kv_norm,
            k_up: draw.weight(d_c, heads * d_n),
            v_up: draw.weight(d_c, heads * d_v),
            o: draw.linear(heads * d_v, d_model),
            num_heads: heads,
            rope_dim: d_r,
        };
        let cache = MlaCache { latent: draw.sequence(cached, d_c), rope_keys: draw.sequence(cached, d_r) };
        let chunks = chunks.iter().map(|&s| draw.sequence(s, d_model)).collect();
        MlaCase { chunks, cache, w, rope }
    }

    /// The case with other chunks.
    fn with_chunks(&self, chunks: Vec<Matrix>) -> Self {
        MlaCase { chunks, ..self.clone() }
    }

    /// Candidates with fewer or merged chunks, fewer tokens or fewer cached rows.
    fn fewer_tokens(&self) -> Vec<Self> {
        let mut smaller: Vec<Self> = smaller_chunkings(&self.chunks).into_iter().map(|c| self.with_chunks(c)).collect();
        for keep in shorter_cache_lengths(self.cache.latent.nrows()) {
            let cache = MlaCache {
                latent: last_rows(&self.cache.latent, keep),
                rope_keys: last_rows(&self.cache.rope_keys, keep),
            };
            smaller.push(MlaCase { cache, ..self.clone() });
        }
        smaller
    }

    /// Candidates with simpler tokens, cache or weights.
    fn simpler(&self) -> Vec<Self> {
        let mut simpler = Vec::new();
        for (c, x) in self.chunks.iter().enumerate() {
            simpler.extend(simpler_matrix(x).into_iter().map(|x| {
                let mut chunks = self.chunks.clone();
                chunks[c] = x;
                self.with_chunks(chunks)
            }));
        }
        for latent in simpler_matrix(&self.cache.latent) {
            let cache = MlaCache { latent, rope_keys: self.cache.rope_keys.clone() };
            simpler.push(MlaCase { cache, ..self.clone() });
        }
        for rope_keys in simpler_matrix(&self.cache.rope_keys) {
            let cache = MlaCache { latent: self.cache.latent.clone(), rope_keys };
            simpler.push(MlaCase { cache, ..self.clone() });
        }
        let w = &self.w;
        for (role, layer) in [&w.q, &w.kv_down, &w.o].into_iter().enumerate() {
            for simpler_layer in simpler_layers(layer) {
                let mut w = w.clone();
                *[&mut w.q, &mut w.kv_down, &mut w.o][role] = simpler_layer;
                simpler.push(MlaCase { w, ..self.clone() });
            }
        }
        for (role, matrix) in [&w.k_up, &w.v_up].into_iter().enumerate() {
            for simpler_matrix in simpler_matrix(matrix) {
                let mut w = w.clone();
                *[&mut w.k_up, &mut w.v_up][role] = simpler_matrix;
                simpler.push(MlaCase { w, ..self.clone() });
            }
        }
        if self.rope.base != 10_000.0 {
            simpler.push(MlaCase { rope: Rope { base: 10_000.0, ..self.rope }, ..self.clone() });
        }
        simpler
    }
}

impl Arbitrary for MlaCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let heads = draw.pick(&[1, 2, 2, 3]);
        let d_n = draw.pick(&[1, 2, 2, 3]);
        let d_r = draw.pick(&[2, 2, 4]);
        let d_c = draw.pick(&[1, 2, 3, 4]);
        let d_v = draw.pick(&[1, 2, 3]);
        let d_model = draw.pick(&[2, 3, 4]);
        let rope = Rope {
            base: draw.pick(&[10_000.0, 10_000.0, 100.0, 10.0]),
            style: draw.pick(&[RopeStyle::Interleaved, RopeStyle::HalfSplit]),
        };
        // pos·θ_0 = pos radians stays below 50 (the SPEC's precision note).
        let cached = match draw.pick(&[0, 0, 1, 1, 2]) {
            0 => 0,
            1 => draw.size(),
            _ => draw.pick(&[20, 35]),
        };
        let calls = draw.size().min(3);
        let chunks: Vec<usize> = (0..calls).map(|_| draw.size().min(3)).collect();
        MlaCase::build(&mut draw, Sizes { heads, d_n, d_r, d_c, d_v, d_model, cached }, &chunks, rope)
    }

    /// Fewer tokens first, then simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller = self.fewer_tokens();
        smaller.extend(self.simpler());
        Box::new(smaller.into_iter())
    }
}

impl Exercise for Mla {
    type Function = fn(&Matrix, &mut MlaCache, &MlaWeights, &Rope) -> (Matrix, Vec<Matrix>);
    type Input = MlaCase;
    const NAME: &'static str = "mla";
    const REFERENCE: Self::Function = reference::mla::mla_decode_step;

    type Returned = MlaReturned;

    fn encode(c: &MlaCase) -> Vec<u8> {
        to_bytes(&(&c.chunks, &c.cache, &c.w, &c.rope))
    }

    /// The reference call by call on one cache; stacked, one reference call on every chunk at once.
    fn call(function: Self::Function, c: &MlaCase) -> Outputs {
        let mut cache = c.cache.clone();
        let calls = c.chunks.iter().map(|x| function(x, &mut cache, &c.w, &c.rope)).collect();
        let (one_call, _) = function(&all_tokens(c), &mut c.cache.clone(), &c.w, &c.rope);
        outputs(MlaReturned { calls, cache }, one_call)
    }

    fn twin(knobs: &Knobs, c: &MlaCase) -> Outputs {
        mla_twin(c, knobs.mla).into()
    }

    fn edge_cases() -> Vec<(&'static str, MlaCase)> {
        let sizes = |heads, d_n, d_r, d_c, d_v, cached| Sizes { heads, d_n, d_r, d_c, d_v, d_model: 3, cached };
        let rope = |base, style| Rope { base, style };
        let (interleaved, half) = (RopeStyle::Interleaved, RopeStyle::HalfSplit);
        let case = |seed, sizes, chunks: &[usize], rope| MlaCase::build(&mut Draw::seeded(seed), sizes, chunks, rope);
        vec![
            (
                "one token on an empty cache, H = 1, rope_dim 2",
                case(91, sizes(1, 2, 2, 4, 2, 0), &[1], rope(10_000.0, interleaved)),
            ),
            (
                "a prefill of 3, then two decodes of 1 token (H = 2, rope_dim 2)",
                case(92, sizes(2, 2, 2, 4, 2, 0), &[3, 1, 1], rope(100.0, half)),
            ),
            (
                "uneven chunks (2, 1, 2), H = 3, rope_dim 4, d_v != d_n",
                case(93, sizes(3, 2, 4, 4, 3, 0), &[2, 1, 2], rope(10.0, interleaved)),
            ),
            (
                "positions far from 0: 30 rows already cached",
                case(94, sizes(2, 2, 2, 2, 2, 30), &[2, 1], rope(10_000.0, interleaved)),
            ),
            (
                "one call of 4 tokens, d_c = 6, content heads of 4",
                case(95, sizes(2, 4, 2, 6, 2, 0), &[4], rope(10.0, half)),
            ),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, mla| Mutant { mistake, knobs: Knobs { mla, ..Knobs::CORRECT } };
        vec![
            rule(m::MLA_CACHE_UP_PROJECTED, MlaRule::CacheUpProjected),
            rule(m::MLA_ROTARY_KEY_PER_HEAD, MlaRule::RotaryKeyPerHead),
            rule(m::MLA_LATENT_BEFORE_NORM, MlaRule::LatentBeforeNorm),
            rule(m::MLA_NORM_MISSING, MlaRule::NormMissing),
            rule(m::MLA_NORM_WITHOUT_GAIN, MlaRule::NormWithoutGain),
            rule(m::MLA_ROPE_ON_WHOLE_QUERY, MlaRule::RopeWholeQuery),
            rule(m::MLA_ROPE_ON_LATENT, MlaRule::RopeOnLatent),
            rule(m::MLA_SCALE_BY_SQRT_D_NOPE, MlaRule::ScaleDn),
            rule(m::DECODE_POSITIONS_RESTART, MlaRule::PositionsRestart),
            rule(m::DECODE_TOP_LEFT_MASK, MlaRule::TopLeftMask),
        ]
    }

    fn arguments(c: &MlaCase) -> Vec<(String, String)> {
        let mut arguments: Vec<(String, String)> =
            c.chunks.iter().enumerate().map(|(i, x)| (format!("x (call {})", i + 1), format::exact(x))).collect();
        arguments.push(("cache.latent (before call 1)".to_string(), format::exact(&c.cache.latent)));
        arguments.push(("cache.rope_keys (before call 1)".to_string(), format::exact(&c.cache.rope_keys)));
        arguments.extend(format::linear("w.q", &c.w.q));
        arguments.extend(format::linear("w.kv_down", &c.w.kv_down));
        arguments.push(("w.kv_norm".to_string(), format::row(&c.w.kv_norm)));
        arguments.push(("w.k_up".to_string(), format::exact(&c.w.k_up)));
        arguments.push(("w.v_up".to_string(), format::exact(&c.w.v_up)));
        arguments.extend(format::linear("w.o", &c.w.o));
        arguments.push(("w.num_heads".to_string(), c.w.num_heads.to_string()));
        arguments.push(("w.rope_dim".to_string(), c.w.rope_dim.to_string()));
        arguments.push((
            "rope".to_string(),
            format!("Rope {{ base: {:?}, style: RopeStyle::{:?} }}", c.rope.base, c.rope.style),
        ));
        arguments
    }
}
