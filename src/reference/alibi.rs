//! ALiBi (attention with linear biases): position as a penalty on distance,
//! added to the scores.
//!
//! **Versus causal multi-head self-attention:** one addition per head, between
//! scaling the scores and the softmax. Head h subtracts `m_h·(i − j)` from the
//! score of query i and key j ≤ i: the further back a key, the lower its
//! score. Nothing is added to the input (no position embeddings) and q, k
//! are not rotated; projections, heads, mask and output are those of
//! [`mha`](super::mha).
//!
//! *Train Short, Test Long: Attention with Linear Biases Enables Input Length
//! Extrapolation* (Press, Smith and Lewis, ICLR 2022); BLOOM and MPT use it:
//!
//! ```text
//! score_ij = q_i·k_jᵀ / sqrt(d_k) − m_h·(i − j),   j ≤ i
//! m_h = 2^(−8(h+1)/H)                               H a power of two
//! ```
//!
//! The slopes form a geometric sequence: with 8 heads 1/2, 1/4, ..., 1/256.
//! Head 0 forgets within a few tokens, the last head sees far back. For H not
//! a power of two the authors' code takes the c slopes of c heads (c the
//! largest power of two below H), then every other slope of 2c heads — the
//! ones that fall between — for the remaining H − c heads. The list is
//! therefore *not sorted*: for 6 heads 1/4, 1/16, 1/64, 1/256, then 1/2, 1/8.
//!
//! **Why it extrapolates.** A learned or sinusoidal position embedding at
//! position 3000 is a vector the model never saw when trained on 1024 tokens.
//! A bias of −m·(i − j) only ever asks "how far back is this key?", and a
//! longer text just has more, ever more penalised, distant keys: every head
//! behaves as it did in training, with a soft window of about 1/m_h tokens.
//! In the paper a model trained on 1024 tokens and evaluated on 2048 matches
//! a sinusoidal model trained on 2048, while sinusoidal models degrade soon
//! after the length they were trained on.
//!
//! Pitfalls:
//! - **Subtract**: `+m·(i − j)` rewards distance and the heads look at the
//!   first token. (The official code adds `+m·j` instead; that differs from
//!   `−m·(i − j)` by `m·i`, the same in every entry of row i, and softmax
//!   ignores a constant per row. Both give the same weights.)
//! - **Add after the 1/sqrt(d_k) scale**; the bias is not scaled.
//! - **Unsorted slopes** for H not a power of two; sorting them changes which
//!   head gets which slope.
//! - The bias is per head: one slope for every head gives H copies of one
//!   receptive field.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::{alibi_self_attention, alibi_slopes};
//!
//! assert_eq!(alibi_slopes(2), [1.0 / 16.0, 1.0 / 256.0]); // 2^(−4), 2^(−8)
//! assert_eq!(alibi_slopes(6), [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125]);
//! // 8 heads of width 1 and W_q = 0: every score is 0, only the bias is left.
//! // Head 0 has m = 1/2; token 2 gives keys 0, 1, 2 the biases −1, −1/2, 0.
//! let id = Linear::without_bias(Matrix::identity(8, 8));
//! let w = MultiHeadWeights {
//!     q: Linear::without_bias(Matrix::zeros(8, 8)), k: id.clone(), v: id.clone(), o: id, num_heads: 8,
//! };
//! let x = Matrix::from_fn(3, 8, |i, _| i as f32);
//! let (_, heads) = alibi_self_attention(&x, &w);
//! let e = |b: f32| b.exp();
//! let total = e(-1.0) + e(-0.5) + 1.0; // 0.3679 + 0.6065 + 1 = 1.9744
//! assert!((heads[0][(2, 0)] - e(-1.0) / total).abs() < 1e-6); // 0.1863
//! assert!((heads[0][(2, 2)] - 1.0 / total).abs() < 1e-6); // 0.5065
//! assert_eq!(heads[0][(0, 1)], 0.0); // causal
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::Matrix;
use crate::reference::heads::{merge_heads, split_heads};
use crate::reference::mask::aligned_causal_mask;
use crate::reference::mha;
use crate::reference::sdpa::attend;
use crate::trace;

