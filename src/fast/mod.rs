//! The fast path: the same forward attention as the [reference](crate::reference),
//! written for speed, as study material on where the time of attention goes.
//!
//! What it computes: [`attention`] is SDPA with no mask or the aligned causal
//! mask (the output and the lse, as [`flash_attention`](crate::reference::flash_attention)),
//! [`multi_head_attention`] and [`grouped_query_attention`] the output of their
//! reference namesakes with the same two masks. It never builds the
//! (l_q × l_k) weights: it is FlashAttention-2 on a CPU.
//!
//! The tricks, each with why it pays and what it did in the benchmark
//! (`benches/speed.sh`, `cargo bench --bench speed -- --blocks`; 2 shared,
//! busy cores, so figures move by tens of percent; the README's "Benchmark"
//! has the tables):
//!
//! 1. **Tiles sized for the caches** (FlashAttention-2 order, [`kernel`]).
//!    A block of 256 queries stays put while blocks of 256 keys stream past;
//!    the K and V blocks (64 KiB each at d = 64) sit in the core's 1 MiB L2,
//!    and the scores are made 32 queries at a time, a 32 KiB tile that stays
//!    in the 32 KiB L1 while the output product reads it. Nothing grows with
//!    L²: at L = 32768 a call's peak extra heap was 1.08 × one (L × d)
//!    matrix (9.1 MB, the output included), where SDPA's scores alone are
//!    4 GiB.
//! 2. **Scale and row max fused into the pass that makes the scores**
//!    ([`avx512`]). The scale is one multiply of the accumulators, the
//!    causal mask a lane mask, and the row maximum is taken while the scores
//!    are still in registers, so the tile is read once afterwards (exp and
//!    sum) instead of once per step. In the portable path the scale is the
//!    product's alpha and the max one extra read; there, written with a
//!    conditional store, the max pass had been 38% of the softmax step.
//! 3. **A vectorised exp** ([`exp`]): plain arithmetic in base 2 that the
//!    compiler turns into 16- or 8-lane code (AVX-512 or AVX2, chosen at run
//!    time): 0.3 ns an entry against 3.5 ns for `f32::exp`, the difference
//!    between 0.3 ms and 3.5 ms of exponentials at L = 1024. The `wide`
//!    crate's `f32x8::exp` took 2.0 ns (it is compiled for SSE unless the
//!    whole build targets the CPU), so it is not used.
//! 4. **A hand-written kernel for both products** ([`avx512`]). The general
//!    matrix kernel (`matrixmultiply`, which nalgebra calls) re-packs both
//!    factors on every call, 14% of the time at L = 2048, and cannot fuse
//!    anything; attention's tiles have fixed, small shapes. With Q, K and V
//!    blocks copied once in the order the loops read them (read in place at
//!    a power-of-two L, their columns alias in the L1 cache, which had cost
//!    half the output kernel's time), L = 2048 went from about 25 ms to
//!    12.5-16 ms, both products now at the FMA units' rate.
//!    [`Kernel::Portable`] keeps the `matrixmultiply` path (any CPU).
//! 5. **Threads across heads and query blocks** (`std::thread::scope`):
//!    every (head, query block) pair is independent (FA-2's point), so
//!    workers take the next pair from a shared counter. Causal blocks do
//!    unequal work (the last block sees every key, the first almost none),
//!    so the biggest go first and the counter balances the rest. Each
//!    worker's scratch is allocated before the threads start, by the calling
//!    thread; the workers allocate nothing (the portable path's matrix
//!    kernel excepted). Multi-head and grouped-query attention also split
//!    the rows of their four projections between the threads. Measured
//!    gain here: none, because the machine's 2 cores were busy with other
//!    work (load 5-6); the speed-up it can give is the core count.
//!
//! What it does not do: masks other than aligned causal, returning the
//! weights (that is the L² matrix it exists to avoid), f16, or register
//! blocks wider than 16 × 16 (the next step towards the FMA peak).

