//! # attn-quiz
//!
//! Annotated reference implementations of transformer attention, written to be
//! read line by line, plus the machinery behind the `attn-quiz` command line tool
//! (quiz, exercise judge, explorers).
//!
//! Start with [`reference`]: one variant per file, each with its equation, its
//! paper, a shape contract on every function and a shape comment on every line
//! that builds a matrix.
//!
//! Conventions used everywhere (fixed by the project's SPEC):
//! - a sequence is a [`Matrix`](prelude::Matrix) with **one row per position and
//!   one column per feature**, element type `f32`;
//! - a [`Mask`](prelude::Mask) is `true` where query `i` **may** attend to key `j`;
//! - a fully masked query row gets all-zero weights and an all-zero output row;
//! - a linear layer computes `y = x·W + b` with `W` stored (in × out).
#![deny(missing_docs)]

pub use nalgebra;

// The learner's surface: what an exercise file is built against (the crate
// with default features off). It holds no answer and no judgement.
pub mod error;
pub mod evaluator;
pub mod layers;
pub mod prelude;

// The tool around it (feature `tool`, on by default).
#[cfg(feature = "tool")]
pub mod fast;
#[cfg(feature = "tool")]
pub mod measure;
#[cfg(feature = "tool")]
pub mod reference;
#[cfg(feature = "tool")]
pub mod sample;
#[cfg(feature = "tool")]
pub mod store;
#[cfg(feature = "tool")]
pub mod trace;
#[cfg(feature = "tool")]
pub mod train;

#[cfg(feature = "tool")]
pub mod explore;
#[cfg(feature = "tool")]
pub mod harness;
#[cfg(feature = "tool")]
pub mod heatmap;
#[cfg(feature = "tool")]
pub mod quiz;
