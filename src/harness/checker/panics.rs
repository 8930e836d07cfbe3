//! Running code that may panic, quietly.
//!
//! The learner's function (and a mutant on shapes it cannot handle) may panic.
//! [`catch`] turns the panic into a [`Panicked`] value holding the message and
//! the place, instead of a trace on stderr. The panic hook is installed once
//! per process and stays silent only on the thread that is inside [`catch`];
//! a panic anywhere else (another test's failing assertion, say) is reported
//! by the previous hook as usual.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A panic caught by [`catch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panicked {
    /// The panic message.
    pub message: String,
    /// `file:line:column` of the panic, when known.
    pub location: Option<String>,
}

impl Panicked {
    /// Whether this is `todo!()` or `unimplemented!()`: the exercise is not started.
    pub fn is_todo(&self) -> bool {
        self.message.starts_with("not yet implemented") || self.message.starts_with("not implemented")
    }

    /// Message and location on one line.
    pub fn describe(&self) -> String {
        match &self.location {
            Some(location) => format!("{} (at {location})", self.message),
            None => self.message.clone(),
        }
    }
}

thread_local! {
    /// Whether this thread is inside [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of the last panic on this thread while catching.
    static SEEN: RefCell<Option<Panicked>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into `Err` without printing anything.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    install_quiet_hook();
    let outer = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(outer);
    result.map_err(|payload| {
        SEEN.take().unwrap_or_else(|| Panicked { message: payload_message(payload.as_ref()), location: None })
    })
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
                SEEN.set(Some(Panicked { message, location }));
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
    fn todo_and_unimplemented_mean_not_started() {
        assert!(catch(|| todo!()).unwrap_err().is_todo());
        assert!(catch(|| unimplemented!("later")).unwrap_err().is_todo());
        assert!(!catch(|| panic!("index out of bounds")).unwrap_err().is_todo());
    }
}
