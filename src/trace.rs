//! A step recorder the reference reports into, so tools can show what it did.
//!
//! The reference calls [`step`] after each intermediate it builds
//! (`trace::step("scores", &scores)`). Outside [`record`] that call does
//! nothing but one thread-local check; inside, it notes the step's name and
//! the shape of the matrix actually produced. `attn-quiz trace` prints those
//! shapes, so they can never drift from the code.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::{reference, trace};
//!
//! let x = Matrix::from_element(3, 4, 0.5);
//! let (_, steps) = trace::record(|| reference::scaled_dot_product_attention(&x, &x, &x, None));
//! let scores = steps.iter().find(|s| s.name == "scores").unwrap();
//! assert_eq!(scores.shape, (3, 3));
//! ```

use crate::prelude::Matrix;
use std::cell::RefCell;

/// One recorded intermediate: its name and the (rows, cols) it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What the step computed ("q_projected", "scores", "weights", ...).
    pub name: &'static str,
    /// The shape of the matrix it produced.
    pub shape: (usize, usize),
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<Step>>> = const { RefCell::new(None) };
}

/// Runs `f` with recording on and returns its result with every step it reported.
///
/// Nested calls record into the innermost recorder only.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Vec<Step>) {
    let outer = RECORDING.with(|r| r.replace(Some(Vec::new())));
    let result = f();
    let steps = RECORDING.with(|r| r.replace(outer)).unwrap_or_default();
    (result, steps)
}

/// Reports that the step `name` produced `m` (a no-op unless [`record`] is running).
pub fn step(name: &'static str, m: &Matrix) {
    RECORDING.with(|r| {
        if let Some(steps) = r.borrow_mut().as_mut() {
            steps.push(Step { name, shape: m.shape() });
        }
    });
}

/// Reports one step per head (a no-op unless [`record`] is running).
pub fn step_each(name: &'static str, heads: &[Matrix]) {
    for head in heads {
        step(name, head);
    }
}
