//! Timing the learner's function, for `attn-quiz bench`: a second way to run
//! the learner's program, next to [`serve`](super::serve), that measures
//! instead of answering.
//!
//! `attn-quiz bench` builds a program whose `main` is
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     attn_quiz::evaluator::timing::run(attn_quiz::evaluator::Learner::Sdpa(learner::scaled_dot_product_attention))
//! }
//! ```
//!
//! and starts it as `program <requests> <results>`. The requests file holds,
//! in the [`wire`](super::wire) format, `(cases, min_runs, max_runs, budget_ms)`
//! with `cases` a list of `(length, encoded arguments)`. For each case, in
//! order, the program decodes the arguments once, calls the function once
//! (measuring its peak heap, [`heap::measure`]), then again until it has
//! `min_runs` timed runs and `budget_ms` have passed, or `max_runs` runs, and
//! appends one line to the results file as soon as the case is done:
//!
//! ```text
//! <length> <median nanoseconds> <runs> <peak heap bytes, or - if not counted>
//! ```
//!
//! Only the call is timed (and dropping what it returned), not decoding. The
//! results go to a file, not to standard output, so whatever the learner's
//! code prints cannot be taken for a measurement.

use super::Learner;
use super::heap;
use super::wire::{Decode, WireError, from_bytes};
use crate::layers::{GroupedQueryWeights, MultiHeadWeights};
use crate::prelude::{Mask, Matrix};
use std::hint::black_box;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One timing request: the cases and how long to spend on each.
pub type Request = (Vec<(usize, Vec<u8>)>, usize, usize, usize);

/// One case's measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Median time of one call.
    pub median: Duration,
    /// How many timed runs the median is of.
    pub runs: usize,
    /// Peak heap of the first call, if the counting allocator is installed.
    pub peak_bytes: Option<usize>,
}

/// Runs the timing requests named on the command line (see the module
/// docs); exit code 0 when all are measured, 2 on a bad request or I/O error.
pub fn run(learner: Learner) -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, requests, results] = args.as_slice() else {
        eprintln!("this program is an attn-quiz benchmark: `attn-quiz bench` runs it, not a person");
        return ExitCode::from(2);
    };
    match measure_all(learner, requests, results) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("attn-quiz benchmark: {error}");
            ExitCode::from(2)
        }
    }
}

/// Reads the requests, measures each case and appends its line to `results`.
fn measure_all(learner: Learner, requests: &str, results: &str) -> Result<(), Box<dyn std::error::Error>> {
    let (cases, min_runs, max_runs, budget_ms): Request = from_bytes(&std::fs::read(requests)?)?;
    let mut out = std::fs::OpenOptions::new().create(true).append(true).open(results)?;
    let budget = Duration::from_millis(budget_ms as u64);
    for (length, arguments) in cases {
        let timing = time_call(learner, &arguments, min_runs, max_runs, budget)?;
        let peak = timing.peak_bytes.map_or("-".to_string(), |b| b.to_string());
        writeln!(out, "{length} {} {} {peak}", timing.median.as_nanos(), timing.runs)?;
        out.flush()?;
    }
    Ok(())
}

/// Times the learner's function on one case's encoded arguments. Only the
/// forward attention exercises (sdpa, mha, gqa, flash) can be timed.
pub fn time_call(
    learner: Learner,
    arguments: &[u8],
    min_runs: usize,
    max_runs: usize,
    budget: Duration,
) -> Result<Timing, WireError> {
    let plan = Plan { min_runs, max_runs, budget };
    match learner {
        Learner::Sdpa(f) => {
            plan.time(arguments, |(q, k, v, mask): &(Matrix, Matrix, Matrix, Option<Mask>)| f(q, k, v, mask.as_ref()))
        }
        Learner::Mha(f) => plan.time(
            arguments,
            |(query, key, value, w, mask): &(Matrix, Matrix, Matrix, MultiHeadWeights, Option<Mask>)| {
                f(query, key, value, w, mask.as_ref())
            },
        ),
        Learner::Gqa(f) => plan.time(
            arguments,
            |(query, key, value, w, mask): &(Matrix, Matrix, Matrix, GroupedQueryWeights, Option<Mask>)| {
                f(query, key, value, w, mask.as_ref())
            },
        ),
        Learner::Flash(f) => plan.time(
            arguments,
            |(q, k, v, causal, block_q, block_k): &(Matrix, Matrix, Matrix, bool, usize, usize)| {
                f(q, k, v, *causal, *block_q, *block_k)
            },
        ),
        other => {
            Err(WireError(format!("`{}` is not a forward attention exercise that can be timed", other.exercise())))
        }
    }
}

/// How many runs to time.
struct Plan {
    min_runs: usize,
    max_runs: usize,
    budget: Duration,
}

impl Plan {
    /// Decodes the arguments, calls `f` once for its peak heap, then times it.
    fn time<A: Decode, R>(&self, arguments: &[u8], mut f: impl FnMut(&A) -> R) -> Result<Timing, WireError> {
        let arguments: A = from_bytes(arguments)?;
        let (result, peak_bytes) = heap::measure(|| f(&arguments));
        drop(result);
        let start = Instant::now();
        let mut times = Vec::new();
        while times.len() < self.min_runs.max(1) || (times.len() < self.max_runs && start.elapsed() < self.budget) {
            let run = Instant::now();
            black_box(f(&arguments));
            times.push(run.elapsed());
        }
        times.sort();
        Ok(Timing { median: times[times.len() / 2], runs: times.len(), peak_bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluator::wire::to_bytes;

    fn first_row(q: &Matrix, _: &Matrix, v: &Matrix, _: Option<&Mask>) -> (Matrix, Matrix) {
        (v.clone(), q.clone())
    }

    #[test]
    fn a_call_is_timed_at_least_min_runs_times() {
        let m = Matrix::zeros(2, 2);
        let arguments = to_bytes(&(m.clone(), m.clone(), m, None::<Mask>));
        let timing = time_call(Learner::Sdpa(first_row), &arguments, 3, 5, Duration::ZERO).unwrap();
        assert_eq!(timing.runs, 3);
        assert!(time_call(Learner::Sdpa(first_row), &[1, 2], 1, 1, Duration::ZERO).is_err());
        let not_forward = Learner::CausalMask(|n| Mask::from_element(n, n, true));
        assert!(time_call(not_forward, &arguments, 1, 1, Duration::ZERO).is_err());
    }
}
