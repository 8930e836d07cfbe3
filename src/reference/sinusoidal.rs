//! Sinusoidal position encodings: the original Transformer's way of telling
//! attention where each token is.
//!
//! **Versus multi-head attention:** attention itself does not change at all.
//! Self-attention without positions is permutation-equivariant (shuffle the
//! tokens and the outputs shuffle with them), so word order is invisible to
//! it. The fix here happens before the first layer: a fixed (L × D) matrix PE
//! is *added* to the token embeddings, `x + PE`, and every layer sees the sum.
//! Nothing is learned; RoPE ([`rope`](super::rope)) and ALiBi
//! ([`alibi`](super::alibi)) later moved position into the scores instead.
//!
//! *Attention Is All You Need* (Vaswani et al., 2017), section 3.5. Column
//! pair i of row p holds one sine and one cosine of the same angle:
//!
//! ```text
//! ω_i = 10000^(−2i/D),   0 ≤ i < D/2
//! PE[p, 2i] = sin(p·ω_i),   PE[p, 2i+1] = cos(p·ω_i)
//! ```
//!
//! The ω_i are exactly RoPE's frequencies θ_i with base 10 000 and head_dim D,
//! so this file takes them from [`rope::frequencies`]: pair 0 turns by 1 radian
//! per position, the last pair by about 1/10 000, wavelengths from 2π to
//! 10 000·2π.
//!
//! **Why sine *and* cosine: a fixed offset is a rotation.** The addition
//! formulas give, for every pair i and every offset k,
//!
//! ```text
//! [sin((p+k)ω)]   [ cos kω   sin kω] [sin pω]
//! [cos((p+k)ω)] = [−sin kω   cos kω] [cos pω]
//! ```
//!
//! The matrix depends on k only, not on p: "k tokens further on" is the same
//! linear map at every position, which the paper hoped would let the model
//! attend by relative position. Each pair is a point on the unit circle, so
//! every row has norm sqrt(D/2) whatever p is. The same identity gives
//! `PE(p)·PE(p+k) = Σ_i cos(k·ω_i)`: the similarity of two encodings depends
//! on their distance only. But attention scores `(x + PE)·W_Q·W_Kᵀ·(x + PE)ᵀ`
//! mix content and position, and nothing keeps the learned weights from
//! spoiling that property; RoPE makes the rotation act on q and k directly, so
//! the score sees the offset by construction.
//!
//! The alternative of its time is a *learned* table of positions (BERT,
//! GPT-2): as good within the trained length, and undefined past it. The fixed
//! table has a row for every p, though models still degrade beyond the lengths
//! they were trained on ([`alibi`](super::alibi) is about exactly that).
//!
//! Pitfalls:
//! - **Interleaved, not halves**: the paper (and this SPEC) puts sin in even
//!   and cos in odd columns. tensor2tensor and many tutorials write
//!   `[sin | cos]` halves instead: the same numbers in another column order,
//!   which a checkpoint trained with one layout does not forgive.
//! - **The exponent is 2i/D with i the pair index**, not the column index:
//!   `10000^(c/D)` with c the column gives the odd columns their own
//!   frequencies, and the pairs are no longer rotations.
//! - **Position 0 is not zero**: its row is [0, 1, 0, 1, ...].
//! - Large angles: `p·ω_0 = p` radians; an f32 angle loses digits as p grows,
//!   so it is computed in f64 here.
//!
//! ```
//! use attn_quiz::reference::sinusoidal_positions;
//!
//! // D = 4: ω_0 = 1, ω_1 = 10000^(−2/4) = 1/100.
//! let pe = sinusoidal_positions(2, 4);
//! assert_eq!(pe.row(0).iter().copied().collect::<Vec<f32>>(), [0.0, 1.0, 0.0, 1.0]);
//! // Row 1: sin 1 = 0.8415, cos 1 = 0.5403, sin 0.01 = 0.0100, cos 0.01 = 0.99995.
//! let expected = [1f32.sin(), 1f32.cos(), 0.01f32.sin(), 0.01f32.cos()];
//! assert!(pe.row(1).iter().zip(expected).all(|(a, e)| (a - e).abs() < 1e-6));
//! // Every pair lies on the unit circle.
//! assert!((pe[(1, 0)].powi(2) + pe[(1, 1)].powi(2) - 1.0).abs() < 1e-6);
//! ```

use crate::error::{ShapeError, expect_eq, or_panic};
use crate::prelude::Matrix;
use crate::reference::rope::frequencies;
use crate::trace;

/// The base of the frequencies, as in the paper.
pub const BASE: f32 = 10_000.0;

/// The sinusoidal position encodings of positions 0..len.
///
/// Shapes: len, d_model (even) -> (len × d_model); column 2i is `sin(p·ω_i)`,
/// column 2i+1 is `cos(p·ω_i)`, `ω_i = 10000^(−2i/d_model)`.
///
/// # Panics
/// If d_model is odd; see [`try_sinusoidal_positions`].
#[track_caller]
pub fn sinusoidal_positions(len: usize, d_model: usize) -> Matrix {
    or_panic(try_sinusoidal_positions(len, d_model))
}

/// [`sinusoidal_positions`] that reports an odd d_model as an error.
pub fn try_sinusoidal_positions(len: usize, d_model: usize) -> Result<Matrix, ShapeError> {
    expect_eq("d_model mod 2 (sin/cos pairs need an even width)", 0, d_model % 2)?;
    // 1. One frequency per column pair, ω_i = 10000^(−2i/D), the same as RoPE's θ_i.
    let omega = frequencies(d_model, BASE); // (D/2)
    // 2. The angle p·ω_i of every (position, pair), in f64.
    let angle = |p: usize, c: usize| p as f64 * omega[c / 2];
    // 3. Even columns take the sine, odd columns the cosine of their pair's angle.
    let pe = Matrix::from_fn(len, d_model, |p, c| {
        let a = angle(p, c);
        (if c % 2 == 0 { a.sin() } else { a.cos() }) as f32
    }); // (len, D)
    trace::step("positions", &pe);
    Ok(pe)
}
