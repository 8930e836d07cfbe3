//! Time and memory of the modern variants: `cargo bench --bench variants`.
//!
//! Three tables, every figure the median of several runs on one thread (the
//! reference never spawns threads, and nalgebra's products here are
//! single-threaded):
//!
//! 1. **Decoding**: one new token through the reference `decode_step` (GQA with
//!    RoPE, D = 512, H = 8, G = 2, d_k = 64) over a cache of P = 128 … 8192
//!    earlier tokens, and the bytes the cache holds afterwards. The cache is
//!    filled with random rows rather than by a prefill (a prefill of 8192
//!    tokens would build 8 heads of 8192² weights, and the step does not care
//!    how its cache was filled); each run gets a fresh copy, outside the timing.
//! 2. **Flash vs SDPA**: the reference `flash_attention` (block_q = block_k =
//!    64) and `scaled_dot_product_attention` at L = 1024 … 16384, d = 64, no
//!    mask: time, and the most heap the call held at once (its result
//!    included), counted by the evaluator's [`CountingAllocator`], installed
//!    here as the global allocator.
//! 3. **Linear vs softmax attention**: the reference causal `linear_attention`
//!    (φ = elu + 1, one head) and causal SDPA at L = 512 … 8192, d = 64, with
//!    their peak heap.
//!
//! Runs: at least [`MIN_RUNS`], at most [`MAX_RUNS`], no new run after
//! [`BUDGET`]; a call whose warm-up run alone takes longer than [`SLOW`] is
//! timed once more and no further (the `runs` column says so). Timings are
//! printed, never asserted.

use attn_quiz::evaluator::heap::{self, CountingAllocator};
use attn_quiz::layers::KvCache;
use attn_quiz::reference::{aligned_causal_mask, decode_step, flash_attention, linear_attention};
use attn_quiz::reference::{kv_cache::empty_cache, scaled_dot_product_attention};
use attn_quiz::sample::Sampler;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Model width, heads and key/value heads of the decoding table.
const D_MODEL: usize = 512;
const HEADS: usize = 8;
const KV_HEADS: usize = 2;
/// Cache lengths P before the decoded token.
const CACHE_LENGTHS: [usize; 7] = [128, 256, 512, 1024, 2048, 4096, 8192];
/// Width d of q, k, v in the flash and linear tables.
const D: usize = 64;
/// Lengths of the flash vs SDPA table.
const FLASH_LENGTHS: [usize; 5] = [1024, 2048, 4096, 8192, 16384];
/// Flash's tile: block_q × block_k.
const BLOCK: usize = 64;
/// Lengths of the linear vs softmax table.
const LINEAR_LENGTHS: [usize; 5] = [512, 1024, 2048, 4096, 8192];
/// Each measurement runs at least this many times...
const MIN_RUNS: usize = 3;
/// ...at most this many...
const MAX_RUNS: usize = 30;
/// ...and starts no new run once this much time has passed...
const BUDGET: Duration = Duration::from_secs(2);
/// ...unless the warm-up took longer than this: then one timed run only.
const SLOW: Duration = Duration::from_secs(4);

fn main() {
    decoding();
    flash_vs_sdpa();
    linear_vs_softmax();
}

/// Table 1: one decode step over caches of growing length.
fn decoding() {
    let mut sampler = Sampler::new(1);
    let w = sampler.grouped_query_weights(D_MODEL, HEADS, KV_HEADS, D_MODEL / HEADS);
    let x = sampler.matrix(1, D_MODEL); // the new token
    let rope = attn_quiz::measure::ROPE;
    println!(
        "Decode step: GQA + RoPE, D = {D_MODEL}, H = {HEADS}, G = {KV_HEADS}, d_k = {}, one new token",
        D_MODEL / HEADS
    );
    println!("{:>6} {:>12} {:>14} {:>6}", "P", "median (ms)", "cache after", "runs");
    for p in CACHE_LENGTHS {
        let empty = empty_cache(&w);
        let cache =
            KvCache { keys: sampler.matrix(p, empty.keys.ncols()), values: sampler.matrix(p, empty.values.ncols()) };
        let timing = median_time(
            || cache.clone(),
            |mut cache| {
                let result = decode_step(&x, &mut cache, &w, Some(&rope));
                (result, cache)
            },
        );
        let mut after = cache.clone();
        decode_step(&x, &mut after, &w, Some(&rope));
        let bytes = (after.keys.len() + after.values.len()) * 4;
        println!("{p:>6} {:>12.3} {:>14} {:>6}", ms(timing.median), mib(bytes), timing.runs);
    }
}

