//! The interview quiz behind `attn-quiz run` and `attn-quiz stats`.
//!
//! - [`bank`]: the written questions (TOML, one file per [`topic`]), checked at load;
//! - [`generators`]: questions with fresh sizes whose answers are measured on the reference;
//! - [`plan`]: which questions a session asks;
//! - [`asked`] and [`parse`]: showing a question and reading its answer;
//! - [`session`] and [`summary`]: the conversation and its end;
//! - [`progress`]: Leitner-box scheduling across sessions; [`mastery`]: the stats;
//! - [`mock`]: the timed written test of `attn-quiz mock` and its history.

pub mod asked;
pub mod bank;
pub mod generators;
pub mod mastery;
pub mod mock;
pub mod parse;
pub mod plan;
pub mod pointer;
pub mod progress;
pub mod question;
pub mod session;
pub mod summary;
pub mod topic;
