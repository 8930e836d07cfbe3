//! Linear attention: replace exp(q·k) by φ(q)·φ(k) and attention becomes a
//! running sum, O(L) instead of O(L²).
//!
//! **Versus scaled dot-product attention:** the softmax goes. A query's weight
//! on key j is `φ(q_i)·φ(k_j)ᵀ` divided by the row's total, with φ a feature
//! map whose values are positive, so the weights are still positive and sum to
//! (almost) 1. There is no 1/sqrt(d_k), no max-subtraction and no (l_q × l_k)
//! matrix: the products are regrouped so that the keys are summed first.
//!
//! *Transformers are RNNs: Fast Autoregressive Transformers with Linear
//! Attention* (Katharopoulos, Vyas, Pappas and Fleuret, ICML 2020), with
//! φ(x) = elu(x) + 1 elementwise and ε = 1e-6:
//!
//! ```text
//! out_i = Σ_j (φ(q_i)·φ(k_j)ᵀ) v_j / (Σ_j φ(q_i)·φ(k_j)ᵀ + ε)
//!       = φ(q_i)·S_i / (φ(q_i)·z_i + ε),   S_i = Σ_j φ(k_j)ᵀ·v_j (d_k × d_v),   z_i = Σ_j φ(k_j)ᵀ (d_k)
//! ```
//!
//! with j over all keys, or over j ≤ a_i = i + l_k − l_q when causal. The first
//! line costs l_q·l_k·(d_k + d_v); the second builds S and z once, in
//! l_k·d_k·d_v, and each query then reads them in d_k·d_v.
//!
//! **It is a recurrence.** Causally, `S_i = S_(i−1) + φ(k_i)ᵀ·v_i` and
//! `z_i = z_(i−1) + φ(k_i)ᵀ`: an RNN whose state (S, z) has a fixed size of
//! d_k·(d_v + 1) numbers however long the text. Decoding needs no growing KV
//! cache, one O(d_k·d_v) update per token. The price: a fixed-size state
//! cannot recall arbitrary old tokens the way a softmax over a full cache can.
//! Recent recurrent layers (RetNet, Mamba-2, Gated DeltaNet, used in hybrids
//! such as Qwen3-Next) keep this form and add a decay or gate to S.
//!
//! **The other way to sub-quadratic: sparse attention.** Instead of changing
//! the score, keep softmax and let each query look at only some keys. Fixed
//! patterns came first: block-sparse and strided (Sparse Transformer, Child et
//! al. 2019), a sliding window plus a few global tokens that see and are seen
//! by everything (Longformer 2020, BigBird 2020, which adds random blocks; see
//! [`sliding_window`](super::sliding_window) for the window). The 2025 designs
//! choose per query: DeepSeek's NSA (Native Sparse Attention) combines
//! compressed summaries of key blocks, the top-scoring blocks attended in full
//! and a sliding window, mixed by learned gates; DeepSeek-V3.2's DSA scores
//! every past token with a small "lightning indexer" and runs MLA over only the
//! top-k tokens (2048) of each query. Both keep exact softmax on what they
//! select, so the output is an approximation only in what is left out.
//!
//! Pitfalls:
//! - **φ must be positive**: with φ = identity the denominator can be 0 or
//!   negative. elu + 1 is > 0 everywhere.
//! - **Compute φ(x ≤ 0) as exp(x)**: `(exp(x) − 1) + 1` loses digits as x
//!   falls and is exactly 0 below about −17 in f32; a row of such keys then
//!   divides 0 by ε.
//! - **ε goes outside the product**, once per row; no 1/sqrt(d_k) either.
//! - **Causal needs the prefix sums**: masking a full S would let every query
//!   see every key.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::linear_attention;
//!
//! // d_k = 1. φ(0) = 1, φ(1) = 2, φ(−ln 2) = exp(−ln 2) = 1/2.
//! let q = Matrix::from_column_slice(2, 1, &[0.0, 1.0]);
//! let k = Matrix::from_column_slice(2, 1, &[1.0, -(2f32.ln())]);
//! let v = Matrix::from_column_slice(2, 1, &[3.0, 6.0]);
//! // Every query weighs the keys φ(k) = 2 and 1/2, i.e. 4/5 and 1/5 (φ(q) cancels):
//! // 0.8·3 + 0.2·6 = 3.6 (up to ε).
//! let out = linear_attention(&q, &k, &v, false);
//! assert!((out[(0, 0)] - 3.6).abs() < 1e-5 && (out[(1, 0)] - 3.6).abs() < 1e-5);
//! // Causal: query 0 sees key 0 only, so it copies v_0 = 3.
//! let causal = linear_attention(&q, &k, &v, true);
//! assert!((causal[(0, 0)] - 3.0).abs() < 1e-5 && (causal[(1, 0)] - 3.6).abs() < 1e-5);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::{DVector, Matrix, RowVector};
use crate::reference::mask::check_aligned;
use crate::trace;

