//! Multi-head latent attention, absorbed: scores against the cached latents,
//! with no key or value ever rebuilt.
//!
//! **Versus the naive form** ([`mla`](super::mla)): the same projections, the
//! same cache, the same numbers out; only the order of the matrix products
//! changes. The naive form multiplies the whole cache by W_UK and W_UV at every
//! step, H·(d_n + d_v) numbers per cached token. Associativity moves those
//! matrices to the query side and the output side instead:
//!
//! ```text
//! content score   q^C·(c·W_UK,h)ᵀ = (q^C·W_UK,hᵀ)·cᵀ       (s, d_c)·(d_c, n)
//! output          P·(c·W_UV,h)    = (P·c)·W_UV,h           (s, d_c)·(d_c, d_v)
//! s_h = ((q^C·W_UK,hᵀ)·cᵀ + RoPE(q^R_h)·k_ropeᵀ) / sqrt(d_n + d_r)
//! ```
//!
//! Seen this way, decoding with MLA is multi-query attention: all H heads
//! share one key `[c | k_rope]` (d_c + d_r = 576 wide in DeepSeek-V3) and one
//! value c (512 wide), read once from the cache for all heads. The query
//! absorbs W_UK; W_UV can be multiplied into W_O ahead of time (DeepSeek's
//! inference code and FlashMLA work in this form). The price is arithmetic:
//! each head's scores now run over d_c + d_r columns instead of d_n + d_r.
//! That pays off in decoding, which waits on memory, while a long prefill,
//! which waits on arithmetic, is cheaper in the naive form.
//!
//! This is exactly where RoPE would break it: with a rotation between q^C and
//! the key, `q^C·R_(m−n)·W_UK,hᵀ` depends on the offset, so it cannot be
//! computed once per query. The rotary part therefore has its own key.
//!
//! Pitfalls:
//! - **Keep the scale 1/sqrt(d_n + d_r)**: the scores are the naive form's,
//!   even though they are now taken over d_c + d_r columns.
//! - **Transpose W_UK,h**: the query (s × d_n) meets it as (d_n × d_c).
//! - **Attend to c, then up-project**: P·c is (s × d_c), then ·W_UV,h.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::mla::{empty_mla_cache, mla_decode_step};
//! use attn_quiz::reference::mla_absorbed::mla_decode_step_absorbed;
//!
//! // One token: q = [1, 0, 0] with d_n = 1, d_r = 2; W_UK = [1, 1]ᵀ, W_UV = [1, 0]ᵀ.
//! let mut kv_down = Matrix::zeros(2, 4);
//! kv_down.columns_mut(0, 2).fill_with_identity();
//! let w = MlaWeights {
//!     q: Linear::without_bias(Matrix::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0])),
//!     kv_down: Linear::without_bias(kv_down), kv_norm: RowVector::from_element(2, 1.0),
//!     k_up: Matrix::from_element(2, 1, 1.0), v_up: Matrix::from_column_slice(2, 1, &[1.0, 0.0]),
//!     o: Linear::without_bias(Matrix::identity(1, 1)), num_heads: 1, rope_dim: 2,
//! };
//! let rope = Rope { base: 10000.0, style: RopeStyle::HalfSplit };
//! let x = Matrix::from_row_slice(2, 2, &[3.0, 4.0, 1.0, -1.0]);
//! // Token 1 at x = [1, −1]: c_0 = [0.8485, 1.1314], c_1 = [1, −1], q^C = 1,
//! // q^C·W_UKᵀ = [1, 1]: content scores 1.9799 and 0, scaled by 1/sqrt(3).
//! let (naive, _) = mla_decode_step(&x, &mut empty_mla_cache(&w), &w, &rope);
//! let (absorbed, weights) = mla_decode_step_absorbed(&x, &mut empty_mla_cache(&w), &w, &rope);
//! let p0 = 1.0 / (1.0 + (-1.9799f32 / 3f32.sqrt()).exp()); // 0.7583
//! assert!((weights[0][(1, 0)] - p0).abs() < 1e-4);
//! assert!((absorbed[(1, 0)] - (p0 * 0.8485 + (1.0 - p0))).abs() < 1e-4);
//! assert!((absorbed - naive).abs().max() < 1e-6);
//! ```

