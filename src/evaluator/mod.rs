//! The evaluator: the program `attn-quiz check` builds from a learner's file.
//! It runs in its own process and only computes.
//!
//! ```text
//!  attn-quiz (the judge)                          evaluator (learner's process)
//!  draws a case, encodes its arguments  ──fd 3──▶  decodes them, calls the
//!                                                   learner's function, catches
//!  compares with the reference, shrinks, ◀──fd 3──  a panic, encodes the result
//!  names the mistake, writes the verdict
//! ```
//!
//! The evaluator knows the exercise's signature and nothing else: no
//! properties, no expected values, no verdicts. The generated `main` is one
//! line,
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     attn_quiz::evaluator::serve(attn_quiz::evaluator::Learner::Sdpa(learner::scaled_dot_product_attention))
//! }
//! ```
//!
//! (plus a counting global allocator, [`heap::CountingAllocator`], so the
//! judge can hold memory-saving variants to their promise), and [`serve`]
//! answers calls until the judge closes its end. Calls arrive and
//! answers leave on file descriptor 3, one end of a Unix socket pair; at start
//! the evaluator moves it to a descriptor that is closed on `exec`, so a
//! process the learner's code spawns does not inherit it. Standard input is empty and standard output
//! and error are the learner's own: `println!` and `dbg!` never disturb the
//! exchange. Each message is a frame (a little-endian `u32` length, then that
//! many bytes) holding a [`Call`] or an [`Answer`] in the [`wire`] format.
//!
//! This module is part of the learner's surface (the crate built with default
//! features off), because the learner's program links it. Nothing in it can
//! make a wrong answer pass: whatever comes back on the socket is compared with
//! the reference by the judge, in the judge's process.

mod function;
pub mod heap;
pub mod panics;
pub mod timing;
pub mod wire;

pub use function::Learner;

use self::panics::{Panicked, catch, catch_traced};
use self::wire::{Decode, Encode, WireError, from_bytes, to_bytes};
use std::fs::File;
use std::io::{self, Read, Write};
use std::process::ExitCode;

/// The descriptor the evaluator reads calls from and writes answers to.
pub const JUDGE_FD: i32 = 3;

/// The largest frame either side accepts (1 GiB): a longer length prefix is garbage.
pub const MAX_FRAME_BYTES: usize = 1 << 30;

/// One call of the learner's function.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Whether a panic should also be traced to the learner's own line (costs a backtrace).
    pub trace_panic: bool,
    /// The arguments, encoded in signature order.
    pub arguments: Vec<u8>,
}

/// What became of one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The function returned.
    Returned {
        /// Its results, encoded.
        results: Vec<u8>,
        /// The most heap the call held at once, in bytes, if it was counted.
        peak_heap_bytes: Option<usize>,
    },
    /// The function panicked.
    Panicked(Panicked),
    /// The call could not be read as this exercise's arguments.
    Unreadable(String),
}

/// Serves the judge's calls until it closes its end: exit code 0 then, 2 if
/// the socket is missing (the program was started by hand) or breaks.
pub fn serve(learner: Learner) -> ExitCode {
    let Some(judge) = judge_socket() else {
        eprintln!("this program is an attn-quiz evaluator: `attn-quiz check` runs it, not a person");
        return ExitCode::from(2);
    };
    loop {
        let call = match read_frame(&mut &judge) {
            Ok(Some(call)) => call,
            Ok(None) => return ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("attn-quiz evaluator: reading a call: {error}");
                return ExitCode::from(2);
            }
        };
        let answer = answer(learner, &call);
        // What the learner printed during the call leaves before its answer.
        let _ = io::stdout().flush();
        if let Err(error) = write_frame(&mut &judge, &to_bytes(&answer)) {
            eprintln!("attn-quiz evaluator: sending an answer: {error}");
            return ExitCode::from(2);
        }
    }
}

/// Answers one encoded [`Call`] by running the learner's function on it.
/// The judge's tests call this in their own process.
pub fn answer(learner: Learner, call: &[u8]) -> Answer {
    let call: Call = match from_bytes(call) {
        Ok(call) => call,
        Err(error) => return Answer::Unreadable(error.to_string()),
    };
    let run = || learner.call(&call.arguments);
    let caught = if call.trace_panic { catch_traced(run) } else { catch(run) };
    match caught {
        Ok(Ok((results, peak_heap_bytes))) => Answer::Returned { results, peak_heap_bytes },
        Ok(Err(error)) => Answer::Unreadable(error.to_string()),
        Err(panicked) => Answer::Panicked(panicked),
    }
}

