//! Multi-head latent attention (MLA): cache one small latent per token and
//! rebuild every head's keys and values from it.
//!
//! **Versus multi-head attention over a KV cache** ([`kv_cache`](super::kv_cache)):
//! the cache no longer holds keys and values. A down-projection squeezes each
//! token into a latent c of width d_c, and per-head up-projections W_UK, W_UV
//! turn the cached latents into H heads of keys and values when they are
//! needed. Position cannot ride on those keys (see below), so each head's
//! query and key also get a small rotary part: a d_r-wide RoPE key computed
//! straight from x, one for all heads, cached next to c.
//!
//! *DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts
//! Language Model* (DeepSeek-AI, 2024), section 2.1; DeepSeek-V3 keeps it.
//! For new tokens x at positions p..p+s−1, head h:
//!
//! ```text
//! [a | b] = x·W_DKV + b_DKV            c = RMSNorm(a) ⊙ g     k_rope = RoPE(b)
//! q_h = [q_h^C | RoPE(q_h^R)]          (columns of x·W_Q + b_Q)
//! k_hj = [c_j·W_UK,h | k_rope,j]       v_hj = c_j·W_UV,h
//! out = concat_h softmax_causal(q_h·k_hᵀ / sqrt(d_n + d_r))·v_h · W_O + b_O
//! ```
//!
//! **The cache arithmetic.** Per token and layer MLA stores d_c + d_r numbers;
//! multi-head attention stores 2·H·d_h. DeepSeek-V3 (H = 128, d_h = d_n = 128,
//! d_c = 512, d_r = 64): 512 + 64 = 576 against 2·128·128 = 32 768, 57 times
//! less, about what GQA with 2.25 groups would keep. Since decoding is bound
//! by reading the cache (see [`kv_cache`](super::kv_cache)), that is speed.
//!
//! **Why the rotary part is decoupled.** The content score is
//! `q^C·(c·W_UK)ᵀ = (q^C·W_UKᵀ)·cᵀ`: W_UK can be multiplied into the query
//! once, and the scores taken against the cached c directly, without ever
//! building a key ([`mla_absorbed`](super::mla_absorbed)). Rotate the content
//! key instead, `RoPE_n(c·W_UK)`, and the score becomes
//! `q^C·R_(m−n)·W_UKᵀ·cᵀ`: the matrix between q and c now depends on the
//! offset m − n, so no single matrix can be absorbed and every cached key would
//! have to be rebuilt at every step. A separate d_r-wide key carries the
//! position instead, shared by all heads so that it costs d_r, not H·d_r.
//!
//! Pitfalls:
//! - **Scale by sqrt(d_n + d_r)**, the query width of a head: not d_n, not d_c.
//! - **Cache c after RMSNorm** and the rotary key after RoPE; nothing else.
//! - **One rotary key for all heads**, but each head rotates its own q^R.
//! - Aligned causality and positions from the cache, as in [`kv_cache`](super::kv_cache).
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::mla::{empty_mla_cache, mla_decode_step};
//!
//! // H = 1, d_c = 2, d_n = 1, d_r = 2, d_v = 1; W_q = 0, so every score is 0
//! // and each output is the mean of the cached values. kv_down copies x into
//! // the latent and gives a zero rotary key; the value is c's first entry.
//! let mut kv_down = Matrix::zeros(2, 4);
//! kv_down.columns_mut(0, 2).fill_with_identity();
//! let w = MlaWeights {
//!     q: Linear::without_bias(Matrix::zeros(2, 3)), kv_down: Linear::without_bias(kv_down),
//!     kv_norm: RowVector::from_element(2, 1.0), k_up: Matrix::from_element(2, 1, 1.0),
//!     v_up: Matrix::from_column_slice(2, 1, &[1.0, 0.0]), o: Linear::without_bias(Matrix::identity(1, 1)),
//!     num_heads: 1, rope_dim: 2,
//! };
//! let rope = Rope { base: 10000.0, style: RopeStyle::Interleaved };
//! let mut cache = empty_mla_cache(&w);
//! // [3, 4] has mean square 12.5: c = [3, 4] / 3.5355 = [0.8485, 1.1314].
//! let (out, _) = mla_decode_step(&Matrix::from_row_slice(1, 2, &[3.0, 4.0]), &mut cache, &w, &rope);
//! assert!((out[(0, 0)] - 0.8485).abs() < 1e-4 && (cache.latent[(0, 1)] - 1.1314).abs() < 1e-4);
//! // [1, −1] has mean square 1: c = [1, −1]; the output is (0.8485 + 1) / 2.
//! let (out, weights) = mla_decode_step(&Matrix::from_row_slice(1, 2, &[1.0, -1.0]), &mut cache, &w, &rope);
//! assert!((out[(0, 0)] - 0.9243).abs() < 1e-4 && weights[0].shape() == (1, 2));
//! // d_c + d_r = 4 numbers cached per token.
//! assert_eq!((cache.latent.shape(), cache.rope_keys.shape()), ((2, 2), (2, 2)));
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq, or_panic};
use crate::layers::{MlaCache, MlaWeights, Rope};
use crate::prelude::{Matrix, RowVector};
use crate::reference::heads::{attend_each_head, merge_heads, split_heads};
use crate::reference::kv_cache::append_rows;
use crate::reference::mask::aligned_causal_mask;
use crate::reference::rope::try_apply_rope;
use crate::trace;

