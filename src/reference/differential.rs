//! Differential attention: two softmax maps per head, one subtracted from the
//! other, so that the attention both give to irrelevant tokens cancels.
//!
//! **Versus multi-head attention:** each head splits its query and key width
//! into two halves and computes two softmax maps P1, P2 from them, over the
//! same values. The head attends with `P1 − λ·P2`, whose entries may be
//! negative and whose rows sum to 1 − λ; its output is RMS-normalised on its
//! own and scaled by (1 − λ_init) before the heads are concatenated and
//! projected as usual.
//!
//! *Differential Transformer* (Ye, Dong, Xia, Sun, Zhu, Huang and Wei,
//! Microsoft / Tsinghua, 2024; ICLR 2025). With d the width of one half:
//!
//! ```text
//! P_t = softmax(Q_t·K_tᵀ / sqrt(d)),  t = 1, 2        (Q = [Q_1 | Q_2], K = [K_1 | K_2])
//! λ = exp(λ_q1·λ_k1) − exp(λ_q2·λ_k2) + λ_init         λ_init = 0.8 − 0.6·exp(−0.3·depth)
//! head = (1 − λ_init) · RMSNorm((P1 − λ·P2)·V)
//! ```
//!
//! The idea: softmax never gives exactly 0, so a long context of irrelevant
//! tokens collects a real share of every row ("attention noise"). If both maps
//! learn that common background and only P1 learns the signal, the difference
//! keeps the signal, like a differential amplifier or noise-cancelling
//! headphones. λ is learned through four vectors (the exp form keeps its
//! gradients well scaled) and starts near λ_init, which grows with the layer
//! index `depth` (counted from 0). The per-head norm copes with the very
//! different scales the differences take; (1 − λ_init) brings the output back
//! to the scale a plain Transformer's gradients expect. The paper keeps the
//! parameter count of a Transformer by using half as many heads, each with
//! two d-wide query/key halves and a 2d-wide value.
//!
//! Pitfalls:
//! - **Both maps share V**; subtract the weights (or, equivalently, the two
//!   outputs) before normalising, never renormalise the difference.
//! - **Norm per head**, over that head's 2d output columns, not over the
//!   concatenation of all heads.
//! - **Scale by sqrt(d)**, the width of one half, not of the whole head.
//! - A fully masked row gives zero in both maps, and RMSNorm leaves it zero.
//!
//! This reference leaves out the paper's RoPE and its grouped key/value heads.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::causal_mask;
//! use attn_quiz::reference::differential::{DifferentialWeights, differential_attention};
//!
//! // One head, d = 1: q, k, v are 2 wide. W_q = 0 makes both maps uniform.
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let attn = MultiHeadWeights {
//!     q: Linear::without_bias(Matrix::zeros(2, 2)), k: id.clone(), v: id.clone(), o: id, num_heads: 1,
//! };
//! let zero = RowVector::zeros(1);
//! let w = DifferentialWeights {
//!     attn, lambda_q1: zero.clone(), lambda_k1: zero.clone(), lambda_q2: zero.clone(), lambda_k2: zero,
//!     lambda_init: 0.2, norm: RowVector::from_element(2, 1.0),
//! };
//! assert!((w.lambda() - 0.2).abs() < 1e-7); // exp(0) − exp(0) + 0.2
//! let x = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 3.0, 0.0]);
//! let (out, maps) = differential_attention(&x, &w, Some(&causal_mask(2)));
//! // Token 1: 0.5 − 0.2·0.5 = 0.4 on each key; (P1 − λP2)·V = 0.8·[2, 0] = [1.6, 0].
//! assert!((maps[0][(1, 0)] - 0.4).abs() < 1e-6);
//! // RMSNorm removes the scale: [1.6, 0] / sqrt(1.6²/2) = [√2, 0], times 0.8.
//! assert!((out[(1, 0)] - 0.8 * 2f32.sqrt()).abs() < 1e-4 && out[(1, 1)] == 0.0);
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq, or_panic};
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix, RowVector};
use crate::reference::heads::{merge_heads, split_heads};
use crate::reference::mla::rms_norm;
use crate::reference::sdpa::try_scaled_dot_product_attention;
use crate::trace;

/// The ε of the per-head RMSNorm (the paper's code uses 1e-5).
pub const RMS_EPS: f32 = 1e-5;

/// The parameters of one differential attention layer.
///
/// With H heads of half-width d: `attn.q`, `attn.k` (D × H·2d), head h owning
/// columns [2h·d, (2h+2)·d) (first half for P1, second for P2); `attn.v`
/// (D × H·d_v); `attn.o` (H·d_v × D_out); `attn.num_heads` = H. The λ vectors
/// have length d, `norm` length d_v (2d in the paper).
#[derive(Debug, Clone, PartialEq)]
pub struct DifferentialWeights {
    /// The projections; each head's query and key width is two halves.
    pub attn: MultiHeadWeights,
    /// λ_q1, length d.
    pub lambda_q1: RowVector,
    /// λ_k1, length d.
    pub lambda_k1: RowVector,
    /// λ_q2, length d.
    pub lambda_q2: RowVector,
    /// λ_k2, length d.
    pub lambda_k2: RowVector,
    /// λ_init, a constant of the layer (see [`DifferentialWeights::lambda_init_at`]).
    pub lambda_init: f32,
    /// Gain of the per-head RMSNorm, length d_v (shared by the heads).
    pub norm: RowVector,
}

