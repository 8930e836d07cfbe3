//! The key/value cache: decoding one chunk of new tokens at a time.
//!
//! **Versus grouped-query attention:** the same projections, heads and
//! `h / (H/G)` sharing ([`gqa`](super::gqa)), but keys and values are no longer
//! recomputed for the whole sequence. Each call projects only the s new
//! tokens, rotates their q and k with [`apply_rope`] at their own positions,
//! appends k and v to the cache, and lets the new queries attend to every
//! cached row, causally.
//!
//! The idea: a causal model's key and value of token j never change once token
//! j is seen (later tokens cannot influence it). Recomputing them at every step
//! makes generating n tokens cost O(n²) projections; caching them makes it O(n).
//! Its memory is 2·G·d_k numbers per token per layer, which is why GQA shrinks
//! G. For the new queries at positions p..p+s−1 over the p+s cached keys:
//!
//! ```text
//! out_i = Σ_{j ≤ p+i} softmax_j(q_i·k_jᵀ / sqrt(d_k)) · v_j      (aligned causality)
//! ```
//!
//! **Prefill and decode.** Serving a prompt is one call with s = prompt length
//! on an empty cache (prefill); generation is then one call per token, s = 1
//! (decode). Both are the same function, and any split of a sequence into calls
//! gives the same rows as one call. Their costs differ. At cache length n one
//! decode step does 2·n·d_k FLOPs for q·Kᵀ and 2·n·d_k for P·V in each of the H
//! heads, 4·H·n·d_k in all, but must read the whole cache, 2·G·n·d_k floats =
//! 8·G·n·d_k bytes in f32. That is H/(2G) FLOPs per byte: 0.5 for MHA, 2 for
//! H = 32, G = 8. A GPU does a few hundred FLOPs in the time it loads one byte
//! (about 1e15 FLOP/s against 3e12 B/s), so decoding waits on memory, not on
//! arithmetic: its time is cache bytes / bandwidth, and shrinking the cache
//! (GQA, MLA, quantised caches) speeds it up directly. The projections are no
//! better: each 4-byte weight is used for 2 FLOPs per token. A prefill of s
//! tokens reuses every byte s times (about s·H/(2G) FLOPs per byte) and is
//! compute-bound once s reaches a few hundred.
//!
//! Pitfalls:
//! - **Aligned, not top-left causality**: new query i sits at p + i, so it may
//!   see keys j ≤ p + i. `causal_mask(s)` (or PyTorch's `is_causal` with
//!   s < p+s) hides the whole cache from the first new token.
//! - **Cache keys after RoPE**, at their own positions. Rotating the whole cache
//!   again at each step double-rotates it.
//! - **Positions continue from the cache**: p = rows already cached, not 0.
//! - **Keep G heads in the cache**; repeating them to H is a view for the
//!   product, storing it wastes the H/G saving.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::kv_cache::{decode_step, empty_cache};
//!
//! // D = 1, one head, W_q = 0: every score is 0, so each token's output is the
//! // plain mean of the values cached so far (W_k = W_v = W_o = 1).
//! let (zero, one) = (Linear::without_bias(Matrix::zeros(1, 1)), Linear::without_bias(Matrix::identity(1, 1)));
//! let w = GroupedQueryWeights { q: zero, k: one.clone(), v: one.clone(), o: one, num_heads: 1, num_kv_heads: 1 };
//! let mut cache = empty_cache(&w);
//! let mut means = Vec::new();
//! for token in [2.0, 4.0, 9.0] {
//!     let (out, weights) = decode_step(&Matrix::from_element(1, 1, token), &mut cache, &w, None);
//!     assert_eq!(weights[0].ncols(), cache.keys.nrows()); // one weight per cached key
//!     means.push(out[(0, 0)]);
//! }
//! // Running means: 2, (2+4)/2 = 3, (2+4+9)/3 = 5.
//! assert!(means.iter().zip([2.0, 3.0, 5.0]).all(|(m, e)| (m - e).abs() < 1e-5));
//! let tokens = Matrix::from_column_slice(3, 1, &[2.0, 4.0, 9.0]);
//! assert_eq!(cache.keys, tokens); // W_k = 1: the cached keys are the tokens
//! // One prefill call on an empty cache gives the same three rows.
//! let (prefill, weights) = decode_step(&tokens, &mut empty_cache(&w), &w, None);
//! assert!(prefill.iter().zip([2.0, 3.0, 5.0]).all(|(m, e)| (m - e).abs() < 1e-5));
//! assert_eq!(weights[0][(0, 1)], 0.0); // the first token cannot see the second
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::{GroupedQueryWeights, KvCache, Rope};
use crate::prelude::Matrix;
use crate::reference::gqa::{self, kv_head_for};
use crate::reference::heads::{attend_each_head, merge_heads, split_heads};
use crate::reference::mask::aligned_causal_mask;
use crate::reference::rope::try_apply_rope;
use crate::trace;

