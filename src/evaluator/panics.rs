//! Running code that may panic, quietly.
//!
//! The learner's function may panic (and so may a judge's buggy twin, on
//! shapes its mistake cannot handle).
//! [`catch`] turns the panic into a [`Panicked`] value holding the message and
//! the place, instead of a trace on stderr. The panic hook is installed once
//! per process and stays silent only on the thread that is inside [`catch`];
//! a panic anywhere else (another test's failing assertion, say) is reported
//! by the previous hook as usual.
//!
//! A panic inside a library (a nalgebra product of the wrong shapes, say) has
//! its location there, which tells the learner little. [`catch_traced`] also
//! walks the stack for the innermost frame of the learner's module (the
//! generated program includes the learner's file as `mod learner`), so the
//! report can say which line of theirs made the call. That costs a backtrace,
//! so the judge asks for it once, on the final counterexample.

use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A panic caught by [`catch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The panic message.
    pub message: String,
    /// `file:line:column` of the panic, when known.
    pub location: Option<String>,
    /// `file:line:column` of the innermost call in the learner's own code,
    /// when [`catch_traced`] found one.
    pub called_from: Option<String>,
}

impl Panicked {
    /// Whether this is the panic of the `todo` or `unimplemented` macro: the exercise is not started.
    pub fn is_todo(&self) -> bool {
        self.message.starts_with("not yet implemented") || self.message.starts_with("not implemented")
    }

    /// Message and location on one line, and the learner's line that led
    /// there when the panic itself is elsewhere.
    pub fn describe(&self) -> String {
        match (&self.location, &self.called_from) {
            (Some(location), Some(caller)) if location != caller => {
                format!("{} (at {}, called from {caller})", self.message, shortened(location))
            }
            (Some(location), _) => format!("{} (at {location})", self.message),
            (None, Some(caller)) => format!("{} (called from {caller})", self.message),
            (None, None) => self.message.clone(),
        }
    }
}

/// A location in a crate from the Cargo registry, from the crate's folder
/// on (`nalgebra-0.35.0/src/base/blas.rs:1:2`); any other location as it is.
fn shortened(location: &str) -> &str {
    let in_crate = location.split_once("/registry/src/").and_then(|(_, rest)| rest.split_once('/'));
    in_crate.map_or(location, |(_, path)| path)
}

thread_local! {
    /// Whether this thread is inside [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of the last panic on this thread while catching.
    static SEEN: RefCell<Option<Panicked>> = const { RefCell::new(None) };
    /// Whether this thread is inside [`catch_traced`].
    static TRACING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` without printing anything.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    install_quiet_hook();
    let outer = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(outer);
    result.map_err(|payload| {
        SEEN.take().unwrap_or_else(|| Panicked {
            message: payload_message(payload.as_ref()),
            location: None,
            called_from: None,
        })
    })
}

/// [`catch`], also finding the learner's innermost frame if `f` panics.
pub fn catch_traced<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    let outer = TRACING.replace(true);
    let result = catch(f);
    TRACING.set(outer);
    result
}

/// The location of the innermost frame of the learner's module in a
/// backtrace, which prints each frame as its function's path followed by an
/// `at file:line:column` line (a file under the working directory as
/// `./relative/path`, made absolute again here, as panic locations are).
fn learner_frame(backtrace: &str) -> Option<String> {
    let mut lines = backtrace.lines().map(str::trim);
    lines.find(|line| line.contains("::learner::"))?;
    let place = lines.next()?.strip_prefix("at ")?;
    match place.strip_prefix("./") {
        Some(relative) => Some(std::env::current_dir().ok()?.join(relative).display().to_string()),
        None => Some(place.to_string()),
    }
}

/// Installs, once, a hook that records panics on catching threads and passes
/// all others to the hook that was there before.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.get() {
                let message = payload_message(info.payload());
                let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                let called_from =
                    TRACING.get().then(|| learner_frame(&Backtrace::force_capture().to_string())).flatten();
                SEEN.set(Some(Panicked { message, location, called_from }));
            } else {
                previous(info);
            }
        }));
    });
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => "panic with a non-text payload".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_value_with_its_location() {
        let caught = catch(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(caught.message, "boom 7");
        assert!(caught.location.unwrap().contains("panics.rs"));
        assert_eq!(catch(|| 3), Ok(3));
    }

    #[test]
    fn the_learners_frame_is_found_in_a_backtrace() {
        let backtrace = "  12: nalgebra::base::blas::gemv\n             at /reg/nalgebra-0.35.0/src/base/blas.rs:330:9\n  \
                         13: check_mha::learner::helper::{{closure}}\n             at /home/me/mha.rs:41:17\n  \
                         14: check_mha::learner::multi_head_attention\n             at /home/me/mha.rs:12:5\n";
        assert_eq!(learner_frame(backtrace).as_deref(), Some("/home/me/mha.rs:41:17"));
        assert_eq!(learner_frame("  1: std::rt::lang_start\n      at /rustc/x/rt.rs:1:1\n"), None);
        let relative = learner_frame("  3: check_mha::learner::f\n      at ./mha.rs:2:1\n").unwrap();
        assert_eq!(relative, std::env::current_dir().unwrap().join("mha.rs:2:1").display().to_string());
    }

    #[test]
    fn a_library_location_is_told_with_the_learners_line() {
        let panicked = Panicked {
            message: "Gemv: dimensions mismatch.".to_string(),
            location: Some(
                "/root/.cargo/registry/src/index.crates.io-1949/nalgebra-0.35.0/src/blas.rs:3:9".to_string(),
            ),
            called_from: Some("/home/me/mha.rs:41:17".to_string()),
        };
        assert_eq!(
            panicked.describe(),
            "Gemv: dimensions mismatch. (at nalgebra-0.35.0/src/blas.rs:3:9, called from /home/me/mha.rs:41:17)"
        );
        let in_learner = Panicked { location: panicked.called_from.clone(), ..panicked };
        assert_eq!(in_learner.describe(), "Gemv: dimensions mismatch. (at /home/me/mha.rs:41:17)");
    }

    #[test]
    fn todo_and_unimplemented_mean_not_started() {
        // The exact messages the `todo` and `unimplemented` macros panic with.
        assert!(catch(|| panic!("not yet implemented")).unwrap_err().is_todo());
        assert!(catch(|| panic!("not implemented: later")).unwrap_err().is_todo());
        assert!(!catch(|| panic!("index out of bounds")).unwrap_err().is_todo());
    }
}
