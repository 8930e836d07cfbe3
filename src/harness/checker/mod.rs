//! The judging half of `attn-quiz check`: property tests of a learner's
//! function against [`reference`](crate::reference).
//!
//! `attn-quiz check` compiles the learner's file into a small program whose
//! `main` is
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     attn_quiz::harness::checker::child_main(attn_quiz::harness::checker::Learner::Mha(learner::multi_head_attention))
//! }
//! ```
//!
//! and [`child_main`] answers the parent's [`Request`](protocol::Request) with
//! a [`Report`]. Tests call [`check`] directly.
//!
//! How a function is judged:
//! 1. **Edge cases first**, the same in every run: l = 1, d = 1, l_q ≠ l_k,
//!    d_k ≠ d_v, a fully masked row, logits of magnitude ≥ 1000, one head and
//!    D heads, G = 1 and G = H, nonzero biases (those that apply).
//! 2. **Random cases** from quickcheck's generator seeded with the seed:
//!    small random shapes, entries that are multiples of 0.1, random masks.
//! 3. Each result is compared with the reference's: **shapes** (and the
//!    number of heads), then **NaN/infinity**, then **values** within
//!    round-off (1e-5 + 1e-4 × the magnitude of the expected matrix).
//! 4. The first failure is **shrunk** (fewer rows, fewer heads, narrower,
//!    integer entries, no mask, zero biases) while it keeps failing the same way.
//! 5. The **mistake is named** when one of the buggy twins (the reference with
//!    one knob turned, see `knobs`) behaves exactly like the learner's function
//!    on the counterexample and on every edge case.
//!
//! A panic is caught quietly and reported with its message and the input
//! that caused it; the template's `todo` panic before anything returned means
//! "not started".

mod child;
mod draw;
mod exercise;
mod exercises;
mod knobs;
mod mistakes;
mod outputs;
mod panics;
mod render;
mod session;
mod twins;

#[cfg(test)]
mod tests;

pub use child::child_main;

use self::exercise::Exercise;
use self::exercises::{Additive, CausalMask, CrossAttention, Gated, Gqa, Mha, Sdpa, SelfAttention, Softmax};
use crate::harness::protocol::{self, Outcome, Report};
use crate::layers::{AdditiveWeights, GatedWeights, GroupedQueryWeights, MultiHeadWeights};
use crate::prelude::{Mask, Matrix};

/// How many random cases a check runs by default, on top of the edge cases.
pub const DEFAULT_CASES: u32 = 200;

/// A learner's function, one variant per exercise of the SPEC.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::type_complexity)] // the variants spell out the SPEC's signatures on purpose
pub enum Learner {
    /// `softmax_rows(scores)`.
    Softmax(fn(&Matrix) -> Matrix),
    /// `causal_mask(len)`.
    CausalMask(fn(usize) -> Mask),
    /// `scaled_dot_product_attention(q, k, v, mask)`.
    Sdpa(fn(&Matrix, &Matrix, &Matrix, Option<&Mask>) -> (Matrix, Matrix)),
    /// `multi_head_attention(query, key, value, w, mask)`.
    Mha(fn(&Matrix, &Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `self_attention(x, w, mask)`.
    SelfAttention(fn(&Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `cross_attention(x, memory, w, mask)`.
    CrossAttention(fn(&Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `gated_self_attention(x, w, mask)`.
    Gated(fn(&Matrix, &GatedWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `grouped_query_attention(query, key, value, w, mask)`.
    Gqa(fn(&Matrix, &Matrix, &Matrix, &GroupedQueryWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `additive_attention(q, k, v, w, mask)`.
    Additive(fn(&Matrix, &Matrix, &Matrix, &AdditiveWeights, Option<&Mask>) -> (Matrix, Matrix)),
}

impl Learner {
    /// The exercise name: `softmax`, `causal_mask`, `sdpa`, `mha`,
    /// `self_attention`, `cross_attention`, `gated`, `gqa` or `additive`.
    pub fn exercise(&self) -> &'static str {
        match self {
            Learner::Softmax(_) => Softmax::NAME,
            Learner::CausalMask(_) => CausalMask::NAME,
            Learner::Sdpa(_) => Sdpa::NAME,
            Learner::Mha(_) => Mha::NAME,
            Learner::SelfAttention(_) => SelfAttention::NAME,
            Learner::CrossAttention(_) => CrossAttention::NAME,
            Learner::Gated(_) => Gated::NAME,
            Learner::Gqa(_) => Gqa::NAME,
            Learner::Additive(_) => Additive::NAME,
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The exercise checked.
    pub exercise: &'static str,
    /// The seed of the random cases.
    pub seed: u64,
    /// How many cases (edge and random) ran before the verdict.
    pub cases_run: u32,
    /// Passed, not started, or a shrunk counterexample.
    pub outcome: Outcome,
}

impl Verdict {
    /// The report the child sends back, with the request's nonce.
    pub fn into_report(self, nonce: String) -> Report {
        Report {
            nonce,
            exercise: self.exercise.to_string(),
            seed: self.seed,
            cases_run: self.cases_run,
            outcome: self.outcome,
        }
    }
}

/// Checks the learner's function on the edge cases and `cases` random cases
/// drawn from `seed`, in this process.
///
/// `before_call` sees each input just before the learner's function runs on it
/// (the child writes it to a file, so a hang or a crash can be blamed on it).
pub fn check(learner: Learner, seed: u64, cases: u32, before_call: &mut dyn FnMut(&protocol::Case)) -> Verdict {
    /// Runs exercise `E` with the learner's function `f`.
    fn run<E: Exercise>(
        f: E::Function,
        seed: u64,
        cases: u32,
        before_call: &mut dyn FnMut(&protocol::Case),
    ) -> (u32, Outcome) {
        session::run::<E>(&|input| E::call(f, input), seed, cases, before_call)
    }
    let (cases_run, outcome) = match learner {
        Learner::Softmax(f) => run::<Softmax>(f, seed, cases, before_call),
        Learner::CausalMask(f) => run::<CausalMask>(f, seed, cases, before_call),
        Learner::Sdpa(f) => run::<Sdpa>(f, seed, cases, before_call),
        Learner::Mha(f) => run::<Mha>(f, seed, cases, before_call),
        Learner::SelfAttention(f) => run::<SelfAttention>(f, seed, cases, before_call),
        Learner::CrossAttention(f) => run::<CrossAttention>(f, seed, cases, before_call),
        Learner::Gated(f) => run::<Gated>(f, seed, cases, before_call),
        Learner::Gqa(f) => run::<Gqa>(f, seed, cases, before_call),
        Learner::Additive(f) => run::<Additive>(f, seed, cases, before_call),
    };
    Verdict { exercise: learner.exercise(), seed, cases_run, outcome }
}