/// Decodes s new tokens over a KV cache with grouped-query attention.
///
/// Shapes: x (s × D), cache keys (p × G·d_k), values (p × G·d_v),
/// weights q (D × H·d_k), k (D × G·d_k), v (D × G·d_v), o (H·d_v × D_out)
/// -> (output (s × D_out), H weights (s × (p+s))); afterwards the cache holds
/// (p+s) rows, keys after RoPE.
///
/// # Panics
/// If the shapes do not fit; see [`try_decode_step`].
#[track_caller]
pub fn decode_step(
    x: &Matrix,
    cache: &mut KvCache,
    w: &GroupedQueryWeights,
    rope: Option<&Rope>,
) -> (Matrix, Vec<Matrix>) {
    or_panic(try_decode_step(x, cache, w, rope))
}

/// [`decode_step`] that reports bad shapes as an error, leaving the cache untouched.
///
/// ```
/// use attn_quiz::prelude::*;
/// use attn_quiz::reference::kv_cache::{empty_cache, try_decode_step};
///
/// // d_k = 3 cannot be cut into RoPE pairs: an error, and the cache has not grown.
/// let w = attn_quiz::sample::Sampler::new(1).grouped_query_weights(4, 2, 1, 3);
/// let mut cache = empty_cache(&w);
/// let rope = Rope { base: 10000.0, style: RopeStyle::Interleaved };
/// assert!(try_decode_step(&Matrix::zeros(2, 4), &mut cache, &w, Some(&rope)).is_err());
/// assert_eq!(cache.keys.shape(), (0, 3));
/// ```
pub fn try_decode_step(
    x: &Matrix,
    cache: &mut KvCache,
    w: &GroupedQueryWeights,
    rope: Option<&Rope>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    let (h, g) = (w.num_heads, w.num_kv_heads);
    // 1–4. Project the new tokens, rotate q and k, append k and v, split heads.
    let heads = project_and_append(x, cache, w, rope)?;
    // 5. New query i sits at p + i and sees cached keys 0..=p+i.
    let mask = aligned_causal_mask(x.nrows(), cache.keys.nrows()); // (s, p+s)
    // 6. Query head h attends to kv head h / (H/G), over the whole cache.
    let (head_outputs, weights) = attend_each_head(&heads.q, &heads.k, &heads.v, |i| kv_head_for(i, h, g), Some(&mask));
    // 7. Concatenate and project, as in GQA.
    let concat = merge_heads(&head_outputs); // H × (s, d_v) -> (s, H·d_v)
    trace::step("merged", &concat);
    let output = w.o.try_forward(&concat)?; // (s, H·d_v)·(H·d_v, D_out) -> (s, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// An empty cache for these weights.
///
/// Shapes: keys (0 × G·d_k), values (0 × G·d_v).
pub fn empty_cache(w: &GroupedQueryWeights) -> KvCache {
    KvCache { keys: Matrix::zeros(0, w.k.out_features()), values: Matrix::zeros(0, w.v.out_features()) }
}

/// The heads one call attends with: the new queries and the whole cache.
pub(crate) struct CachedHeads {
    /// H × (s × d_k), after RoPE.
    pub q: Vec<Matrix>,
    /// G × ((p+s) × d_k), after RoPE.
    pub k: Vec<Matrix>,
    /// G × ((p+s) × d_v).
    pub v: Vec<Matrix>,
}

/// Steps 1–4 shared by every cached decoder: project the new tokens, rotate q
/// and k at positions p..p+s−1, append k and v to the cache, split into heads.
///
/// Shapes: as [`decode_step`]. Every check runs before the cache is changed.
pub(crate) fn project_and_append(
    x: &Matrix,
    cache: &mut KvCache,
    w: &GroupedQueryWeights,
    rope: Option<&Rope>,
) -> Result<CachedHeads, ShapeError> {
    check_shapes(x, cache, w)?;
    let (h, g, d_k) = (w.num_heads, w.num_kv_heads, w.d_k());
    let p = cache.keys.nrows();
    // 1. Project only the new tokens.
    let q = w.q.try_forward(x)?; // (s, D)·(D, H·d_k) -> (s, H·d_k)
    let k = w.k.try_forward(x)?; // (s, D)·(D, G·d_k) -> (s, G·d_k)
    let v = w.v.try_forward(x)?; // (s, D)·(D, G·d_v) -> (s, G·d_v)
    trace::step("q_projected", &q);
    trace::step("k_projected", &k);
    trace::step("v_projected", &v);
    // 2. RoPE at the absolute positions p..p+s−1: queries and keys, never values.
    let (q, k) = match rope {
        Some(rope) => {
            let positions: Vec<usize> = (p..p + x.nrows()).collect();
            let q = try_apply_rope(&q, &positions, d_k, rope)?; // (s, H·d_k)
            let k = try_apply_rope(&k, &positions, d_k, rope)?; // (s, G·d_k)
            trace::step("q_rotated", &q);
            trace::step("k_rotated", &k);
            (q, k)
        }
        None => (q, k),
    };
    // 3. Append: nothing can fail past this point, so an error leaves the cache as it was.
    cache.keys = append_rows(&cache.keys, &k); // (p, G·d_k) over (s, G·d_k) -> (p+s, G·d_k)
    cache.values = append_rows(&cache.values, &v); // (p, G·d_v) over (s, G·d_v) -> (p+s, G·d_v)
    trace::step("cached_keys", &cache.keys);
    trace::step("cached_values", &cache.values);
    // 4. H query heads over G cached kv heads (never repeated to H).
    let heads = CachedHeads {
        q: split_heads(&q, h),            // H × (s, d_k)
        k: split_heads(&cache.keys, g),   // G × (p+s, d_k)
        v: split_heads(&cache.values, g), // G × (p+s, d_v)
    };
    trace::step_each("q_heads", &heads.q);
    trace::step_each("k_heads", &heads.k);
    trace::step_each("v_heads", &heads.v);
    Ok(heads)
}

/// `top` with the rows of `bottom` below it.
///
/// Shapes: (p × w), (s × w) -> ((p+s) × w). A real cache preallocates its
/// capacity instead of copying the p old rows at every step.
pub(crate) fn append_rows(top: &Matrix, bottom: &Matrix) -> Matrix {
    let mut joined = Matrix::zeros(top.nrows() + bottom.nrows(), top.ncols()); // (p+s, w)
    joined.rows_mut(0, top.nrows()).copy_from(top);
    joined.rows_mut(top.nrows(), bottom.nrows()).copy_from(bottom);
    joined
}

/// Checks the weights (as GQA does) and the cache against them. The output
/// projection runs after the cache has grown, so its bias is checked here too.
fn check_shapes(x: &Matrix, cache: &KvCache, w: &GroupedQueryWeights) -> Result<(), ShapeError> {
    gqa::check_shapes(x, x, x, w, None)?;
    expect_eq("bias length of the o projection", w.o.out_features(), w.o.bias.len())?;
    expect_eq("cached key width (must equal the k projection width G·d_k)", w.k.out_features(), cache.keys.ncols())?;
    expect_eq(
        "cached value width (must equal the v projection width G·d_v)",
        w.v.out_features(),
        cache.values.ncols(),
    )?;
    expect_eq("cached values (rows, must equal the cached keys' rows)", cache.keys.nrows(), cache.values.nrows())
}
