//! `causal_mask`: `causal_mask(len: usize) -> Mask`.

use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::Draw;
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::outputs::Outputs;
use crate::harness::judge::twins;
use crate::prelude::Mask;
use crate::reference;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct CausalMask;

/// A sequence length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Length(pub usize);

impl Arbitrary for Length {
    /// Up to twice the generator's size (a mask is cheap).
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        Length(draw.size() + draw.size())
    }

    /// Length 1, half the length, one less.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut shorter = vec![1, self.0 / 2, self.0.saturating_sub(1)];
        shorter.retain(|&n| n >= 1 && n < self.0);
        shorter.dedup();
        Box::new(shorter.into_iter().map(Length))
    }
}

impl Exercise for CausalMask {
    type Function = fn(usize) -> Mask;
    type Input = Length;
    const NAME: &'static str = "causal_mask";
    const REFERENCE: Self::Function = reference::causal_mask;

    type Returned = Mask;

    fn encode(input: &Length) -> Vec<u8> {
        to_bytes(&(input.0,))
    }

    fn call(function: Self::Function, input: &Length) -> Outputs {
        Outputs::mask(function(input.0))
    }

    fn twin(knobs: &Knobs, input: &Length) -> Outputs {
        Outputs::mask(twins::causal_mask(input.0, knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Length)> {
        vec![
            ("one position", Length(1)),
            ("two positions", Length(2)),
            ("five positions", Length(5)),
            ("no positions (len = 0)", Length(0)),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        knobs::CAUSAL.to_vec()
    }

    fn arguments(input: &Length) -> Vec<(String, String)> {
        vec![("len".to_string(), input.0.to_string())]
    }
}