#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub mod exp;
pub mod kernel;

use crate::error::{ShapeError, expect_divisible, expect_eq, or_panic};
use crate::layers::{GroupedQueryWeights, Linear, MultiHeadWeights};
use crate::prelude::{DVector, Matrix};
use crate::reference::flash::check_shapes;
use crate::reference::mask::check_aligned;
use kernel::{Head, Scratch, query_block};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Block sizes and threads of the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Queries per block (≥ 1).
    pub block_q: usize,
    /// Keys per block (≥ 1).
    pub block_k: usize,
    /// Worker threads (≥ 1; 1 runs on the calling thread).
    pub threads: usize,
    /// Which code computes the tiles' products.
    pub kernel: Kernel,
}

/// Which code computes the two products of a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The hand-written AVX-512 kernel ([`avx512`]) where the CPU has
    /// AVX-512F, else `Portable`.
    #[default]
    Auto,
    /// nalgebra's general matrix product (`matrixmultiply`), on any CPU.
    Portable,
}

impl Default for Options {
    /// Blocks of 256 queries and 256 keys, one thread, the AVX-512 kernel if the CPU has it.
    fn default() -> Self {
        Options { block_q: 256, block_k: 256, threads: 1, kernel: Kernel::Auto }
    }
}

impl Options {
    /// The defaults with `threads` threads.
    pub fn with_threads(threads: usize) -> Self {
        Options { threads, ..Options::default() }
    }
}

/// One-head attention, no mask or aligned causal: (output, lse) as
/// [`flash_attention`](crate::reference::flash_attention) returns them.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (output (l_q × d_v), lse (l_q)).
///
/// # Panics
/// If the shapes do not fit, a block size or the thread count is 0, or
/// `causal` with l_q > l_k.
#[track_caller]
pub fn attention(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool, options: &Options) -> (Matrix, DVector<f32>) {
    or_panic(try_attention(q, k, v, causal, options))
}

/// [`attention`] that reports bad shapes as an error.
pub fn try_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    causal: bool,
    options: &Options,
) -> Result<(Matrix, DVector<f32>), ShapeError> {
    check_shapes(q, k, v, causal, options.block_q, options.block_k)?;
    check_blocks(options)?;
    let mut output = Matrix::zeros(q.nrows(), v.ncols()); // (l_q, d_v)
    let mut lse = DVector::zeros(q.nrows()); // (l_q)
    let heads = Heads { q, k, v, heads: 1, kv_heads: 1, d_k: q.ncols(), d_v: v.ncols() };
    run(&heads, causal, options, &mut output, Some(lse.as_mut_slice()));
    Ok((output, lse))
}

/// Multi-head attention, no mask or aligned causal: the output of
/// [`multi_head_attention`](crate::reference::multi_head_attention).
///
/// Shapes: query (l_q × D), key, value (l_k × D) -> output (l_q × D_out).
///
/// # Panics
/// If the shapes do not fit (see the reference), or as [`attention`].
#[track_caller]
pub fn multi_head_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    causal: bool,
    options: &Options,
) -> Matrix {
    or_panic(projected(query, key, value, [&w.q, &w.k, &w.v, &w.o], w.num_heads, w.num_heads, causal, options))
}

/// Grouped-query attention, no mask or aligned causal: the output of
/// [`grouped_query_attention`](crate::reference::grouped_query_attention).
///
/// Shapes: query (l_q × D), key, value (l_k × D) -> output (l_q × D_out).
///
/// # Panics
/// If the shapes do not fit (see the reference), or as [`attention`].
#[track_caller]
pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    causal: bool,
    options: &Options,
) -> Matrix {
    let layers = [&w.q, &w.k, &w.v, &w.o];
    or_panic(projected(query, key, value, layers, w.num_heads, w.num_kv_heads, causal, options))
}