use crate::error::or_panic;
use crate::layers::{MlaCache, MlaWeights, Rope};
use crate::prelude::{Matrix, ShapeError};
use crate::reference::heads::{merge_heads, split_heads};
use crate::reference::mask::aligned_causal_mask;
use crate::reference::mla::project_and_append;
use crate::reference::sdpa::attend;
use crate::trace;

/// [`mla_decode_step`](super::mla_decode_step) in the absorbed form: the same
/// outputs, weights and cache.
///
/// Shapes: as [`mla_decode_step`](super::mla_decode_step): x (s × D), cache
/// latent (p × d_c), rope_keys (p × d_r) -> (output (s × D_out), H weights
/// (s × (p+s))); afterwards the cache holds p+s rows.
///
/// # Panics
/// If the shapes do not fit; see [`try_mla_decode_step_absorbed`].
#[track_caller]
pub fn mla_decode_step_absorbed(
    x: &Matrix,
    cache: &mut MlaCache,
    w: &MlaWeights,
    rope: &Rope,
) -> (Matrix, Vec<Matrix>) {
    or_panic(try_mla_decode_step_absorbed(x, cache, w, rope))
}

/// [`mla_decode_step_absorbed`] that reports bad shapes as an error, leaving the cache untouched.
pub fn try_mla_decode_step_absorbed(
    x: &Matrix,
    cache: &mut MlaCache,
    w: &MlaWeights,
    rope: &Rope,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    // 1–3. Exactly as the naive form: project, rotate, normalise, append.
    let queries = project_and_append(x, cache, w, rope)?;
    let h = w.num_heads;
    // The naive form's per-head query width sets the scale.
    let scale = 1.0 / ((w.k_up.ncols() / h + w.rope_dim) as f32).sqrt();
    let k_up = split_heads(&w.k_up, h); // H × (d_c, d_n)
    let v_up = split_heads(&w.v_up, h); // H × (d_c, d_v)
    let mask = aligned_causal_mask(x.nrows(), cache.latent.nrows()); // (s, p+s)
    let (c, k_rope) = (&cache.latent, &cache.rope_keys);
    let (head_outputs, weights): (Vec<Matrix>, Vec<Matrix>) = (0..h)
        .map(|i| {
            trace::in_head(i, || {
                // 4. Absorb W_UK into the query: it now lives in latent space.
                let q_latent = &queries.content[i] * k_up[i].transpose(); // (s, d_n)·(d_n, d_c) -> (s, d_c)
                trace::step("q_latent", &q_latent);
                // 5. Content scores against the cache itself, plus the rotary scores.
                let content = q_latent * c.transpose(); // (s, d_c)·(d_c, p+s) -> (s, p+s)
                let rotary = &queries.rotary[i] * k_rope.transpose(); // (s, d_r)·(d_r, p+s) -> (s, p+s)
                let scores = (content + rotary) * scale; // (s, p+s)
                trace::step("scores", &scores);
                // 6. Softmax and a weighted sum of latents, not of values.
                let (attended, weights) = attend(&scores, c, Some(&mask)); // (s, d_c), (s, p+s)
                // 7. Up-project the attended latent to head h's values.
                (attended * &v_up[i], weights) // (s, d_c)·(d_c, d_v) -> (s, d_v)
            })
        })
        .unzip();
    // 8. Concatenate and project, as in the naive form.
    let concat = merge_heads(&head_outputs); // H × (s, d_v) -> (s, H·d_v)
    let output = w.o.try_forward(&concat)?; // (s, H·d_v)·(H·d_v, D_out) -> (s, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}
