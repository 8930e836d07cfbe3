//! What the judge needs to know about one exercise.

use super::knobs::{Knobs, Mutant};
use super::mistakes::MistakeInfo;
use super::outputs::Outputs;
use crate::evaluator::wire::Decode;
use quickcheck::Arbitrary;

/// One exercise of the SPEC, as the judge sees it: its function's type, its
/// inputs (random ones through [`Arbitrary`], plus named edge cases), the
/// reference answer, and the mutants that can name a mistake.
pub(crate) trait Exercise {
    /// The exercise's function type, e.g. `fn(&Matrix) -> Matrix`.
    type Function: Copy;
    /// One input case, with its own generation and shrinking.
    type Input: Arbitrary;

    /// The exercise name (`mha`, `sdpa`, ...).
    const NAME: &'static str;
    /// The answer key: the reference implementation.
    const REFERENCE: Self::Function;

    /// What the function returns, as it comes back from the evaluator.
    type Returned: Decode + Into<Outputs>;

    /// The input's arguments in signature order, encoded as the evaluator's
    /// [`Learner::call`](crate::evaluator::Learner::call) reads them.
    fn encode(input: &Self::Input) -> Vec<u8>;

    /// Calls `function` (the reference) on an input, in this process.
    fn call(function: Self::Function, input: &Self::Input) -> Outputs;

    /// Runs the buggy twin of this exercise with the given knobs.
    fn twin(knobs: &Knobs, input: &Self::Input) -> Outputs;

    /// The named edge cases every run starts with. Together they catch every
    /// mutant, and tell any two mutants of different mistakes apart.
    fn edge_cases() -> Vec<(&'static str, Self::Input)>;

    /// The mistakes this exercise recognises, most specific first.
    fn mutants() -> Vec<Mutant>;

    /// The most heap (in bytes) one call on `input` may hold at once, for the
    /// variants whose point is to save memory; `None`: not measured. A case
    /// with a budget is long, so its call may also take longer.
    fn heap_budget(_input: &Self::Input) -> Option<usize> {
        None
    }

    /// The mistake named when a call holds more than its [`heap_budget`](Exercise::heap_budget).
    const OVER_BUDGET: Option<MistakeInfo> = None;

    /// The arguments of a call, named and rendered, in signature order.
    fn arguments(input: &Self::Input) -> Vec<(String, String)>;
}