impl DifferentialWeights {
    /// λ = exp(λ_q1·λ_k1) − exp(λ_q2·λ_k2) + λ_init, one number for all heads.
    pub fn lambda(&self) -> f32 {
        self.lambda_q1.dot(&self.lambda_k1).exp() - self.lambda_q2.dot(&self.lambda_k2).exp() + self.lambda_init
    }

    /// The paper's λ_init of the layer at `depth` (0 for the first layer):
    /// 0.8 − 0.6·exp(−0.3·depth), from 0.2 up towards 0.8.
    pub fn lambda_init_at(depth: usize) -> f32 {
        0.8 - 0.6 * (-0.3 * depth as f32).exp()
    }
}

/// Differential self-attention of one sequence.
///
/// Shapes: x (l × D), weights as in [`DifferentialWeights`], mask (l × l)
/// -> (output (l × D_out), H differential maps `P1 − λ·P2` (l × l)).
///
/// # Panics
/// If the shapes do not fit; see [`try_differential_attention`].
#[track_caller]
pub fn differential_attention(x: &Matrix, w: &DifferentialWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    or_panic(try_differential_attention(x, w, mask))
}

/// [`differential_attention`] that reports bad shapes as an error.
pub fn try_differential_attention(
    x: &Matrix,
    w: &DifferentialWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    check_shapes(x, w)?;
    let (a, h) = (&w.attn, w.attn.num_heads);
    let lambda = w.lambda();
    // 1. Project; queries and keys split into 2H halves, values into H heads.
    let q = split_heads(&a.q.try_forward(x)?, 2 * h); // (l, D)·(D, H·2d) -> 2H × (l, d)
    let k = split_heads(&a.k.try_forward(x)?, 2 * h); // (l, D)·(D, H·2d) -> 2H × (l, d)
    let v = split_heads(&a.v.try_forward(x)?, h); // (l, D)·(D, H·d_v) -> H × (l, d_v)
    let mut head_outputs = Vec::with_capacity(h);
    let mut maps = Vec::with_capacity(h);
    for (i, v) in v.iter().enumerate() {
        trace::in_head(i, || -> Result<(), ShapeError> {
            // 2. Two ordinary softmax maps over the same values, scale 1/sqrt(d).
            let (first, second) = (2 * i, 2 * i + 1);
            let (out1, p1) = try_scaled_dot_product_attention(&q[first], &k[first], v, mask)?; // (l, d_v), (l, l)
            let (out2, p2) = try_scaled_dot_product_attention(&q[second], &k[second], v, mask)?; // (l, d_v), (l, l)
            // 3. Subtract: (P1 − λ·P2)·V = P1·V − λ·P2·V.
            maps.push(p1 - p2 * lambda); // (l, l)
            let difference = out1 - out2 * lambda; // (l, d_v)
            trace::step("difference", &difference);
            // 4. Normalise this head alone, then scale by (1 − λ_init).
            head_outputs.push(rms_norm(&difference, &w.norm, RMS_EPS) * (1.0 - w.lambda_init)); // (l, d_v)
            Ok(())
        })?;
    }
    // 5. Concatenate and project, as in multi-head attention.
    let concat = merge_heads(&head_outputs); // H × (l, d_v) -> (l, H·d_v)
    let output = a.o.try_forward(&concat)?; // (l, H·d_v)·(H·d_v, D_out) -> (l, D_out)
    trace::step("output", &output);
    Ok((output, maps))
}

/// Checks the projections, λ vectors and norm against each other and x.
fn check_shapes(x: &Matrix, w: &DifferentialWeights) -> Result<(), ShapeError> {
    let (a, h) = (&w.attn, w.attn.num_heads);
    expect_divisible("v projection width", a.v.out_features(), h)?;
    expect_divisible("q projection width (two halves per head)", a.q.out_features(), 2 * h)?;
    expect_eq("k projection width (must equal the q projection width)", a.q.out_features(), a.k.out_features())?;
    expect_eq("o projection input (must equal the v projection width)", a.v.out_features(), a.o.in_features())?;
    let d = a.q.out_features() / (2 * h);
    let lambdas = [&w.lambda_q1, &w.lambda_k1, &w.lambda_q2, &w.lambda_k2];
    lambdas.iter().try_for_each(|l| expect_eq("length of a lambda vector (must be the half-width d)", d, l.len()))?;
    expect_eq("length of norm (must be the per-head value width)", a.v.out_features() / h, w.norm.len())?;
    expect_eq("input width (columns of x)", a.q.in_features(), x.ncols())?;
    expect_eq("input width of the k projection", a.k.in_features(), x.ncols())?;
    expect_eq("input width of the v projection", a.v.in_features(), x.ncols())
}