/// Project, attend in every head (query head h reads KV head h / (H/G)), project.
#[allow(clippy::too_many_arguments)]
fn projected(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    [wq, wk, wv, wo]: [&Linear; 4],
    heads: usize,
    kv_heads: usize,
    causal: bool,
    options: &Options,
) -> Result<Matrix, ShapeError> {
    if heads == 0 {
        return Err(ShapeError::Zero { what: "num_heads" });
    }
    if kv_heads == 0 {
        return Err(ShapeError::Zero { what: "num_kv_heads" });
    }
    if !heads.is_multiple_of(kv_heads) {
        return Err(ShapeError::KvHeadsDoNotDivide { heads, kv_heads });
    }
    expect_divisible("q projection width", wq.out_features(), heads)?;
    expect_divisible("k projection width", wk.out_features(), kv_heads)?;
    expect_divisible("v projection width", wv.out_features(), kv_heads)?;
    let (d_k, d_v) = (wq.out_features() / heads, wv.out_features() / kv_heads);
    expect_eq("per-head key width (k width / G, must equal q width / H)", d_k, wk.out_features() / kv_heads)?;
    expect_eq("o projection input (must equal H · d_v)", heads * d_v, wo.in_features())?;
    expect_eq("value length (rows of value, must equal rows of key)", key.nrows(), value.nrows())?;
    // 1. Project once, full width (the heads are column blocks: free views).
    let q = project(query, wq, options.threads)?; // (l_q, H·d_k)
    let k = project(key, wk, options.threads)?; // (l_k, G·d_k)
    let v = project(value, wv, options.threads)?; // (l_k, G·d_v)
    if causal {
        check_aligned(q.nrows(), k.nrows())?;
    }
    check_blocks(options)?;
    // 2–3. Attend in every head, straight into the concatenation.
    let mut concat = Matrix::zeros(q.nrows(), heads * d_v); // (l_q, H·d_v)
    let shape = Heads { q: &q, k: &k, v: &v, heads, kv_heads, d_k, d_v };
    run(&shape, causal, options, &mut concat, None);
    // 4. Mix the heads.
    project(&concat, wo, options.threads) // (l_q, H·d_v)·(H·d_v, D_out) -> (l_q, D_out)
}

/// `layer.forward(x)` with the rows of x split between `threads` threads.
/// At D = 512 the four projections are as many flops as attention itself up
/// to L = 2·D, so with two threads they would otherwise be half the time.
///
/// Shapes: x (l × in) -> (l × out).
fn project(x: &Matrix, layer: &Linear, threads: usize) -> Result<Matrix, ShapeError> {
    expect_eq("input width (columns of x, must equal the layer's inputs)", layer.in_features(), x.ncols())?;
    let rows = x.nrows();
    // Below a few hundred rows per thread the threads cost more than they save.
    let threads = threads.min(rows / 128).max(1);
    if threads == 1 {
        return layer.try_forward(x);
    }
    expect_eq("bias length of a linear layer", layer.out_features(), layer.bias.len())?;
    let chunk = rows.div_ceil(threads);
    // Every part is allocated here, on the calling thread (so a per-thread
    // heap counter sees them), and each worker fills one.
    let mut out = Matrix::zeros(rows, layer.out_features()); // (l, out)
    let mut parts: Vec<(usize, Matrix)> =
        (0..rows).step_by(chunk).map(|r0| (r0, Matrix::zeros(chunk.min(rows - r0), layer.out_features()))).collect();
    std::thread::scope(|scope| {
        for (r0, part) in &mut parts {
            let n = part.nrows();
            scope.spawn(move || {
                // (n, in)·(in, out) -> (n, out), then the bias on every row.
                part.gemm(1.0, &x.rows(*r0, n), &layer.weight, 0.0);
                for mut row in part.row_iter_mut() {
                    row += &layer.bias;
                }
            });
        }
    });
    for (r0, part) in &parts {
        out.rows_mut(*r0, part.nrows()).copy_from(part);
    }
    Ok(out)
}