/// The ALiBi slopes of `num_heads` heads, as the authors' code computes them.
///
/// Shape: num_heads numbers. A power of two H gives `2^(−8(h+1)/H)`; any other
/// H gives the c slopes of c heads (c the largest power of two below H), then
/// the first H − c of every other slope of 2c heads. No heads, no slopes.
pub fn alibi_slopes(num_heads: usize) -> Vec<f32> {
    if num_heads == 0 || num_heads.is_power_of_two() {
        return geometric_slopes(num_heads);
    }
    // c = the largest power of two below H.
    let c = 1 << num_heads.ilog2();
    let between = geometric_slopes(2 * c).into_iter().step_by(2); // slopes(2c)[0::2]
    geometric_slopes(c).into_iter().chain(between.take(num_heads - c)).collect()
}

/// `2^(−8(h+1)/n)` for h = 0..n: the slopes of a power-of-two head count,
/// in f64 and rounded once.
fn geometric_slopes(n: usize) -> Vec<f32> {
    (1..=n).map(|h| (-8.0 * h as f64 / n as f64).exp2() as f32).collect()
}

/// Causal multi-head self-attention with ALiBi biases, slopes from [`alibi_slopes`].
///
/// Shapes: x (l × D), weights q, k (D × H·d_k), v (D × H·d_v), o (H·d_v × D_out)
/// -> (output (l × D_out), H weights (l × l), zero above the diagonal).
///
/// # Panics
/// If the shapes do not fit; see [`try_alibi_self_attention`].
#[track_caller]
pub fn alibi_self_attention(x: &Matrix, w: &MultiHeadWeights) -> (Matrix, Vec<Matrix>) {
    or_panic(try_alibi_self_attention(x, w))
}

/// [`alibi_self_attention`] that reports bad shapes as an error.
pub fn try_alibi_self_attention(x: &Matrix, w: &MultiHeadWeights) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    try_alibi_with_slopes(x, w, &alibi_slopes(w.num_heads))
}

/// ALiBi self-attention with slopes of your choosing (one per head), e.g. all
/// zero for plain causal attention.
///
/// Shapes: as [`alibi_self_attention`], slopes (H).
///
/// # Panics
/// If the shapes do not fit; see [`try_alibi_with_slopes`].
#[track_caller]
pub fn alibi_with_slopes(x: &Matrix, w: &MultiHeadWeights, slopes: &[f32]) -> (Matrix, Vec<Matrix>) {
    or_panic(try_alibi_with_slopes(x, w, slopes))
}

/// [`alibi_with_slopes`] that reports bad shapes as an error.
pub fn try_alibi_with_slopes(
    x: &Matrix,
    w: &MultiHeadWeights,
    slopes: &[f32],
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    mha::check_shapes(x, x, x, w, None)?;
    expect_eq("number of slopes (must equal num_heads H)", w.num_heads, slopes.len())?;
    let (l, d_k) = (x.nrows(), w.d_k());
    // 1. Project and split into heads, as in multi-head self-attention.
    let q = split_heads(&w.q.try_forward(x)?, w.num_heads); // H × (l, d_k)
    let k = split_heads(&w.k.try_forward(x)?, w.num_heads); // H × (l, d_k)
    let v = split_heads(&w.v.try_forward(x)?, w.num_heads); // H × (l, d_v)
    // 2. Causal: query i sees keys j ≤ i.
    let mask = aligned_causal_mask(l, l); // (l, l)
    // 3. The distance i − j of every entry; negative entries are masked anyway.
    let distance = Matrix::from_fn(l, l, |i, j| i as f32 - j as f32); // (l, l)
    let (head_outputs, weights): (Vec<Matrix>, Vec<Matrix>) = (0..w.num_heads)
        .map(|h| {
            trace::in_head(h, || {
                // 4. Scaled scores, then head h's penalty −m_h·(i − j), unscaled.
                let scores = &q[h] * k[h].transpose() / (d_k as f32).sqrt(); // (l, d_k)·(d_k, l) -> (l, l)
                let biased = scores - &distance * slopes[h]; // (l, l)
                trace::step("biased_scores", &biased);
                // 5. The shared masked softmax and weighted sum of values.
                attend(&biased, &v[h], Some(&mask)) // (l, d_v), (l, l)
            })
        })
        .unzip();
    // 6. Concatenate and project, as in multi-head attention.
    let concat = merge_heads(&head_outputs); // H × (l, d_v) -> (l, H·d_v)
    let output = w.o.try_forward(&concat)?; // (l, H·d_v)·(H·d_v, D_out) -> (l, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}