/// The descriptor the judge opened for this process, moved to a copy that is
/// closed on `exec`; `None` if it is not open.
fn judge_socket() -> Option<File> {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        if !std::path::Path::new(&format!("/dev/fd/{JUDGE_FD}")).exists() {
            return None;
        }
        // SAFETY: the descriptor was just seen open, and nothing else in this
        // process owns it: the judge put it there for us alone.
        let inherited = unsafe { File::from_raw_fd(JUDGE_FD) };
        // `try_clone` duplicates with close-on-exec; dropping the original
        // frees 3, so no child of the learner's code inherits the socket.
        inherited.try_clone().ok()
    }
    #[cfg(not(unix))]
    None
}

/// Reads one frame; `None` at the end of the input.
pub fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let length = u32::from_le_bytes(length) as usize;
    if length > MAX_FRAME_BYTES {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("a frame of {length} bytes")));
    }
    let mut frame = vec![0; length];
    input.read_exact(&mut frame)?;
    Ok(Some(frame))
}

/// Writes one frame and flushes it.
pub fn write_frame(output: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    let length = u32::try_from(frame.len()).map_err(|_| io::Error::other("a frame over 4 GiB"))?;
    output.write_all(&length.to_le_bytes())?;
    output.write_all(frame)?;
    output.flush()
}

impl Encode for Call {
    fn encode(&self, out: &mut Vec<u8>) {
        self.trace_panic.encode(out);
        self.arguments.encode(out);
    }
}

impl Decode for Call {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(Call { trace_panic: bool::decode(input)?, arguments: Vec::decode(input)? })
    }
}

impl Encode for Answer {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Answer::Returned { results, peak_heap_bytes } => (0u8, results, peak_heap_bytes).encode(out),
            Answer::Panicked(p) => (1u8, &p.message, &p.location, &p.called_from).encode(out),
            Answer::Unreadable(why) => (2u8, why).encode(out),
        }
    }
}

impl Decode for Answer {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        match u8::decode(input)? {
            0 => {
                let (results, peak_heap_bytes) = Decode::decode(input)?;
                Ok(Answer::Returned { results, peak_heap_bytes })
            }
            1 => {
                let (message, location, called_from) = Decode::decode(input)?;
                Ok(Answer::Panicked(Panicked { message, location, called_from }))
            }
            2 => Ok(Answer::Unreadable(String::decode(input)?)),
            other => Err(WireError(format!("{other} is not an answer"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::Matrix;

    fn doubled(scores: &Matrix) -> Matrix {
        assert!(scores.nrows() > 0, "no rows");
        scores * 2.0
    }

    fn call(trace_panic: bool, arguments: Vec<u8>) -> Vec<u8> {
        to_bytes(&Call { trace_panic, arguments })
    }

    #[test]
    fn a_call_is_answered_with_the_functions_result() {
        let scores = Matrix::from_row_slice(1, 2, &[1.0, f32::NAN]);
        let answer = answer(Learner::Softmax(doubled), &call(false, to_bytes(&scores)));
        let Answer::Returned { results, .. } = answer else { panic!("{answer:?}") };
        let back: Matrix = from_bytes(&results).unwrap();
        assert_eq!(back[(0, 0)], 2.0);
        assert!(back[(0, 1)].is_nan());
    }

    #[test]
    fn a_panic_or_a_garbled_call_is_an_answer_too() {
        let empty = Matrix::zeros(0, 2);
        let answer = answer(Learner::Softmax(doubled), &call(true, to_bytes(&empty)));
        assert!(matches!(&answer, Answer::Panicked(p) if p.message == "no rows"), "{answer:?}");
        let garbled = super::answer(Learner::Softmax(doubled), &call(false, vec![1, 2, 3]));
        assert!(matches!(garbled, Answer::Unreadable(_)));
        assert!(matches!(super::answer(Learner::Softmax(doubled), &[9]), Answer::Unreadable(_)));
    }

    #[test]
    fn answers_and_frames_round_trip() {
        let panicked = Panicked { message: "m".into(), location: Some("f.rs:1:2".into()), called_from: None };
        let returned = Answer::Returned { results: vec![1, 2], peak_heap_bytes: Some(7) };
        for answer in [returned, Answer::Panicked(panicked), Answer::Unreadable("x".into())] {
            let mut pipe = Vec::new();
            write_frame(&mut pipe, &to_bytes(&answer)).unwrap();
            let frame = read_frame(&mut pipe.as_slice()).unwrap().unwrap();
            assert_eq!(from_bytes::<Answer>(&frame).unwrap(), answer);
        }
        assert_eq!(read_frame(&mut [].as_slice()).unwrap(), None);
        let too_long = u32::MAX.to_le_bytes();
        assert!(read_frame(&mut too_long.as_slice()).is_err());
    }
}
