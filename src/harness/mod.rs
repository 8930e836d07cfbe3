//! `attn-quiz check` and the other exercise commands.
//!
//! A check compiles the learner's file into a small program of its own and
//! runs it in a child process, so nothing the learner's code does (panic,
//! loop forever, overflow the stack, exit) can take `attn-quiz` down or fake
//! a pass:
//!
//! 1. [`package`] writes a one-file Cargo package whose `main.rs` includes the
//!    learner's file and calls the [`checker`] with the learner's function,
//!    against the library source embedded by [`library`];
//! 2. [`compile`] builds it with one `cargo build` and sorts rustc's messages;
//! 3. [`child`] runs it with a [`protocol::Request`], under a timeout, and
//!    reads the [`protocol::Report`];
//! 4. [`check`] ties the steps together into a [`verdict::Verdict`], which
//!    [`render`] writes for a terminal.
//!
//! The [`checker`] is the part that runs inside that program: it
//! property-tests the learner's function against the reference and writes
//! the report ([`protocol`] has the messages between the two processes).
//! Around it all: [`exercises`] (names, templates, hints) and [`progress`]
//! (the learner's statuses and hints shown).

pub mod check;
pub mod checker;
pub mod child;
pub mod compile;
pub mod exercises;
pub mod library;
pub mod package;
pub mod progress;
pub mod protocol;
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
