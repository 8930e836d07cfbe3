//! The exercise checker behind `attn-quiz check`.
//!
//! - [`protocol`]: the messages between `attn-quiz check` and the compiled
//!   learner program.
//! - [`checker`]: the property tests that judge the learner's function, and
//!   the compiled program's entry point.

pub mod checker;
pub mod protocol;
