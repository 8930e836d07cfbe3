//! `flash`, `sdpa_backward` and `flash_backward`: tiled attention, and the
//! gradients of attention with and without tiles.
//!
//! Properties, on every case: the output equals SDPA's (the reference answer
//! for the case's own block sizes); the lse equals `ln Σ exp(s)`, which is
//! what makes `exp(S − lse)` the weights; dq, dk and dv equal the reference's.
//! The block sizes are part of each case, drawn and shrunk like the rest.
//! The flash exercises also have a memory case (l = 512, d = 4, blocks
//! 32 × 32) where a call may hold a small multiple of l·d + block_q·block_k
//! floats and no more: the l_q × l_k scores alone are 1 MiB there.

use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::{Draw, keep_columns, keep_rows, removable, simpler_matrix};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::exercises::sdpa::{Sequences, mask_of};
use crate::harness::judge::format;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::mistakes::{self, MistakeInfo};
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::harness::judge::tiles::{self, Saved};
use crate::prelude::{DVector, Mask, Matrix};
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise `flash`.
pub(crate) struct Flash;
/// The exercise `sdpa_backward`.
pub(crate) struct SdpaBackward;
/// The exercise `flash_backward`.
pub(crate) struct FlashBackward;

/// Lengths a random tiled case draws from (longer than other exercises' so
/// that several blocks, ragged ones included, fit).
const LENGTHS: [usize; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
/// Block sizes a random case draws from.
const BLOCK_SIZES: [usize; 6] = [1, 2, 3, 4, 5, 8];

/// Length of the memory cases: l_q·l_k scores are 1 MiB of f32 there, 4·l·d
/// floats 8 KiB, and a plain loop in an unoptimised build (a backward pass
/// does about five times a forward's work per score) stays well inside the
/// time limit of one call.
const MEMORY_LENGTH: usize = 512;
/// Width of the memory cases.
const MEMORY_WIDTH: usize = 4;
/// Block size (both ways) of the memory cases.
const MEMORY_BLOCK: usize = 32;
/// Cases with at least this many scores (l_q·l_k) are held to a heap budget;
/// smaller ones are not measured (and memory cases are not shrunk).
const MEASURED_SCORES: usize = 1 << 16;
/// How many (l × d) sequences of f32 a flash call may hold: q, k, v and the
/// output, each also in f64, a transposed copy, with room to spare.
const FORWARD_SEQUENCES: usize = 16;
/// The same for flash_backward: q, k, v, out, d_out, dq, dk, dv, in f64 too.
const BACKWARD_SEQUENCES: usize = 24;
/// How many (block_q × block_k) tiles a call may hold (S, P, dP, dS, in f64 too).
const TILES: usize = 16;
/// A fixed allowance on top, for small bookkeeping.
const FIXED_ALLOWANCE: usize = 64 * 1024;

/// The heap a flash call on these shapes may hold at once, if it is measured:
/// `4 bytes · (sequences · max(l_q, l_k)·max(d_k, d_v) + 16 · block_q·block_k) + 64 KiB`.
fn memory_budget(t: &Tiled, sequences: usize) -> Option<usize> {
    let (l_q, l_k) = (t.q.nrows(), t.k.nrows());
    if l_q * l_k < MEASURED_SCORES {
        return None;
    }
    let sequence = l_q.max(l_k) * t.q.ncols().max(t.v.ncols());
    let tile = t.block_q.min(l_q) * t.block_k.min(l_k);
    Some(size_of::<f32>() * (sequences * sequence + TILES * tile) + FIXED_ALLOWANCE)
}

/// Whether a case is a memory case (then it is not shrunk).
fn is_memory_case(t: &Tiled) -> bool {
    t.q.nrows() * t.k.nrows() >= MEASURED_SCORES
}

/// Queries, keys, values, causality and block sizes: one flash call.
#[derive(Debug, Clone)]
pub(crate) struct Tiled {
    /// Queries (l_q × d_k).
    pub q: Matrix,
    /// Keys (l_k × d_k).
    pub k: Matrix,
    /// Values (l_k × d_v).
    pub v: Matrix,
    /// Aligned causal mask or none (then l_q ≤ l_k).
    pub causal: bool,
    /// Queries per block.
    pub block_q: usize,
    /// Keys per block.
    pub block_k: usize,
}

/// How a shrinking step changed the shapes, so that matrices that follow
/// them (d_out) can follow.
#[derive(Debug, Clone, Copy)]
enum Edit {
    /// Nothing that d_out sees.
    Other,
    /// Query row `i` removed.
    Query(usize),
    /// Value column `c` removed.
    ValueColumn(usize),
}

impl Tiled {
    /// Fixed sequences from a seed (for the edge cases).
    fn seeded(
        seed: u64,
        (l_q, l_k): (usize, usize),
        (d_k, d_v): (usize, usize),
        causal: bool,
        (block_q, block_k): (usize, usize),
    ) -> Self {
        let s = Sequences::seeded(seed, (l_q, l_k), (d_k, d_k, d_v), None);
        Tiled { q: s.q, k: s.k, v: s.v, causal, block_q, block_k }
    }

    /// Random shapes, blocks and causality.
    fn draw(draw: &mut Draw) -> Self {
        let (mut l_q, mut l_k) = (draw.pick(&LENGTHS), draw.pick(&LENGTHS));
        let causal = draw.chance(0.5);
        if causal && l_q > l_k {
            (l_q, l_k) = (l_k, l_q);
        }
        let (d_k, d_v) = (draw.size(), draw.size());
        let (q, k, v) = (draw.sequence(l_q, d_k), draw.sequence(l_k, d_k), draw.sequence(l_k, d_v));
        let (block_q, block_k) = (draw.pick(&BLOCK_SIZES), draw.pick(&BLOCK_SIZES));
        Tiled { q, k, v, causal, block_q, block_k }
    }

    /// (causal, block_q, block_k).
    fn tiling(&self) -> (bool, usize, usize) {
        (self.causal, self.block_q, self.block_k)
    }

    /// Smaller cases, each with how it changed the shapes; none for a memory case.
    fn smaller(&self) -> Vec<(Tiled, Edit)> {
        if is_memory_case(self) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let (l_q, l_k) = (self.q.nrows(), self.k.nrows());
        if self.causal {
            out.push((Tiled { causal: false, ..self.clone() }, Edit::Other));
        }
        for i in removable(l_q) {
            out.push((Tiled { q: keep_rows(&self.q, |r| r == i), ..self.clone() }, Edit::Query(i)));
        }
        for j in removable(l_k).filter(|_| !self.causal || l_k > l_q) {
            let (k, v) = (keep_rows(&self.k, |r| r == j), keep_rows(&self.v, |r| r == j));
            out.push((Tiled { k, v, ..self.clone() }, Edit::Other));
        }
        for c in removable(self.q.ncols()) {
            let (q, k) = (keep_columns(&self.q, |j| j == c), keep_columns(&self.k, |j| j == c));
            out.push((Tiled { q, k, ..self.clone() }, Edit::Other));
        }
        for c in removable(self.v.ncols()) {
            out.push((Tiled { v: keep_columns(&self.v, |j| j == c), ..self.clone() }, Edit::ValueColumn(c)));
        }
        for (block_q, block_k) in [(1, self.block_k), (self.block_q, 1), (self.block_q - 1, self.block_k)]
            .into_iter()
            .chain([(self.block_q, self.block_k - 1)])
            .filter(|&(b_q, b_k)| b_q >= 1 && b_k >= 1 && (b_q, b_k) != (self.block_q, self.block_k))
        {
            out.push((Tiled { block_q, block_k, ..self.clone() }, Edit::Other));
        }
        let q = simpler_matrix(&self.q).into_iter().map(|q| Tiled { q, ..self.clone() });
        let k = simpler_matrix(&self.k).into_iter().map(|k| Tiled { k, ..self.clone() });
        let v = simpler_matrix(&self.v).into_iter().map(|v| Tiled { v, ..self.clone() });
        out.extend(q.chain(k).chain(v).map(|t| (t, Edit::Other)));
        out
    }

    /// `q`, `k`, `v` rendered.
    fn qkv_arguments(&self) -> Vec<(String, String)> {
        [("q", &self.q), ("k", &self.k), ("v", &self.v)].map(|(n, m)| (n.to_string(), format::exact(m))).to_vec()
    }

    /// `causal`, `block_q`, `block_k` rendered.
    fn tiling_arguments(&self) -> Vec<(String, String)> {
        vec![
            ("causal".to_string(), self.causal.to_string()),
            ("block_q".to_string(), self.block_q.to_string()),
            ("block_k".to_string(), self.block_k.to_string()),
        ]
    }
}

impl Arbitrary for Tiled {
    fn arbitrary(g: &mut Gen) -> Self {
        Tiled::draw(&mut Draw::new(g))
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(self.smaller().into_iter().map(|(t, _)| t))
    }
}

/// (output, lse) as the judge compares them: the output, then the lse as a column.
fn forward_outputs((output, lse): (Matrix, DVector<f32>)) -> Outputs {
    let lse = Matrix::from_column_slice(lse.len(), 1, lse.as_slice());
    Outputs(vec![
        Output { name: "output", value: Value::Matrix(output) },
        Output { name: "lse", value: Value::Matrix(lse) },
    ])
}

/// (dq, dk, dv) as the judge compares them.
fn gradient_outputs((dq, dk, dv): (Matrix, Matrix, Matrix)) -> Outputs {
    Outputs(vec![
        Output { name: "dq", value: Value::Matrix(dq) },
        Output { name: "dk", value: Value::Matrix(dk) },
        Output { name: "dv", value: Value::Matrix(dv) },
    ])
}

impl From<(Matrix, DVector<f32>)> for Outputs {
    fn from(returned: (Matrix, DVector<f32>)) -> Self {
        forward_outputs(returned)
    }
}

impl From<(Matrix, Matrix, Matrix)> for Outputs {
    fn from(gradients: (Matrix, Matrix, Matrix)) -> Self {
        gradient_outputs(gradients)
    }
}

/// Logits of magnitude 1000 and more, over three key blocks of one key each:
/// the max grows in the last block of the first row, and every score of the
/// second row is far below 0.
fn huge_logits() -> Tiled {
    let m = Matrix::from_row_slice;
    Tiled {
        q: m(2, 1, &[1000.0, -1000.0]),
        k: m(3, 1, &[1.0, 0.5, 2.0]),
        v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
        causal: false,
        block_q: 1,
        block_k: 1,
    }
}

impl Exercise for Flash {
    type Function = fn(&Matrix, &Matrix, &Matrix, bool, usize, usize) -> (Matrix, DVector<f32>);
    type Input = Tiled;
    const NAME: &'static str = "flash";
    const REFERENCE: Self::Function = reference::flash_attention;

    type Returned = (Matrix, DVector<f32>);

    fn encode(t: &Tiled) -> Vec<u8> {
        to_bytes(&(&t.q, &t.k, &t.v, &t.causal, &t.block_q, &t.block_k))
    }

    fn call(function: Self::Function, t: &Tiled) -> Outputs {
        forward_outputs(function(&t.q, &t.k, &t.v, t.causal, t.block_q, t.block_k))
    }

    fn twin(knobs: &Knobs, t: &Tiled) -> Outputs {
        forward_outputs(tiles::flash(&t.q, &t.k, &t.v, t.tiling(), knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Tiled)> {
        vec![
            ("one query, one key, width 1, blocks of 1", Tiled::seeded(11, (1, 1), (1, 1), false, (1, 1))),
            ("blocks of 1 (each tile is one score)", Tiled::seeded(12, (3, 5), (2, 2), false, (1, 1))),
            ("block sizes that do not divide the lengths", Tiled::seeded(13, (5, 7), (3, 2), false, (2, 3))),
            ("blocks larger than the lengths", Tiled::seeded(14, (3, 4), (2, 3), false, (8, 8))),
            ("causal with l_q < l_k (aligned bottom-right)", Tiled::seeded(15, (3, 6), (2, 2), true, (2, 2))),
            ("causal, l_q = l_k, ragged blocks", Tiled::seeded(16, (5, 5), (2, 1), true, (2, 3))),
            ("large logits (|score| >= 1000), blocks of 1", huge_logits()),
            (
                "memory: l = 512, d = 4, blocks 32 × 32",
                Tiled::seeded(
                    17,
                    (MEMORY_LENGTH, MEMORY_LENGTH),
                    (MEMORY_WIDTH, MEMORY_WIDTH),
                    false,
                    (MEMORY_BLOCK, MEMORY_BLOCK),
                ),
            ),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [tiles::FLASH, knobs::SCALE].concat()
    }

    fn heap_budget(t: &Tiled) -> Option<usize> {
        memory_budget(t, FORWARD_SEQUENCES)
    }

    const OVER_BUDGET: Option<MistakeInfo> = Some(mistakes::MATERIALISED_SCORES);

    fn arguments(t: &Tiled) -> Vec<(String, String)> {
        let mut arguments = t.qkv_arguments();
        arguments.extend(t.tiling_arguments());
        arguments
    }
}

/// Queries, keys, values, a mask and the gradient of the output: one sdpa_backward call.
#[derive(Debug, Clone)]
pub(crate) struct Backward {
    /// q, k, v and the mask.
    pub s: Sequences,
    /// ∂L/∂output (l_q × d_v).
    pub d_out: Matrix,
}

impl Backward {
    /// Fixed inputs from a seed (for the edge cases).
    fn seeded(seed: u64, lengths: (usize, usize), (d_k, d_v): (usize, usize), mask: Option<Mask>) -> Self {
        let s = Sequences::seeded(seed, lengths, (d_k, d_k, d_v), mask);
        let d_out = Draw::seeded(seed + 1000).sequence(lengths.0, d_v);
        Backward { s, d_out }
    }
}

impl Arbitrary for Backward {
    fn arbitrary(g: &mut Gen) -> Self {
        let s = Sequences::arbitrary(g);
        let d_out = Draw::new(g).sequence(s.q.nrows(), s.v.ncols());
        Backward { s, d_out }
    }

    /// Fewer queries (with their d_out rows) or keys, narrower q/k or v (and
    /// d_out), then no mask and simpler values.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let s = &self.s;
        let mut out = Vec::new();
        for i in removable(s.q.nrows()) {
            let q = keep_rows(&s.q, |r| r == i);
            let mask = s.mask.as_ref().map(|m| keep_rows(m, |r| r == i));
            let d_out = keep_rows(&self.d_out, |r| r == i);
            out.push(Backward { s: Sequences { q, mask, ..s.clone() }, d_out });
        }
        for j in removable(s.k.nrows()) {
            let (k, v) = (keep_rows(&s.k, |r| r == j), keep_rows(&s.v, |r| r == j));
            let mask = s.mask.as_ref().map(|m| keep_columns(m, |c| c == j));
            out.push(Backward { s: Sequences { k, v, mask, ..s.clone() }, ..self.clone() });
        }
        for c in removable(s.q.ncols()) {
            let (q, k) = (keep_columns(&s.q, |j| j == c), keep_columns(&s.k, |j| j == c));
            out.push(Backward { s: Sequences { q, k, ..s.clone() }, ..self.clone() });
        }
        for c in removable(s.v.ncols()) {
            let v = keep_columns(&s.v, |j| j == c);
            out.push(Backward { s: Sequences { v, ..s.clone() }, d_out: keep_columns(&self.d_out, |j| j == c) });
        }
        out.extend(s.simpler().into_iter().map(|s| Backward { s, ..self.clone() }));
        out.extend(simpler_matrix(&self.d_out).into_iter().map(|d_out| Backward { d_out, ..self.clone() }));
        Box::new(out.into_iter())
    }
}

impl Exercise for SdpaBackward {
    type Function = fn(&Matrix, &Matrix, &Matrix, Option<&Mask>, &Matrix) -> (Matrix, Matrix, Matrix);
    type Input = Backward;
    const NAME: &'static str = "sdpa_backward";
    const REFERENCE: Self::Function = reference::sdpa_backward;

    type Returned = (Matrix, Matrix, Matrix);

    fn encode(b: &Backward) -> Vec<u8> {
        to_bytes(&(&b.s.q, &b.s.k, &b.s.v, &b.s.mask, &b.d_out))
    }

    fn call(function: Self::Function, b: &Backward) -> Outputs {
        gradient_outputs(function(&b.s.q, &b.s.k, &b.s.v, b.s.mask.as_ref(), &b.d_out))
    }

    fn twin(knobs: &Knobs, b: &Backward) -> Outputs {
        gradient_outputs(tiles::sdpa_backward(&b.s.q, &b.s.k, &b.s.v, b.s.mask.as_ref(), &b.d_out, knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Backward)> {
        let m = Matrix::from_row_slice;
        let large = Backward {
            s: Sequences {
                q: m(2, 1, &[1000.0, -1000.0]),
                k: m(3, 1, &[1.0, 1.0, 0.0]),
                v: m(3, 2, &[0.5, -1.0, 2.0, 0.3, -0.7, 1.0]),
                mask: None,
            },
            d_out: m(2, 2, &[1.0, -0.5, 0.3, 2.0]),
        };
        vec![
            ("one query, one key, width 1", Backward::seeded(21, (1, 1), (1, 1), None)),
            ("l_q != l_k and d_k != d_v", Backward::seeded(22, (2, 3), (4, 2), None)),
            ("square, no mask", Backward::seeded(23, (3, 3), (2, 2), None)),
            (
                "a fully masked row",
                Backward::seeded(24, (3, 3), (2, 2), Some(mask_of(3, 3, &[1, 0, 1, 0, 0, 0, 0, 1, 1]))),
            ),
            ("causal mask", Backward::seeded(25, (4, 4), (3, 2), Some(reference::causal_mask(4)))),
            ("large logits (|score| >= 1000)", large),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [tiles::BACKWARD, &tiles::sdpa_backward_mask_mutants()].concat()
    }

    fn arguments(b: &Backward) -> Vec<(String, String)> {
        let mut arguments = b.s.qkv_arguments();
        arguments.push(b.s.mask_argument());
        arguments.push(("d_out".to_string(), format::exact(&b.d_out)));
        arguments
    }
}

/// One flash_backward call: a flash case and the gradient of its output (the
/// saved output and lse are the reference forward's, recomputed when needed).
#[derive(Debug, Clone)]
pub(crate) struct TiledBackward {
    /// q, k, v, causality and blocks.
    pub t: Tiled,
    /// ∂L/∂output (l_q × d_v).
    pub d_out: Matrix,
}

impl TiledBackward {
    /// Fixed inputs from a seed (for the edge cases).
    fn seeded(
        seed: u64,
        lengths: (usize, usize),
        widths: (usize, usize),
        causal: bool,
        blocks: (usize, usize),
    ) -> Self {
        let t = Tiled::seeded(seed, lengths, widths, causal, blocks);
        let d_out = Draw::seeded(seed + 1000).sequence(lengths.0, widths.1);
        TiledBackward { t, d_out }
    }

    /// The saved forward: (output, lse) of the reference's flash attention.
    fn forward(&self) -> (Matrix, DVector<f32>) {
        let t = &self.t;
        reference::flash_attention(&t.q, &t.k, &t.v, t.causal, t.block_q, t.block_k)
    }
}

impl Arbitrary for TiledBackward {
    fn arbitrary(g: &mut Gen) -> Self {
        let t = Tiled::arbitrary(g);
        let d_out = Draw::new(g).sequence(t.q.nrows(), t.v.ncols());
        TiledBackward { t, d_out }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let smaller = self.t.smaller().into_iter().map(|(t, edit)| {
            let d_out = match edit {
                Edit::Other => self.d_out.clone(),
                Edit::Query(i) => keep_rows(&self.d_out, |r| r == i),
                Edit::ValueColumn(c) => keep_columns(&self.d_out, |j| j == c),
            };
            TiledBackward { t, d_out }
        });
        let simpler = if is_memory_case(&self.t) { Vec::new() } else { simpler_matrix(&self.d_out) };
        let simpler = simpler.into_iter().map(|d_out| TiledBackward { d_out, ..self.clone() });
        Box::new(smaller.chain(simpler).collect::<Vec<_>>().into_iter())
    }
}

impl Exercise for FlashBackward {
    type Function =
        fn(&Matrix, &Matrix, &Matrix, &Matrix, &DVector<f32>, &Matrix, bool, usize, usize) -> (Matrix, Matrix, Matrix);
    type Input = TiledBackward;
    const NAME: &'static str = "flash_backward";
    const REFERENCE: Self::Function = reference::flash_attention_backward;

    type Returned = (Matrix, Matrix, Matrix);

    fn encode(b: &TiledBackward) -> Vec<u8> {
        let (out, lse) = b.forward();
        let t = &b.t;
        to_bytes(&(&t.q, &t.k, &t.v, &out, &lse, &b.d_out, &t.causal, &t.block_q, &t.block_k))
    }

    fn call(function: Self::Function, b: &TiledBackward) -> Outputs {
        let (out, lse) = b.forward();
        let t = &b.t;
        gradient_outputs(function(&t.q, &t.k, &t.v, &out, &lse, &b.d_out, t.causal, t.block_q, t.block_k))
    }

    fn twin(knobs: &Knobs, b: &TiledBackward) -> Outputs {
        let (out, lse) = b.forward();
        let saved = Saved { out: &out, lse: &lse, d_out: &b.d_out };
        gradient_outputs(tiles::flash_backward(&b.t.q, &b.t.k, &b.t.v, &saved, b.t.tiling(), knobs))
    }

    fn edge_cases() -> Vec<(&'static str, TiledBackward)> {
        // |score| up to 60: the lse is large enough that exp(S) is far from P,
        // small enough that P = exp(S − lse) keeps f32 precision.
        let t = Tiled { q: Matrix::from_row_slice(2, 1, &[30.0, -30.0]), ..huge_logits() };
        let large = TiledBackward { t, d_out: Matrix::from_row_slice(2, 2, &[1.0, -0.5, 0.3, 2.0]) };
        vec![
            ("one query, one key, width 1, blocks of 1", TiledBackward::seeded(31, (1, 1), (1, 1), false, (1, 1))),
            ("square, blocks 2 × 2", TiledBackward::seeded(32, (4, 4), (2, 2), false, (2, 2))),
            ("block sizes that do not divide the lengths", TiledBackward::seeded(33, (5, 7), (3, 2), false, (2, 3))),
            ("blocks larger than the lengths", TiledBackward::seeded(34, (3, 4), (2, 3), false, (8, 8))),
            ("causal with l_q < l_k (aligned bottom-right)", TiledBackward::seeded(35, (3, 6), (2, 2), true, (2, 2))),
            ("causal, l_q = l_k, ragged blocks", TiledBackward::seeded(36, (5, 5), (2, 1), true, (2, 3))),
            ("large logits (|score| = 60), blocks of 1", large),
            (
                "memory: l = 512, d = 4, blocks 32 × 32",
                TiledBackward::seeded(
                    37,
                    (MEMORY_LENGTH, MEMORY_LENGTH),
                    (MEMORY_WIDTH, MEMORY_WIDTH),
                    false,
                    (MEMORY_BLOCK, MEMORY_BLOCK),
                ),
            ),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        [tiles::BACKWARD, tiles::FLASH_BACKWARD].concat()
    }

    fn heap_budget(b: &TiledBackward) -> Option<usize> {
        memory_budget(&b.t, BACKWARD_SEQUENCES)
    }

    const OVER_BUDGET: Option<MistakeInfo> = Some(mistakes::MATERIALISED_P);

    fn arguments(b: &TiledBackward) -> Vec<(String, String)> {
        let (out, lse) = b.forward();
        let mut arguments = b.t.qkv_arguments();
        arguments.push(("out".to_string(), format::exact(&out)));
        let lse = Matrix::from_column_slice(lse.len(), 1, lse.as_slice());
        arguments.push(("lse".to_string(), format::exact(&lse)));
        arguments.push(("d_out".to_string(), format::exact(&b.d_out)));
        arguments.extend(b.t.tiling_arguments());
        arguments
    }
}
