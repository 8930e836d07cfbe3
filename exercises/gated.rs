//! # Exercise: gated self-attention
//!
//! Multi-head self-attention whose concatenated heads are scaled by a learned
//! sigmoid gate before the output projection (AlphaFold 2's gated
//! self-attention):
//!
//! ```text
//! concat = Concat(head_1, ..., head_H)                  heads of SelfAttention(x)
//! gate   = sigmoid(x·W_g + b_g)                         each entry in (0, 1)
//! out    = (gate ⊙ concat)·W_O + b_O                    ⊙: elementwise product
//! ```
//!
//! Shapes: x (l × D), w.attn as in multi-head attention, w.gate (D × H·d_v),
//! mask (l × l) -> (output (l × D_out), H weights matrices (l × l)).
//!
//! Conventions: the multi-head conventions all hold — linear layers compute
//! `x·W + b`, head h reads the contiguous column block `[h·d_k, (h+1)·d_k)`,
//! scores are scaled by 1 / sqrt(d_k), the mask is `true` where a query may
//! attend, and a fully masked row gives zero head outputs. The gate is
//! computed from the input `x` and multiplies the heads *before* W_O.
//!
//! Pitfalls: gating after the output projection; forgetting the sigmoid;
//! computing the gate from the attention output instead of from x.
//!
//! Check your answer:  `attn-quiz check exercises/gated.rs`
//! Stuck?              `attn-quiz hint gated` (one hint at a time)

use attn_quiz::prelude::*;

/// Gated multi-head self-attention of `x`: returns (output, one weights matrix per head).
pub fn gated_self_attention(x: &Matrix, w: &GatedWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    todo!("heads of self-attention, times sigmoid(x·W_g + b_g), then W_O")
}