/// Table 2: flash attention against SDPA, time and peak heap.
fn flash_vs_sdpa() {
    println!("\nFlash (block {BLOCK} × {BLOCK}) vs SDPA, d = {D}, no mask, one sequence");
    println!(
        "{:>6} {:>11} {:>11} {:>5} {:>11} {:>11} {:>5}",
        "L", "flash (ms)", "flash heap", "runs", "sdpa (ms)", "sdpa heap", "runs"
    );
    for len in FLASH_LENGTHS {
        let mut sampler = Sampler::new(2);
        let (q, k, v) = (sampler.matrix(len, D), sampler.matrix(len, D), sampler.matrix(len, D));
        let flash = measured(|| flash_attention(&q, &k, &v, false, BLOCK, BLOCK));
        let sdpa = measured(|| scaled_dot_product_attention(&q, &k, &v, None));
        println!(
            "{len:>6} {:>11.1} {:>11} {:>5} {:>11.1} {:>11} {:>5}",
            ms(flash.timing.median),
            mib(flash.peak),
            flash.timing.runs,
            ms(sdpa.timing.median),
            mib(sdpa.peak),
            sdpa.timing.runs
        );
    }
}

/// Table 3: causal linear attention against causal softmax attention.
fn linear_vs_softmax() {
    println!("\nCausal linear attention (φ = elu + 1) vs causal SDPA, d = {D}, one sequence");
    println!(
        "{:>6} {:>11} {:>11} {:>5} {:>11} {:>11} {:>5}",
        "L", "linear (ms)", "linear heap", "runs", "sdpa (ms)", "sdpa heap", "runs"
    );
    for len in LINEAR_LENGTHS {
        let mut sampler = Sampler::new(3);
        let (q, k, v) = (sampler.matrix(len, D), sampler.matrix(len, D), sampler.matrix(len, D));
        let linear = measured(|| linear_attention(&q, &k, &v, true));
        // The mask is built inside the call: it is part of what causal SDPA holds.
        let sdpa = measured(|| scaled_dot_product_attention(&q, &k, &v, Some(&aligned_causal_mask(len, len))));
        println!(
            "{len:>6} {:>11.2} {:>11} {:>5} {:>11.1} {:>11} {:>5}",
            ms(linear.timing.median),
            mib(linear.peak),
            linear.timing.runs,
            ms(sdpa.timing.median),
            mib(sdpa.peak),
            sdpa.timing.runs
        );
    }
}

/// A call's median time and the most heap one call held.
struct Measured {
    timing: Timing,
    peak: usize,
}

/// Times `f` (see [`median_time`]) and measures the heap of one more call.
fn measured<T>(mut f: impl FnMut() -> T) -> Measured {
    let timing = median_time(|| (), |()| f());
    let (result, peak) = heap::measure(&mut f);
    drop(black_box(result));
    Measured { timing, peak: peak.expect("the counting allocator is installed") }
}

/// The median duration of a repeated run, and how many runs it is the median of.
struct Timing {
    median: Duration,
    runs: usize,
}

/// Runs `f` on a fresh `setup()` once to warm up, then repeatedly (see
/// [`MIN_RUNS`], [`MAX_RUNS`], [`BUDGET`], [`SLOW`]); only `f` is timed, and
/// its result is dropped outside the timing.
fn median_time<S, T>(mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> Timing {
    let warm = Instant::now();
    black_box(f(setup()));
    let runs_wanted = if warm.elapsed() > SLOW { 1 } else { MIN_RUNS };
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < runs_wanted || (runs_wanted > 1 && times.len() < MAX_RUNS && start.elapsed() < BUDGET) {
        let input = setup();
        let run = Instant::now();
        let result = black_box(f(input));
        times.push(run.elapsed());
        drop(result);
    }
    times.sort();
    Timing { median: times[times.len() / 2], runs: times.len() }
}

/// Milliseconds of a duration.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Bytes in MiB, with two decimals.
fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}
