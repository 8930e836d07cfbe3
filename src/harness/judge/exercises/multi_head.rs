//! The five multi-head exercises: `mha`, `self_attention`, `cross_attention`,
//! `gated` and `gqa`. Each is a [`Form`] of [`HeadsCase`] plus its signature,
//! its reference and the mistakes that apply to it.

use super::heads::{Form, HeadsCase, Sources, edge_cases};
use crate::evaluator::wire::to_bytes;
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::knobs::{self, Knobs, Mutant};
use crate::harness::judge::outputs::Outputs;
use crate::layers::{GatedWeights, GroupedQueryWeights, MultiHeadWeights};
use crate::prelude::{Mask, Matrix};
use crate::reference;

/// What every multi-head exercise returns: the output and one weights matrix per head.
type Returned = (Matrix, Vec<Matrix>);

/// `mha`: `multi_head_attention(query, key, value, w, mask)`.
#[derive(Debug, Clone)]
pub(crate) struct Mha;

impl Form for Mha {
    const SOURCES: Sources = Sources::Separate;
    const GATED: bool = false;
    const GROUPED: bool = false;
}

impl Exercise for Mha {
    type Function = fn(&Matrix, &Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> Returned;
    type Input = HeadsCase<Mha>;
    const NAME: &'static str = "mha";
    const REFERENCE: Self::Function = reference::multi_head_attention;

    type Returned = Returned;

    fn encode(c: &Self::Input) -> Vec<u8> {
        to_bytes(&(c.query(), c.key(), c.value(), &c.multi_head_weights(), &c.mask))
    }

    fn call(function: Self::Function, c: &Self::Input) -> Outputs {
        Outputs::multi_head(function(c.query(), c.key(), c.value(), &c.multi_head_weights(), c.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &Self::Input) -> Outputs {
        Outputs::multi_head(c.twin(knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Self::Input)> {
        edge_cases()
    }

    fn mutants() -> Vec<Mutant> {
        with_attention_mutants(&[knobs::HEADS, knobs::SWAPPED_INPUTS, knobs::BLOCK_PROJECTION])
    }

    fn arguments(c: &Self::Input) -> Vec<(String, String)> {
        c.arguments()
    }
}

/// `self_attention`: `self_attention(x, w, mask)`.
#[derive(Debug, Clone)]
pub(crate) struct SelfAttention;

impl Form for SelfAttention {
    const SOURCES: Sources = Sources::SelfTied;
    const GATED: bool = false;
    const GROUPED: bool = false;
}

impl Exercise for SelfAttention {
    type Function = fn(&Matrix, &MultiHeadWeights, Option<&Mask>) -> Returned;
    type Input = HeadsCase<SelfAttention>;
    const NAME: &'static str = "self_attention";
    const REFERENCE: Self::Function = reference::self_attention;

    type Returned = Returned;

    fn encode(c: &Self::Input) -> Vec<u8> {
        to_bytes(&(c.query(), &c.multi_head_weights(), &c.mask))
    }

    fn call(function: Self::Function, c: &Self::Input) -> Outputs {
        Outputs::multi_head(function(c.query(), &c.multi_head_weights(), c.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &Self::Input) -> Outputs {
        Outputs::multi_head(c.twin(knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Self::Input)> {
        edge_cases()
    }

    fn mutants() -> Vec<Mutant> {
        with_attention_mutants(&[knobs::HEADS, knobs::BLOCK_PROJECTION])
    }

    fn arguments(c: &Self::Input) -> Vec<(String, String)> {
        c.arguments()
    }
}

/// `cross_attention`: `cross_attention(x, memory, w, mask)`.
#[derive(Debug, Clone)]
pub(crate) struct CrossAttention;

impl Form for CrossAttention {
    const SOURCES: Sources = Sources::Cross;
    const GATED: bool = false;
    const GROUPED: bool = false;
}

impl Exercise for CrossAttention {
    type Function = fn(&Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> Returned;
    type Input = HeadsCase<CrossAttention>;
    const NAME: &'static str = "cross_attention";
    const REFERENCE: Self::Function = reference::cross_attention;

    type Returned = Returned;

    fn encode(c: &Self::Input) -> Vec<u8> {
        to_bytes(&(c.query(), c.key(), &c.multi_head_weights(), &c.mask))
    }

    fn call(function: Self::Function, c: &Self::Input) -> Outputs {
        Outputs::multi_head(function(c.query(), c.key(), &c.multi_head_weights(), c.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &Self::Input) -> Outputs {
        Outputs::multi_head(c.twin(knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Self::Input)> {
        edge_cases()
    }

    fn mutants() -> Vec<Mutant> {
        with_attention_mutants(&[knobs::ROUTING, knobs::HEADS, knobs::BLOCK_PROJECTION])
    }

    fn arguments(c: &Self::Input) -> Vec<(String, String)> {
        c.arguments()
    }
}

/// `gated`: `gated_self_attention(x, w, mask)`.
#[derive(Debug, Clone)]
pub(crate) struct Gated;

impl Form for Gated {
    const SOURCES: Sources = Sources::SelfTied;
    const GATED: bool = true;
    const GROUPED: bool = false;
}

impl Exercise for Gated {
    type Function = fn(&Matrix, &GatedWeights, Option<&Mask>) -> Returned;
    type Input = HeadsCase<Gated>;
    const NAME: &'static str = "gated";
    const REFERENCE: Self::Function = reference::gated_self_attention;

    type Returned = Returned;

    fn encode(c: &Self::Input) -> Vec<u8> {
        to_bytes(&(c.query(), &gated_weights(c), &c.mask))
    }

    fn call(function: Self::Function, c: &Self::Input) -> Outputs {
        Outputs::multi_head(function(c.query(), &gated_weights(c), c.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &Self::Input) -> Outputs {
        Outputs::multi_head(c.twin(knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Self::Input)> {
        edge_cases()
    }

    fn mutants() -> Vec<Mutant> {
        with_attention_mutants(&[knobs::GATE, knobs::HEADS, knobs::BLOCK_PROJECTION])
    }

    fn arguments(c: &Self::Input) -> Vec<(String, String)> {
        c.arguments()
    }
}

/// The mistakes every multi-head exercise can make inside its heads (scale,
/// softmax, mask), after the ones `specific` to the exercise (most specific first).
fn with_attention_mutants(specific: &[&[Mutant]]) -> Vec<Mutant> {
    use knobs::*;
    let shared: &[&[Mutant]] = &[SCALE, SCALE_STAGE, HEAD_SCALE, SOFTMAX, SOFTMAX_WHOLE, WEIGHTING, MASK];
    specific.iter().chain(shared).flat_map(|list| list.iter().copied()).collect()
}

/// The weights of a gated case.
fn gated_weights(c: &HeadsCase<Gated>) -> GatedWeights {
    let gate = c.gate.clone().expect("gated cases always have a gate");
    GatedWeights { attn: c.multi_head_weights(), gate }
}

/// `gqa`: `grouped_query_attention(query, key, value, w, mask)`.
#[derive(Debug, Clone)]
pub(crate) struct Gqa;

impl Form for Gqa {
    const SOURCES: Sources = Sources::Separate;
    const GATED: bool = false;
    const GROUPED: bool = true;
}

impl Exercise for Gqa {
    type Function = fn(&Matrix, &Matrix, &Matrix, &GroupedQueryWeights, Option<&Mask>) -> Returned;
    type Input = HeadsCase<Gqa>;
    const NAME: &'static str = "gqa";
    const REFERENCE: Self::Function = reference::grouped_query_attention;

    type Returned = Returned;

    fn encode(c: &Self::Input) -> Vec<u8> {
        to_bytes(&(c.query(), c.key(), c.value(), &c.w, &c.mask))
    }

    fn call(function: Self::Function, c: &Self::Input) -> Outputs {
        Outputs::multi_head(function(c.query(), c.key(), c.value(), &c.w, c.mask.as_ref()))
    }

    fn twin(knobs: &Knobs, c: &Self::Input) -> Outputs {
        Outputs::multi_head(c.twin(knobs))
    }

    fn edge_cases() -> Vec<(&'static str, Self::Input)> {
        edge_cases()
    }

    fn mutants() -> Vec<Mutant> {
        with_attention_mutants(&[knobs::GROUPED, knobs::HEADS, knobs::SWAPPED_INPUTS, knobs::INPUT_WIDTH_SCALE])
    }

    fn arguments(c: &Self::Input) -> Vec<(String, String)> {
        c.arguments()
    }
}
