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

/// One recorded intermediate: its name, the (rows, cols) it had, and the head
/// it belongs to (`None` outside the per-head part of a multi-head variant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What the step computed ("q_projected", "scores", "weights", ...).
    pub name: &'static str,
    /// The shape of the matrix it produced.
    pub shape: (usize, usize),
    /// The head it was computed for, if any.
    pub head: Option<usize>,
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<Step>>> = const { RefCell::new(None) };
    static CURRENT_HEAD: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
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

/// Reports that the step `name` produced `m`, a matrix of numbers or a mask
/// (a no-op unless [`record`] is running).
pub fn step<T: nalgebra::Scalar>(name: &'static str, m: &nalgebra::DMatrix<T>) {
    RECORDING.with(|r| {
        if let Some(steps) = r.borrow_mut().as_mut() {
            steps.push(Step { name, shape: m.shape(), head: CURRENT_HEAD.get() });
        }
    });
}

/// Reports one step per head, tagged with its head index (a no-op unless
/// [`record`] is running).
pub fn step_each(name: &'static str, heads: &[Matrix]) {
    for (h, m) in heads.iter().enumerate() {
        in_head(h, || step(name, m));
    }
}

/// Runs `f` with every step it reports tagged as belonging to head `h`.
pub fn in_head<R>(h: usize, f: impl FnOnce() -> R) -> R {
    let outer = CURRENT_HEAD.replace(Some(h));
    let result = f();
    CURRENT_HEAD.set(outer);
    result
}
