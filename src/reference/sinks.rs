//! Attention with a learned sink logit (gpt-oss): a softmax that may attend to
//! nothing.
//!
//! **Versus scaled dot-product attention:** one extra logit per head joins
//! every row's softmax. It has no key (the same number in every row) and no
//! value, so the weight it takes is simply missing from the output: the key
//! weights of a row sum to *at most* 1. Everything else is [`sdpa`](super::sdpa).
//!
//! The idea: softmax forces each query to hand out a total weight of 1, even
//! when no key is relevant. Trained models then dump that weight somewhere
//! harmless, usually on the first tokens (the "attention sinks" StreamingLLM
//! found, see [`sliding_window`](super::sliding_window)), which breaks as soon
//! as those tokens leave a window. gpt-oss (OpenAI, 2025) gives each head a
//! learned scalar `sink` instead; Miller's "Attention Is Off By One" (2023)
//! proposed the same with the sink fixed at 0. With s_ij = q_i·k_jᵀ / sqrt(d_k):
//!
//! ```text
//! w_ij = exp(s_ij) / (exp(sink) + Σ_{allowed j'} exp(s_ij'))       out_i = Σ_j w_ij·v_j
//! ```
//!
//! How much the sink takes: with lse_i = ln Σ_{allowed j} exp(s_ij), the keys
//! keep `1 / (1 + exp(sink − lse_i))` of row i. A sink far below the scores
//! takes nothing (plain softmax), far above them it takes everything, and a
//! sink equal to lse_i takes half.
//!
//! This file computes it the way gpt-oss does: append the sink as one more
//! column of scores, take the ordinary masked softmax (its max-subtraction now
//! covers the sink too, so a sink or scores of 1e3 cannot overflow), then drop
//! the column. Giving the extra column a zero value row lets the shared
//! [`attend`](super::sdpa) step compute the output unchanged.
//!
//! Pitfalls:
//! - **The sink is not scaled** by 1/sqrt(d_k), and **never masked**: it is
//!   a constant of the head, not a key.
//! - **Do not renormalise** the key weights after dropping the sink column:
//!   that throws the sink away and gives plain softmax back.
//! - **Include the sink in the max**: `exp(sink)` added after a max taken over
//!   the keys alone overflows for sink = 1e3.
//! - A fully masked row leaves only the sink: weight 1 on it, so all key
//!   weights and the output row are exactly 0, with no special case.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::attention_with_sink;
//!
//! // A zero query scores 0 against each of 3 keys; a sink of ln 2 adds
//! // exp(ln 2) = 2 to the denominator: each key gets 1 / (2 + 3) = 0.2.
//! let q = Matrix::zeros(1, 2);
//! let k = Matrix::from_row_slice(3, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
//! let v = Matrix::from_column_slice(3, 1, &[1.0, 2.0, 6.0]);
//! let (out, w) = attention_with_sink(&q, &k, &v, 2f32.ln(), None);
//! assert!(w.iter().all(|&x| (x - 0.2).abs() < 1e-6)); // the sink took the other 0.4
//! assert!((out[(0, 0)] - 0.2 * (1.0 + 2.0 + 6.0)).abs() < 1e-6); // 1.8, not the mean 3
//! // With every key masked only the sink is left: zeros, not NaN.
//! let none = Mask::from_element(1, 3, false);
//! let (out, w) = attention_with_sink(&q, &k, &v, 2f32.ln(), Some(&none));
//! assert_eq!((out[(0, 0)], w.sum()), (0.0, 0.0));
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{Mask, Matrix};
use crate::reference::sdpa::{attend, check_keys_values};
use crate::trace;

/// One head of attention with a sink logit.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), sink a number,
/// mask (l_q × l_k) -> (output (l_q × d_v), weights (l_q × l_k)).
/// Each weights row sums to at most 1; a fully masked row is all zero.
///
/// # Panics
/// If the shapes do not fit; see [`try_attention_with_sink`].
#[track_caller]
pub fn attention_with_sink(q: &Matrix, k: &Matrix, v: &Matrix, sink: f32, mask: Option<&Mask>) -> (Matrix, Matrix) {
    or_panic(try_attention_with_sink(q, k, v, sink, mask))
}

/// [`attention_with_sink`] that reports bad shapes as an error.
pub fn try_attention_with_sink(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    sink: f32,
    mask: Option<&Mask>,
) -> Result<(Matrix, Matrix), ShapeError> {
    expect_eq("key width (columns of k, must equal columns of q)", q.ncols(), k.ncols())?;
    check_keys_values(k, v, mask, q.nrows())?;
    let (l_k, d_k) = (k.nrows(), q.ncols());
    // 1–2. Scaled scores, exactly as in SDPA.
    let scores = q * k.transpose() / (d_k as f32).sqrt(); // (l_q, d_k)·(d_k, l_k) -> (l_q, l_k)
    trace::step("scores", &scores);
    // 3. The sink becomes one more key column: the same unscaled logit in every row.
    let with_sink = scores.insert_column(l_k, sink); // (l_q, l_k) -> (l_q, l_k + 1)
    trace::step("scores_with_sink", &with_sink);
    // 4. The sink column is always allowed, whatever the mask says.
    let mask = mask.map(|m| m.clone().insert_column(l_k, true)); // (l_q, l_k) -> (l_q, l_k + 1)
    // 5. It has no value: a zero row, so its weight adds nothing to the output.
    let v = v.clone().insert_row(l_k, 0.0); // (l_k, d_v) -> (l_k + 1, d_v)
    // 6. The shared masked softmax and weighted sum, the sink included in the max.
    let (output, weights) = attend(&with_sink, &v, mask.as_ref()); // (l_q, d_v), (l_q, l_k + 1)
    // 7. Drop the sink's column, without renormalising: rows now sum to 1 − w_sink.
    let weights = weights.remove_column(l_k); // (l_q, l_k + 1) -> (l_q, l_k)
    Ok((output, weights))
}
