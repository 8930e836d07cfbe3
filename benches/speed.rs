//! The fast path against the reference (and, through `benches/speed.sh`,
//! against PyTorch): `cargo bench --bench speed -- [OPTIONS]`.
//!
//! One head, d = 64, self-attention of one (L × 64) sequence with no mask
//! (PyTorch's `F.scaled_dot_product_attention(q, k, v)` on (1, 1, L, 64)).
//! Prints one line per measurement:
//!
//! ```text
//! <implementation> <threads> <L> <median ms> <runs> <peak extra heap bytes>
//! ```
//!
//! Options (all optional):
//! - `--lengths 1024,2048,4096,8192`  sequence lengths;
//! - `--threads 1,2`                  thread counts for the fast path (the reference has one);
//! - `--only reference|fast`          one implementation;
//! - `--causal`                       causal attention (the reference with a causal mask);
//! - `--blocks`                       instead: the fast path for a grid of block sizes, at the
//!   first of `--lengths` (default 2048);
//! - `--memory 32768`                 instead: peak extra heap of one fast call at that L
//!   (and of a causal one), against the size of one (L × d) matrix.
//!
//! Peak heap is counted by this program's own global allocator, over all
//! threads (the fast path's workers included), above what was live when the
//! call began; the output the call returns counts.

use attn_quiz::fast::{self, Options};
use attn_quiz::reference::{causal_mask, scaled_dot_product_attention};
use attn_quiz::sample::Sampler;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// Width of q, k and v.
const D: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let list = |flag: &str, default: &str| -> Vec<usize> {
        value(flag).unwrap_or_else(|| default.into()).split(',').map(|x| x.trim().parse().expect("a number")).collect()
    };
    if let Some(len) = value("--memory") {
        return memory(len.parse().expect("a length"));
    }
    if args.iter().any(|a| a == "--blocks") {
        return blocks(list("--lengths", "2048")[0]);
    }
    let only = value("--only");
    let causal = args.iter().any(|a| a == "--causal");
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
    for len in list("--lengths", "1024,2048,4096,8192") {
        let mut sampler = Sampler::new(len as u64);
        let (q, k, v) = (sampler.matrix(len, D), sampler.matrix(len, D), sampler.matrix(len, D));
        if runs("reference") {
            let mask = causal.then(|| causal_mask(len));
            report("reference", 1, len, measure(|| scaled_dot_product_attention(&q, &k, &v, mask.as_ref())));
        }
        if runs("fast") {
            for threads in list("--threads", "1,2") {
                let options = Options::with_threads(threads);
                report("fast", threads, len, measure(|| fast::attention(&q, &k, &v, causal, &options)));
            }
        }
    }
}

/// The fast path at one length (default 2048), one thread, for a grid of block sizes.
fn blocks(len: usize) {
    let mut sampler = Sampler::new(7);
    let (q, k, v) = (sampler.matrix(len, D), sampler.matrix(len, D), sampler.matrix(len, D));
    for block_q in [32, 64, 128, 256, 512] {
        for block_k in [64, 128, 256, 512, 1024] {
            let options = Options { block_q, block_k, threads: 1, ..Options::default() };
            let timing = measure(|| fast::attention(&q, &k, &v, false, &options));
            println!("blocks {block_q:>4} x {block_k:<5} L = {len}: {:>8.3} ms", timing.median_ms);
        }
    }
}

/// Peak extra heap of the fast path at length `len`, one and two threads.
fn memory(len: usize) {
    let mut sampler = Sampler::new(3);
    let (q, k, v) = (sampler.matrix(len, D), sampler.matrix(len, D), sampler.matrix(len, D));
    let matrix_bytes = len * D * 4;
    println!(
        "one (L × d) matrix at L = {len}, d = {D}: {matrix_bytes} bytes; the (L × L) scores would be {} bytes",
        len * len * 4
    );
    for (causal, threads) in [(false, 1), (false, 2), (true, 2)] {
        let options = Options::with_threads(threads);
        let start = Instant::now();
        let (_, peak) = peak_heap(|| fast::attention(&q, &k, &v, causal, &options));
        println!(
            "memory fast causal={causal} threads={threads} L={len}: peak extra heap {peak} bytes = {:.2} × (L × d) ({:.1} s)",
            peak as f64 / matrix_bytes as f64,
            start.elapsed().as_secs_f64()
        );
    }
}

/// A median time and the peak heap of the first run.
struct Timing {
    median_ms: f64,
    runs: usize,
    peak_bytes: usize,
}

/// Runs `f` once (counting its heap), then again until 3 runs and 1 s, or 30 runs.
fn measure<T>(mut f: impl FnMut() -> T) -> Timing {
    let (_, peak_bytes) = peak_heap(&mut f);
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 3 || (times.len() < 30 && start.elapsed() < Duration::from_secs(1)) {
        let run = Instant::now();
        black_box(f());
        times.push(run.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Timing { median_ms: times[times.len() / 2], runs: times.len(), peak_bytes }
}

fn report(implementation: &str, threads: usize, len: usize, timing: Timing) {
    println!("{implementation} {threads} {len} {:.4} {} {}", timing.median_ms, timing.runs, timing.peak_bytes);
}

/// Bytes live in the whole process, and the most since the last reset.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting what the whole process holds.
struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping only touches two atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size() as isize);
        }
        block
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            grew(layout.size() as isize);
        }
        block
    }
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: `block` came from `System`.
        unsafe { System.dealloc(block, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, with the caller's contract for `realloc`.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            grew(new_size as isize - layout.size() as isize);
        }
        moved
    }
}

fn grew(bytes: isize) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[global_allocator]
static HEAP: Counting = Counting;

/// Runs `f`, returning its result and the most heap the process held above
/// what it held when `f` began.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let result = f();
    let peak = PEAK.load(Ordering::Relaxed);
    (result, usize::try_from(peak - start).unwrap_or(0))
}