/// The ε of the latent's RMSNorm.
pub const RMS_EPS: f32 = 1e-6;

/// Decodes s new tokens with multi-head latent attention, keys and values
/// rebuilt from the cached latents (the naive form).
///
/// Shapes: x (s × D), cache latent (p × d_c), rope_keys (p × d_r), weights as
/// in [`MlaWeights`] -> (output (s × D_out), H weights (s × (p+s))); afterwards
/// the cache holds p+s rows.
///
/// # Panics
/// If the shapes do not fit; see [`try_mla_decode_step`].
#[track_caller]
pub fn mla_decode_step(x: &Matrix, cache: &mut MlaCache, w: &MlaWeights, rope: &Rope) -> (Matrix, Vec<Matrix>) {
    or_panic(try_mla_decode_step(x, cache, w, rope))
}

/// [`mla_decode_step`] that reports bad shapes as an error, leaving the cache untouched.
pub fn try_mla_decode_step(
    x: &Matrix,
    cache: &mut MlaCache,
    w: &MlaWeights,
    rope: &Rope,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    // 1–3. Project, rotate, normalise the latent, append to the cache.
    let queries = project_and_append(x, cache, w, rope)?;
    let h = w.num_heads;
    // 4. Rebuild every head's content keys and values from all p+s latents.
    let k_content = split_heads(&(&cache.latent * &w.k_up), h); // (p+s, d_c)·(d_c, H·d_n) -> H × (p+s, d_n)
    let values = split_heads(&(&cache.latent * &w.v_up), h); // (p+s, d_c)·(d_c, H·d_v) -> H × (p+s, d_v)
    // 5. Head h: query [q^C | q^R], key [content key | the shared rotary key].
    let (content, rotary) = (&queries.content, &queries.rotary);
    let q_heads: Vec<Matrix> = (0..h).map(|i| side_by_side(&content[i], &rotary[i])).collect(); // H × (s, d_n+d_r)
    let k_rope = &cache.rope_keys;
    let k_heads: Vec<Matrix> = k_content.iter().map(|k| side_by_side(k, k_rope)).collect(); // H × (p+s, d_n+d_r)
    trace::step_each("k_heads", &k_heads);
    // 6. Causal SDPA per head; its 1/sqrt(width) is 1/sqrt(d_n + d_r).
    let mask = aligned_causal_mask(x.nrows(), cache.latent.nrows()); // (s, p+s)
    let (head_outputs, weights) = attend_each_head(&q_heads, &k_heads, &values, |i| i, Some(&mask));
    // 7. Concatenate and project.
    let concat = merge_heads(&head_outputs); // H × (s, d_v) -> (s, H·d_v)
    let output = w.o.try_forward(&concat)?; // (s, H·d_v)·(H·d_v, D_out) -> (s, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// An empty cache for these weights.
///
/// Shapes: latent (0 × d_c), rope_keys (0 × d_r).
pub fn empty_mla_cache(w: &MlaWeights) -> MlaCache {
    MlaCache { latent: Matrix::zeros(0, w.kv_norm.len()), rope_keys: Matrix::zeros(0, w.rope_dim) }
}

/// RMSNorm of every row: `x / sqrt(mean(x²) + eps) ⊙ gain`.
///
/// Shapes: x (l × n), gain (n) -> (l × n). A zero row stays zero.
///
/// # Panics
/// If gain has not n entries (the callers check it first).
pub fn rms_norm(x: &Matrix, gain: &RowVector, eps: f32) -> Matrix {
    let mut y = x.clone(); // (l, n), normalised row by row
    for mut row in y.row_iter_mut() {
        let mean_square = row.norm_squared() / row.len() as f32;
        row /= (mean_square + eps).sqrt();
        row.component_mul_assign(gain); // (1, n) ⊙ (1, n)
    }
    y
}

/// The new tokens' queries, split into heads, after RoPE on the rotary parts.
pub(crate) struct MlaQueries {
    /// H × (s × d_n), the content parts q^C.
    pub content: Vec<Matrix>,
    /// H × (s × d_r), the rotary parts RoPE(q^R) at positions p..p+s−1.
    pub rotary: Vec<Matrix>,
}

/// Steps 1–3 of both forms: project the new tokens, rotate the rotary parts,
/// normalise the latent and append latent and rotary key to the cache.
///
/// Shapes: as [`mla_decode_step`]. Every check runs before the cache is changed.
pub(crate) fn project_and_append(
    x: &Matrix,
    cache: &mut MlaCache,
    w: &MlaWeights,
    rope: &Rope,
) -> Result<MlaQueries, ShapeError> {
    check_shapes(x, cache, w)?;
    let (d_c, d_r, d_n) = (w.kv_norm.len(), w.rope_dim, w.k_up.ncols() / w.num_heads);
    let p = cache.latent.nrows();
    let positions: Vec<usize> = (p..p + x.nrows()).collect();
    // 1. Queries: head h is d_n content columns, then d_r rotary columns.
    let q = split_heads(&w.q.try_forward(x)?, w.num_heads); // (s, D)·(D, H·(d_n+d_r)) -> H × (s, d_n+d_r)
    let content = q.iter().map(|q| q.columns(0, d_n).into_owned()).collect(); // H × (s, d_n)
    let rotate = |q: &Matrix| try_apply_rope(&q.columns(d_n, d_r).into_owned(), &positions, d_r, rope); // (s, d_r)
    let rotary = q.iter().map(rotate); // H × (s, d_r)
    let rotary = rotary.collect::<Result<Vec<_>, _>>()?; // H × (s, d_r)
    // 2. Down-projection: the latent (normalised) and the rotary key (rotated).
    let kv = w.kv_down.try_forward(x)?; // (s, D)·(D, d_c+d_r) -> (s, d_c+d_r)
    let latent = rms_norm(&kv.columns(0, d_c).into_owned(), &w.kv_norm, RMS_EPS); // (s, d_c)
    let rope_key = try_apply_rope(&kv.columns(d_c, d_r).into_owned(), &positions, d_r, rope)?; // (s, d_r)
    trace::step("latent", &latent);
    trace::step("rope_key", &rope_key);
    // 3. Append: the latent and the rotary key are all that is cached.
    cache.latent = append_rows(&cache.latent, &latent); // (p, d_c) over (s, d_c) -> (p+s, d_c)
    cache.rope_keys = append_rows(&cache.rope_keys, &rope_key); // (p, d_r) over (s, d_r) -> (p+s, d_r)
    Ok(MlaQueries { content, rotary })
}

/// `[a | b]`: the columns of a, then those of b.
///
/// Shapes: (l × m), (l × n) -> (l × (m+n)).
fn side_by_side(a: &Matrix, b: &Matrix) -> Matrix {
    let mut joined = Matrix::zeros(a.nrows(), a.ncols() + b.ncols()); // (l, m+n)
    joined.columns_mut(0, a.ncols()).copy_from(a);
    joined.columns_mut(a.ncols(), b.ncols()).copy_from(b);
    joined
}

/// Checks the weights against each other, x and the cache against them.
fn check_shapes(x: &Matrix, cache: &MlaCache, w: &MlaWeights) -> Result<(), ShapeError> {
    let (h, d_c, d_r) = (w.num_heads, w.kv_norm.len(), w.rope_dim);
    expect_divisible("k_up width", w.k_up.ncols(), h)?;
    expect_divisible("v_up width", w.v_up.ncols(), h)?;
    if d_c == 0 {
        return Err(ShapeError::Zero { what: "latent width d_c (length of kv_norm)" });
    }
    let (d_n, d_v) = (w.k_up.ncols() / h, w.v_up.ncols() / h);
    expect_eq("q projection width (must be H·(d_n + d_r))", h * (d_n + d_r), w.q.out_features())?;
    expect_eq("kv_down width (must be d_c + d_r)", d_c + d_r, w.kv_down.out_features())?;
    expect_eq("rows of k_up (must be d_c)", d_c, w.k_up.nrows())?;
    expect_eq("rows of v_up (must be d_c)", d_c, w.v_up.nrows())?;
    expect_eq("o projection input (must be H·d_v)", h * d_v, w.o.in_features())?;
    expect_eq("bias length of the o projection", w.o.out_features(), w.o.bias.len())?;
    expect_eq("input width (columns of x, for the q projection)", w.q.in_features(), x.ncols())?;
    expect_eq("input width (columns of x, for kv_down)", w.kv_down.in_features(), x.ncols())?;
    expect_eq("cached latent width (must be d_c)", d_c, cache.latent.ncols())?;
    expect_eq("cached rotary key width (must be d_r)", d_r, cache.rope_keys.ncols())?;
    expect_eq(
        "cached rotary keys (rows, must equal the cached latents')",
        cache.latent.nrows(),
        cache.rope_keys.nrows(),
    )
}
