//! `attn-quiz check` and the other exercise commands: the judge's side.
//!
//! Everything in this module runs in attn-quiz's own process. The learner's
//! code runs in another, the [evaluator](crate::evaluator), which only computes:
//!
//! 1. [`package`] writes a one-file Cargo package whose `main.rs` includes the
//!    learner's file and serves its function as an evaluator, against the
//!    learner's surface of the library ([`library`]: the prelude, the layers,
//!    the evaluator; not the reference, not the judge);
//! 2. [`compile`] builds it with one `cargo build` and sorts rustc's messages;
//! 3. [`evaluator_process`] starts the evaluator in a process group of its
//!    own and exchanges calls with it, under a time limit per call;
//! 4. [`judge`] draws the cases, compares each answer with the reference,
//!    shrinks a failure and names the mistake;
//! 5. [`check`] ties the steps together into a [`verdict::Verdict`], which
//!    [`render`] writes for a terminal.
//!
//! What the judge guarantees: nothing the learner's code prints, exits with,
//! writes or spawns can make a wrong answer pass, and a check ends within its
//! `--timeout` (plus about a second) whatever that code does. What it does not:
//! it is not a sandbox. The learner's code runs with the learner's own rights
//! (it can read and write their files), and a solution copied from the
//! reference (`attn-quiz solution` shows it) passes, because it is correct.
//!
//! Around it all: [`exercises`] (names, templates, hints) and [`progress`]
//! (the learner's statuses and hints shown).

pub mod check;
pub mod compile;
pub mod evaluator_process;
pub mod exercises;
pub mod judge;
pub mod library;
pub mod package;
pub mod progress;
pub mod render;
pub mod verdict;

/// A short fingerprint of some bytes (64-bit FNV-1a, in hex): stable across
/// runs and Rust versions, which is all the state files and the cache need.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> String {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    for part in parts {
        hasher.write(part);
        hasher.write_u8(0xff); // a separator, so ["ab", "c"] and ["a", "bc"] differ
    }
    format!("{:016x}", hasher.finish())
}
