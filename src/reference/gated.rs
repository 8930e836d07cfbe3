//! Gated self-attention: let each position switch parts of its attention off.
//!
//! **Versus multi-head attention:** one extra projection, the gate. Its sigmoid
//! scales the concatenated head outputs elementwise, *before* the output
//! projection:
//!
//! ```text
//! g   = sigmoid(x·W_g + b_g)                  (l × H·d_v), each entry in (0, 1)
//! out = (g ⊙ Concat(head_1, ..., head_H)) · W_O + b_O
//! ```
//!
//! This is the gated self-attention of AlphaFold 2 (Jumper et al., 2021,
//! supplementary Algorithm 7), and the head-output gate of "Gated Attention for
//! Large Language Models" (Qiu et al., 2025) sits at the same place. A gate near
//! 0 lets a position ignore a head whose softmax was forced to put its weight
//! somewhere ("attention sink"); a gate near 1 everywhere gives back plain
//! multi-head attention.
//!
//! Pitfalls: the gate is a **sigmoid** (not the raw linear output, not a
//! softmax), it is computed from the **input x**, and it multiplies the heads
//! **before** W_O — gating after the output projection is a different model.
//!
//! ```
//! use attn_quiz::prelude::*;
//! use attn_quiz::reference::{gated_self_attention, self_attention};
//!
//! let id = Linear::without_bias(Matrix::identity(2, 2));
//! let attn = MultiHeadWeights { q: id.clone(), k: id.clone(), v: id.clone(), o: id, num_heads: 1 };
//! // A gate with zero weight and bias 0 is sigmoid(0) = 1/2 everywhere: half the heads.
//! let gate = Linear::without_bias(Matrix::zeros(2, 2));
//! let x = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
//! let (gated, _) = gated_self_attention(&x, &GatedWeights { attn: attn.clone(), gate }, None);
//! let (plain, _) = self_attention(&x, &attn, None);
//! assert!((gated - plain * 0.5).abs().max() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::layers::GatedWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::mha::concat_heads;
use crate::trace;

/// Gated multi-head self-attention of the sequence `x`.
///
/// Shapes: x (l × D), attn weights as multi-head attention, gate (D × H·d_v),
/// mask (l × l) -> (output (l × D_out), H weights (l × l)).
///
/// # Panics
/// If the shapes do not fit; see [`try_gated_self_attention`].
#[track_caller]
pub fn gated_self_attention(x: &Matrix, w: &GatedWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    or_panic(try_gated_self_attention(x, w, mask))
}

/// [`gated_self_attention`] that reports bad shapes as an error.
pub fn try_gated_self_attention(
    x: &Matrix,
    w: &GatedWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    expect_eq("gate width (must equal the v projection width)", w.attn.v.out_features(), w.gate.out_features())?;
    // 1–4. Ordinary multi-head self-attention, stopped before the output projection.
    let (concat, weights) = concat_heads(x, x, x, &w.attn, mask)?; // (l, H·d_v)
    // 5. The gate: a number in (0, 1) per position and per feature of the heads.
    let gate = w.gate.try_forward(x)?.map(sigmoid); // (l, D)·(D, H·d_v) -> (l, H·d_v)
    trace::step("gate", &gate);
    // 6. Scale the heads elementwise, then project as usual.
    let gated = gate.component_mul(&concat); // (l, H·d_v) ⊙ (l, H·d_v) -> (l, H·d_v)
    let output = w.attn.o.try_forward(&gated)?; // (l, H·d_v)·(H·d_v, D_out) -> (l, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// The logistic function 1 / (1 + e^-z), written to stay finite for any z.
fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp(); // z < 0: e in (0, 1), no overflow
        e / (1.0 + e)
    }
}
