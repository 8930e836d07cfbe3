//! Watch attention learn: a small attention model trained from scratch on a
//! toy task, with the library's own backward pass and Adam.
//!
//! - [`task`]: the toy tasks (reverse a sequence, copy the token after a marker).
//! - [`model`]: embedding + positions, residual self-attention layers, output projection.
//! - [`grad`]: each layer's backward pass (attention's through
//!   [`sdpa_backward`](crate::reference::sdpa_backward)), checked against finite differences.
//! - [`adam`]: the optimiser.
//! - [`run`]: the training loop and the held-out accuracy.
//! - [`display`]: the progress bar and the loss curve drawn in the terminal.

pub mod adam;
pub mod display;
pub mod grad;
pub mod model;
pub mod run;
pub mod task;