/// The ε added to every denominator.
pub const EPS: f32 = 1e-6;

/// Linear attention of one head, φ = elu + 1, over all keys or causally.
///
/// Shapes: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v) -> (l_q × d_v);
/// causal needs l_q ≤ l_k (query i sits at i + l_k − l_q). Time
/// O((l_q + l_k)·d_k·d_v), memory O(d_k·d_v) besides the output.
///
/// # Panics
/// If the shapes do not fit; see [`try_linear_attention`].
#[track_caller]
pub fn linear_attention(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool) -> Matrix {
    or_panic(try_linear_attention(q, k, v, causal))
}

/// [`linear_attention`] that reports bad shapes as an error.
pub fn try_linear_attention(q: &Matrix, k: &Matrix, v: &Matrix, causal: bool) -> Result<Matrix, ShapeError> {
    expect_eq("key width (columns of k, must equal columns of q)", q.ncols(), k.ncols())?;
    expect_eq("value length (rows of v, must equal rows of k)", k.nrows(), v.nrows())?;
    let (l_q, l_k, d_k, d_v) = (q.nrows(), k.nrows(), q.ncols(), v.ncols());
    if causal {
        check_aligned(l_q, l_k)?;
    }
    // How many keys query i sees: the first i + 1 + l_k − l_q, or all of them.
    let visible = |i: usize| if causal { i + 1 + l_k - l_q } else { l_k };
    // 1. The state: S = Σ φ(k_j)ᵀ·v_j and z = Σ φ(k_j)ᵀ over the keys added so far.
    let mut s = Matrix::zeros(d_k, d_v); // (d_k, d_v)
    let mut z = DVector::zeros(d_k); // (d_k, 1)
    let mut added = 0;
    let mut output = Matrix::zeros(l_q, d_v); // (l_q, d_v)
    for i in 0..l_q {
        // 2. Bring the state up to query i's last visible key (the recurrence).
        while added < visible(i) {
            let phi_k = feature_map(&k.row(added).into_owned()).transpose(); // (d_k, 1)
            s += &phi_k * v.row(added); // (d_k, 1)·(1, d_v) -> (d_k, d_v)
            z += phi_k; // (d_k, 1)
            added += 1;
        }
        // 3. Read it: φ(q_i)·S / (φ(q_i)·z + ε).
        let phi_q = feature_map(&q.row(i).into_owned()); // (1, d_k)
        let numerator = &phi_q * &s; // (1, d_k)·(d_k, d_v) -> (1, d_v)
        let denominator = (&phi_q * &z)[(0, 0)] + EPS; // (1, d_k)·(d_k, 1) -> (1, 1)
        output.set_row(i, &(numerator / denominator)); // (1, d_v)
    }
    trace::step("state", &s);
    trace::step("output", &output);
    Ok(output)
}

/// φ(x) = elu(x) + 1 elementwise: x + 1 for x > 0, exp(x) for x ≤ 0.
///
/// Shapes: (1 × d) -> (1 × d), every entry > 0 (or 0 for x below about −87).
pub fn feature_map(x: &RowVector) -> RowVector {
    x.map(|x| if x > 0.0 { x + 1.0 } else { x.exp() })
}
