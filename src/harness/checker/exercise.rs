//! What the checker needs to know about one exercise.

use super::knobs::{Knobs, Mutant};
use super::outputs::Outputs;
use quickcheck::Arbitrary;

/// One exercise of the SPEC, as the checker sees it: its function's type, its
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

    /// Calls `function` (the learner's or the reference) on an input.
    fn call(function: Self::Function, input: &Self::Input) -> Outputs;

    /// Runs the buggy twin of this exercise with the given knobs.
    fn twin(knobs: &Knobs, input: &Self::Input) -> Outputs;

    /// The named edge cases every run starts with. Together they catch every
    /// mutant, and tell any two mutants of different mistakes apart.
    fn edge_cases() -> Vec<(&'static str, Self::Input)>;

    /// The mistakes this exercise recognises, most specific first.
    fn mutants() -> Vec<Mutant>;

    /// The arguments of a call, named and rendered, in signature order.
    fn arguments(input: &Self::Input) -> Vec<(String, String)>;
}
