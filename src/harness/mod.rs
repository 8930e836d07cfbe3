//! The exercise checker behind `attn-quiz check`.
//!
//! - [`protocol`]: the messages between `attn-quiz check` and the compiled
//!   learner program.

pub mod protocol;