/// Heads laid side by side in column blocks, as the projections make them.
struct Heads<'a> {
    /// (l_q × H·d_k)
    q: &'a Matrix,
    /// (l_k × G·d_k)
    k: &'a Matrix,
    /// (l_k × G·d_v)
    v: &'a Matrix,
    heads: usize,
    kv_heads: usize,
    d_k: usize,
    d_v: usize,
}

impl Heads<'_> {
    /// Query head h with its key/value head h / (H/G).
    fn head(&self, h: usize) -> Head<'_> {
        let g = h / (self.heads / self.kv_heads);
        Head {
            q: self.q.columns(h * self.d_k, self.d_k),
            k: self.k.columns(g * self.d_k, self.d_k),
            v: self.v.columns(g * self.d_v, self.d_v),
        }
    }
}

/// A pointer to the output that workers share; each (head, query block)
/// writes only its own rows of its own head's columns.
#[derive(Clone, Copy)]
struct Shared(*mut f32);
// SAFETY: the workers write disjoint entries (see `run`), and the buffers
// outlive the scope the workers run in.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// Attention of every head into `out` (l_q × H·d_v) and, if given, `lse` (H·l_q).
fn run(heads: &Heads, causal: bool, options: &Options, out: &mut Matrix, lse: Option<&mut [f32]>) {
    let l_q = heads.q.nrows();
    let blocks = l_q.div_ceil(options.block_q);
    let items = heads.heads * blocks;
    let threads = options.threads.clamp(1, items.max(1));
    // Every worker's scratch, allocated here, on the calling thread.
    let mut scratch: Vec<Scratch> = (0..threads)
        .map(|_| Scratch::new(options.block_q.min(l_q.max(1)), options.block_k, heads.d_k, heads.d_v))
        .collect();
    let (out_ptr, lse_ptr) = (Shared(out.as_mut_ptr()), lse.map(|l| Shared(l.as_mut_ptr())));
    let next = AtomicUsize::new(0);
    let work = |scratch: &mut Scratch| {
        loop {
            let item = next.fetch_add(1, Ordering::Relaxed);
            if item >= items {
                break;
            }
            // Biggest first: with causal, the last query block sees the most keys.
            let (block, h) = (blocks - 1 - item / heads.heads, item % heads.heads);
            let q0 = block * options.block_q;
            let b_q = options.block_q.min(l_q - q0);
            let column0 = h * heads.d_v;
            let write = |r: usize, c: usize, x: f32| {
                // SAFETY: row q0 + r < l_q and column column0 + c < H·d_v of an
                // (l_q × H·d_v) column-major buffer; only this item writes it.
                unsafe { *{ out_ptr }.0.add(q0 + r + (column0 + c) * l_q) = x }
            };
            let write_lse = |r: usize, x: f32| {
                if let Some(lse) = lse_ptr {
                    // SAFETY: as above, entry h·l_q + q0 + r of an (H·l_q) buffer.
                    unsafe { *{ lse }.0.add(h * l_q + q0 + r) = x }
                }
            };
            query_block(heads.head(h), q0, b_q, causal, options.block_k, options.kernel, scratch, write, write_lse);
        }
    };
    let (mine, others) = scratch.split_first_mut().expect("at least one worker");
    std::thread::scope(|scope| {
        for theirs in others {
            scope.spawn(|| work(theirs));
        }
        work(mine);
    });
}

/// Checks the block sizes and the thread count.
fn check_blocks(options: &Options) -> Result<(), ShapeError> {
    if options.block_q == 0 {
        return Err(ShapeError::Zero { what: "block_q" });
    }
    if options.block_k == 0 {
        return Err(ShapeError::Zero { what: "block_k" });
    }
    if options.threads == 0 {
        return Err(ShapeError::Zero { what: "threads" });
    }
    Ok(())
}
