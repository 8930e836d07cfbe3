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
//!
//! A few places also report *numbers* with [`values`] (RoPE's frequencies,
//! flash attention's running max, sum and rescale factor per tile), so that
//! `attn-quiz trace` can print a recurrence as it ran. [`record`] ignores them;
//! [`record_with_values`] returns them too.
//!
//! ```
//! use attn_quiz::trace;
//!
//! let ((), steps, readings) = trace::record_with_values(|| trace::values("theta", [1.0, 0.1]));
//! assert!(steps.is_empty());
//! assert_eq!((readings[0].name, readings[0].values.clone()), ("theta", vec![1.0, 0.1]));
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

/// Numbers the reference reported by name while it ran, in f64 (an f32 value
/// converts exactly), with the head they belong to (`None` outside the heads).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// What the numbers are ("theta", "running_max", ...).
    pub name: &'static str,
    /// The numbers, in the order the reference gave them.
    pub values: Vec<f64>,
    /// The head they were computed for, if any.
    pub head: Option<usize>,
}

/// What one [`record`] collects.
#[derive(Default)]
struct Recording {
    steps: Vec<Step>,
    readings: Vec<Reading>,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
    static CURRENT_HEAD: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with recording on and returns its result with every step it reported.
///
/// Nested calls record into the innermost recorder only.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Vec<Step>) {
    let (result, steps, _) = record_with_values(f);
    (result, steps)
}

/// [`record`] that also returns the numbers reported with [`values`].
pub fn record_with_values<R>(f: impl FnOnce() -> R) -> (R, Vec<Step>, Vec<Reading>) {
    let outer = RECORDING.with(|r| r.replace(Some(Recording::default())));
    let result = f();
    let recording = RECORDING.with(|r| r.replace(outer)).unwrap_or_default();
    (result, recording.steps, recording.readings)
}

/// Whether a [`record`] is running: lets the reference skip building numbers
/// only a recorder would read.
pub fn is_recording() -> bool {
    RECORDING.with(|r| r.borrow().is_some())
}

/// Reports the numbers `name` took (a no-op unless [`record`] is running).
pub fn values<T: Into<f64>>(name: &'static str, values: impl IntoIterator<Item = T>) {
    RECORDING.with(|r| {
        if let Some(recording) = r.borrow_mut().as_mut() {
            let values = values.into_iter().map(Into::into).collect();
            recording.readings.push(Reading { name, values, head: CURRENT_HEAD.get() });
        }
    });
}

/// Reports that the step `name` produced `m`, a matrix of numbers or a mask
/// (a no-op unless [`record`] is running).
pub fn step<T: nalgebra::Scalar>(name: &'static str, m: &nalgebra::DMatrix<T>) {
    RECORDING.with(|r| {
        if let Some(recording) = r.borrow_mut().as_mut() {
            recording.steps.push(Step { name, shape: m.shape(), head: CURRENT_HEAD.get() });
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
