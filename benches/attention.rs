//! Forward-pass speed of the reference: `cargo bench --bench attention`.
//!
//! Scaled dot-product attention (d_k = 64) and multi-head attention (H = 8,
//! D = 512, so d_k = 64 too) on one sequence of length L, one thread. For each
//! L it prints the median time and the arithmetic rate, counting one multiply
//! and one add as two flops:
//! - SDPA: Q·Kᵀ and weights·V, 2·L²·d each, 4·L²·d in all;
//! - MHA: four (L × D)·(D × D) projections, 8·L·D², plus attention over all
//!   heads, 4·L²·D.
//!
//! Softmax (L² exponentials) is not counted: the rate says how close the whole
//! forward pass gets to the speed of its matrix products. A last table splits
//! SDPA at L = 1024 into its steps, to show where the time goes.

use attn_quiz::reference::{multi_head_attention, scaled_dot_product_attention, softmax_rows};
use attn_quiz::sample::Sampler;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sequence lengths L.
const LENGTHS: [usize; 4] = [128, 512, 1024, 2048];
/// Query/key/value width of SDPA.
const D_K: usize = 64;
/// Heads of MHA.
const HEADS: usize = 8;
/// Model width of MHA.
const D_MODEL: usize = 512;
/// The length whose SDPA is split into steps.
const BREAKDOWN_LENGTH: usize = 1024;
/// Each measurement runs at least this many times...
const MIN_RUNS: usize = 3;
/// ...and at most this many...
const MAX_RUNS: usize = 50;
/// ...and starts no new run once this much time has passed.
const BUDGET: Duration = Duration::from_secs(1);

fn main() {
    println!("{:<6} {:>6} {:>12} {:>10} {:>6}", "kernel", "L", "median (ms)", "GFLOP/s", "runs");
    for len in LENGTHS {
        print_row("sdpa", len, sdpa_flops(len), time_sdpa(len));
    }
    for len in LENGTHS {
        print_row("mha", len, mha_flops(len), time_mha(len));
    }
    print_breakdown(BREAKDOWN_LENGTH);
}

/// Flops of SDPA at length `len`: 2·L²·d for Q·Kᵀ plus 2·L²·d for weights·V.
fn sdpa_flops(len: usize) -> f64 {
    4.0 * (len * len * D_K) as f64
}

/// Flops of MHA at length `len`: 2·L·D² for each of the four projections
/// plus SDPA over all heads (4·L²·d_k per head, H·d_k = D).
fn mha_flops(len: usize) -> f64 {
    8.0 * (len * D_MODEL * D_MODEL) as f64 + 4.0 * (len * len * D_MODEL) as f64
}

/// Times SDPA of one (len × 64) sequence attending to itself.
fn time_sdpa(len: usize) -> Timing {
    let mut sampler = Sampler::new(1);
    let (q, k, v) = (sampler.matrix(len, D_K), sampler.matrix(len, D_K), sampler.matrix(len, D_K));
    median_time(|| scaled_dot_product_attention(&q, &k, &v, None))
}

/// Times multi-head self-attention of one (len × 512) sequence.
fn time_mha(len: usize) -> Timing {
    let mut sampler = Sampler::new(1);
    let x = sampler.matrix(len, D_MODEL);
    let w = sampler.multi_head_weights(D_MODEL, HEADS);
    median_time(|| multi_head_attention(&x, &x, &x, &w, None))
}

/// Prints one row of the main table.
fn print_row(kernel: &str, len: usize, flops: f64, timing: Timing) {
    let seconds = timing.median.as_secs_f64();
    let gflops = flops / seconds / 1e9;
    println!("{kernel:<6} {len:>6} {:>12.2} {gflops:>10.1} {:>6}", seconds * 1e3, timing.runs);
}

/// Times the steps of SDPA at length `len` separately and prints their share.
fn print_breakdown(len: usize) {
    let mut sampler = Sampler::new(1);
    let (q, k, v) = (sampler.matrix(len, D_K), sampler.matrix(len, D_K), sampler.matrix(len, D_K));
    let scores = &q * k.transpose() / (D_K as f32).sqrt();
    let weights = softmax_rows(&scores);
    let steps = [
        ("scores = Q·Kᵀ / sqrt(d)", median_time(|| &q * k.transpose() / (D_K as f32).sqrt())),
        ("weights = softmax_rows(scores)", median_time(|| softmax_rows(&scores))),
        ("output = weights · V", median_time(|| &weights * &v)),
        ("whole scaled_dot_product_attention", median_time(|| scaled_dot_product_attention(&q, &k, &v, None))),
    ];
    let whole = steps[steps.len() - 1].1.median.as_secs_f64();
    println!("\nSDPA at L = {len}, d = {D_K}, step by step:");
    println!("{:<36} {:>12} {:>8}", "step", "median (ms)", "share");
    for (name, timing) in steps {
        let seconds = timing.median.as_secs_f64();
        println!("{name:<36} {:>12.2} {:>7.0}%", seconds * 1e3, 100.0 * seconds / whole);
    }
}

/// The median duration of a repeated run, and how many runs it is the median of.
struct Timing {
    median: Duration,
    runs: usize,
}

/// Runs `f` once to warm up, then repeatedly (see [`MIN_RUNS`], [`MAX_RUNS`],
/// [`BUDGET`]), and returns the median duration of one run.
fn median_time<T>(mut f: impl FnMut() -> T) -> Timing {
    black_box(f());
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < MIN_RUNS || (times.len() < MAX_RUNS && start.elapsed() < BUDGET) {
        let run = Instant::now();
        black_box(f());
        times.push(run.elapsed());
    }
    times.sort();
    Timing { median: times[times.len() / 2], runs: times.len() }
}
