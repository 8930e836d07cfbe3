//! `sliding_window`: `sliding_window_mask(len_q, len_k, window) -> Mask`.
//!
//! Besides equality with the reference, every case checks that the mask is
//! causal (no key after the query's aligned position a_i = i + len_k − len_q,
//! read off the returned shape), and a window ≥ len_k is compared with the
//! aligned causal mask itself.

use crate::evaluator::wire::{Decode, WireError, to_bytes};
use crate::harness::judge::draw::Draw;
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::{Output, Outputs, Value};
use crate::prelude::Mask;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct SlidingWindow;

/// Which keys the window twin lets query i (at a_i) see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowRule {
    /// a_i − window < j ≤ a_i: correct.
    Correct,
    /// a_i − window ≤ j ≤ a_i: window + 1 keys.
    OneTooWide,
    /// a_i − window + 1 < j ≤ a_i: window − 1 keys.
    OneTooNarrow,
    /// |j − a_i| < window: the band on both sides.
    Symmetric,
    /// a_i = i (top-left alignment).
    TopLeft,
    /// j ≤ a_i: no window at all.
    Ignored,
}

impl WindowRule {
    /// Whether query `i` may see key `j`.
    fn allows(self, i: usize, j: usize, len_q: usize, len_k: usize, window: usize) -> bool {
        let a = if self == WindowRule::TopLeft { i as i64 } else { (i + len_k) as i64 - len_q as i64 };
        let (j, w) = (j as i64, window as i64);
        match self {
            WindowRule::Correct | WindowRule::TopLeft => a - w < j && j <= a,
            WindowRule::OneTooWide => a - w <= j && j <= a,
            WindowRule::OneTooNarrow => a - w + 1 < j && j <= a,
            WindowRule::Symmetric => (j - a).abs() < w,
            WindowRule::Ignored => j <= a,
        }
    }
}

/// The name of the mask output when the window covers every key.
const WHOLE_WINDOW: &str = "mask (a window >= len_k is the aligned causal mask)";
/// The name of the property output.
const FUTURE: &str = "keys after the query's position that the mask allows (a window is causal: none)";

/// One input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WindowCase {
    /// Queries (≤ len_k).
    pub len_q: usize,
    /// Keys.
    pub len_k: usize,
    /// Keys each query sees, itself included (≥ 1).
    pub window: usize,
}

/// The entries of `mask` that allow a key after the query's aligned position.
fn future_entries(mask: &Mask) -> Mask {
    let (len_q, len_k) = mask.shape();
    Mask::from_fn(len_q, len_k, |i, j| mask[(i, j)] && j + len_q > i + len_k)
}

/// What the learner's function returned.
#[derive(Debug, Clone)]
pub(crate) struct WindowMask(pub Mask);

impl Decode for WindowMask {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(WindowMask(Mask::decode(input)?))
    }
}

impl From<WindowMask> for Outputs {
    fn from(WindowMask(mask): WindowMask) -> Self {
        let future = future_entries(&mask);
        outputs("mask", mask, future)
    }
}

/// The mask (under `name`) and its entries past the diagonal.
fn outputs(name: &'static str, mask: Mask, future: Mask) -> Outputs {
    Outputs(vec![Output { name, value: Value::Mask(mask) }, Output { name: FUTURE, value: Value::Mask(future) }])
}

impl Arbitrary for WindowCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let len_k = draw.size() + draw.size();
        let len_q = if draw.chance(0.5) { len_k } else { 1 + (draw.size() + draw.size()) % len_k };
        let window = 1 + (draw.size() + draw.size()) % (len_k + 2);
        WindowCase { len_q, len_k, window }
    }

    /// Fewer queries, fewer keys (keeping len_q ≤ len_k), a smaller window.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let WindowCase { len_q, len_k, window } = *self;
        let mut smaller = Vec::new();
        if len_q > 1 {
            smaller.push(WindowCase { len_q: len_q - 1, ..*self });
        }
        if len_k > len_q {
            smaller.push(WindowCase { len_k: len_k - 1, ..*self });
        }
        if len_q > 1 {
            smaller.push(WindowCase { len_q: len_q - 1, len_k: len_k - 1, window });
        }
        if window > 1 {
            smaller.push(WindowCase { window: window - 1, ..*self });
        }
        Box::new(smaller.into_iter())
    }
}

impl Exercise for SlidingWindow {
    type Function = fn(usize, usize, usize) -> Mask;
    type Input = WindowCase;
    const NAME: &'static str = "sliding_window";
    const REFERENCE: Self::Function = reference::sliding_window_mask;

    type Returned = WindowMask;

    fn encode(c: &WindowCase) -> Vec<u8> {
        to_bytes(&(c.len_q, c.len_k, c.window))
    }

    /// The reference's mask, or where the window covers every key, the aligned
    /// causal mask; and no entry past the diagonal.
    fn call(function: Self::Function, c: &WindowCase) -> Outputs {
        let none = Mask::from_element(c.len_q, c.len_k, false);
        if c.window >= c.len_k {
            return outputs(WHOLE_WINDOW, reference::aligned_causal_mask(c.len_q, c.len_k), none);
        }
        outputs("mask", function(c.len_q, c.len_k, c.window), none)
    }

    fn twin(knobs: &Knobs, c: &WindowCase) -> Outputs {
        let WindowCase { len_q, len_k, window } = *c;
        let mask = Mask::from_fn(len_q, len_k, |i, j| knobs.window.allows(i, j, len_q, len_k, window));
        WindowMask(mask).into()
    }

    fn edge_cases() -> Vec<(&'static str, WindowCase)> {
        let case = |len_q, len_k, window| WindowCase { len_q, len_k, window };
        vec![
            ("one query, one key, window 1", case(1, 1, 1)),
            ("window 1: only the current token", case(4, 4, 1)),
            ("window 2 over 5 tokens", case(5, 5, 2)),
            ("one query decoding over 6 keys, window 3", case(1, 6, 3)),
            ("3 queries over 7 keys (len_q < len_k), window 2", case(3, 7, 2)),
            ("window = len_k", case(3, 5, 5)),
            ("window > len_k", case(2, 4, 9)),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, window| Mutant { mistake, knobs: Knobs { window, ..Knobs::CORRECT } };
        vec![
            rule(m::WINDOW_ONE_TOO_WIDE, WindowRule::OneTooWide),
            rule(m::WINDOW_ONE_TOO_NARROW, WindowRule::OneTooNarrow),
            rule(m::WINDOW_NOT_CAUSAL, WindowRule::Symmetric),
            rule(m::WINDOW_TOP_LEFT, WindowRule::TopLeft),
            rule(m::WINDOW_IGNORED, WindowRule::Ignored),
        ]
    }

    fn arguments(c: &WindowCase) -> Vec<(String, String)> {
        [("len_q", c.len_q), ("len_k", c.len_k), ("window", c.window)]
            .map(|(name, n)| (name.to_string(), n.to_string()))
            .to_vec()
    }
}
