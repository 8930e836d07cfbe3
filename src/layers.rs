//! The learned parameters: a linear layer and the weight bundles of each variant.
//!
//! These structs have exactly the public fields the SPEC fixes, so learners can
//! build them with struct literals. Shapes follow `y = x·W + b` with `W` stored
//! (in × out), i.e. PyTorch's `nn.Linear` weight transposed.

use crate::error::{ShapeError, expect_eq};
use crate::prelude::{Matrix, RowVector};

/// A linear (affine) layer: `y = x·W + b`.
///
/// - `weight`: (in × out)
/// - `bias`: (1 × out), added to every row
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// W, shape (in × out).
    pub weight: Matrix,
    /// b, length out.
    pub bias: RowVector,
}

impl Linear {
    /// Builds a layer from its weight (in × out) and bias (length out).
    pub fn new(weight: Matrix, bias: RowVector) -> Self {
        Linear { weight, bias }
    }

    /// A layer with the given weight and a zero bias.
    pub fn without_bias(weight: Matrix) -> Self {
        let out = weight.ncols();
        Linear { weight, bias: RowVector::zeros(out) }
    }

    /// Input width: rows of `weight`.
    pub fn in_features(&self) -> usize {
        self.weight.nrows()
    }

    /// Output width: columns of `weight`.
    pub fn out_features(&self) -> usize {
        self.weight.ncols()
    }

    /// Number of learned numbers: in·out + out.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }

    /// Applies the layer to every row of `x`.
    ///
    /// Shapes: x (l × in) -> (l × out).
    ///
    /// # Panics
    /// If `x` has not `in` columns or the bias has not `out` entries.
    ///
    /// ```
    /// use attn_quiz::prelude::*;
    /// let layer = Linear::new(Matrix::from_row_slice(2, 1, &[2.0, 3.0]), RowVector::from_row_slice(&[1.0]));
    /// let y = layer.forward(&Matrix::from_row_slice(1, 2, &[1.0, 1.0]));
    /// assert_eq!(y[(0, 0)], 2.0 + 3.0 + 1.0);
    /// ```
    #[track_caller]
    pub fn forward(&self, x: &Matrix) -> Matrix {
        crate::error::or_panic(self.try_forward(x))
    }

    /// [`Linear::forward`] that reports a bad shape instead of panicking.
    pub fn try_forward(&self, x: &Matrix) -> Result<Matrix, ShapeError> {
        expect_eq("input width (columns of x) of a linear layer", self.in_features(), x.ncols())?;
        expect_eq("bias length of a linear layer", self.out_features(), self.bias.len())?;
        // (l, in)·(in, out) -> (l, out), then the bias row is added to every row.
        let mut y = x * &self.weight;
        for mut row in y.row_iter_mut() {
            row += &self.bias;
        }
        Ok(y)
    }
}

/// The four projections of multi-head attention (also used by self- and
/// cross-attention).
///
/// - `q`, `k`: (D_in × H·d_k) — queries and keys must share d_k.
/// - `v`: (D_in × H·d_v)
/// - `o`: (H·d_v × D_out)
#[derive(Debug, Clone, PartialEq)]
pub struct MultiHeadWeights {
    /// Query projection.
    pub q: Linear,
    /// Key projection.
    pub k: Linear,
    /// Value projection.
    pub v: Linear,
    /// Output projection, applied to the concatenated heads.
    pub o: Linear,
    /// Number of heads H.
    pub num_heads: usize,
}

impl MultiHeadWeights {
    /// Per-head query/key width d_k = (q projection width) / H.
    pub fn d_k(&self) -> usize {
        self.q.out_features() / self.num_heads.max(1)
    }

    /// Number of learned numbers in the four projections.
    pub fn parameter_count(&self) -> usize {
        total_parameters(&[&self.q, &self.k, &self.v, &self.o])
    }
}

/// Learned numbers in a set of linear layers.
fn total_parameters(layers: &[&Linear]) -> usize {
    layers.iter().map(|l| l.parameter_count()).sum()
}

/// Gated self-attention: multi-head weights plus a gate projection
/// (D × H·d_v) whose sigmoid scales the concatenated heads.
#[derive(Debug, Clone, PartialEq)]
pub struct GatedWeights {
    /// The attention itself.
    pub attn: MultiHeadWeights,
    /// Gate projection, (D × H·d_v).
    pub gate: Linear,
}

impl GatedWeights {
    /// Number of learned numbers, gate included.
    pub fn parameter_count(&self) -> usize {
        self.attn.parameter_count() + self.gate.parameter_count()
    }
}

/// Grouped-query attention: H query heads share G key/value heads.
///
/// - `q`: (D × H·d_k), `k`: (D × G·d_k), `v`: (D × G·d_v), `o`: (H·d_v × D)
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedQueryWeights {
    /// Query projection, H heads wide.
    pub q: Linear,
    /// Key projection, G heads wide.
    pub k: Linear,
    /// Value projection, G heads wide.
    pub v: Linear,
    /// Output projection.
    pub o: Linear,
    /// Query heads H.
    pub num_heads: usize,
    /// Key/value heads G (1 = multi-query, H = multi-head).
    pub num_kv_heads: usize,
}

impl GroupedQueryWeights {
    /// Per-head query/key width d_k = (q projection width) / H.
    pub fn d_k(&self) -> usize {
        self.q.out_features() / self.num_heads.max(1)
    }

    /// Number of learned numbers in the four projections.
    pub fn parameter_count(&self) -> usize {
        total_parameters(&[&self.q, &self.k, &self.v, &self.o])
    }

    /// The same weights seen as multi-head attention; `None` unless G = H.
    pub fn as_multi_head(&self) -> Option<MultiHeadWeights> {
        (self.num_kv_heads == self.num_heads).then(|| MultiHeadWeights {
            q: self.q.clone(),
            k: self.k.clone(),
            v: self.v.clone(),
            o: self.o.clone(),
            num_heads: self.num_heads,
        })
    }
}

/// Additive (Bahdanau) attention: `score_ij = v_a · tanh(q_i·W_q + k_j·W_k)`.
///
/// - `w_q`: (d_q × d_a), `w_k`: (d_k × d_a), `v_a`: length d_a
#[derive(Debug, Clone, PartialEq)]
pub struct AdditiveWeights {
    /// Query projection into the d_a-wide "alignment" space.
    pub w_q: Matrix,
    /// Key projection into the same space.
    pub w_k: Matrix,
    /// The vector that turns a d_a-wide tanh into one score.
    pub v_a: RowVector,
}

impl AdditiveWeights {
    /// Number of learned numbers.
    pub fn parameter_count(&self) -> usize {
        self.w_q.len() + self.w_k.len() + self.v_a.len()
    }
}

/// Which columns of a head RoPE rotates together (the SPEC's two pairings).
///
/// Both rotate pair i by `pos·θ_i`, `θ_i = base^(−2i/head_dim)`; they differ
/// only in which two columns of a head block form pair i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// Pair i is columns (2i, 2i+1) of the head (GPT-J, Meta's Llama code).
    Interleaved,
    /// Pair i is columns (i, i + head_dim/2) (GPT-NeoX, Hugging Face `rotate_half`).
    HalfSplit,
}

/// Rotary position embedding settings: the frequency base and the pairing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rope {
    /// θ base, 10 000 in the RoFormer paper and Llama 2 (500 000 in Llama 3).
    pub base: f32,
    /// Which columns form a rotated pair.
    pub style: RopeStyle,
}

/// The key/value cache of one layer: every key and value seen so far, one row
/// per position, kv heads side by side (never repeated to H heads).
///
/// - `keys`: (positions × G·d_k), after RoPE
/// - `values`: (positions × G·d_v)
///
/// An empty cache is `Matrix::zeros(0, G·d_k)` for both.
#[derive(Debug, Clone, PartialEq)]
pub struct KvCache {
    /// Cached keys, (positions × G·d_k).
    pub keys: Matrix,
    /// Cached values, (positions × G·d_v).
    pub values: Matrix,
}

/// Multi-head latent attention (DeepSeek-V2/V3, no query compression).
///
/// With H heads, d_n content and d_r rotary query/key widths, latent width d_c
/// and value width d_v per head:
/// - `q`: (D × H·(d_n + d_r)); `kv_down`: (D × (d_c + d_r)); `kv_norm`: length d_c
/// - `k_up`: (d_c × H·d_n); `v_up`: (d_c × H·d_v); `o`: (H·d_v × D_out)
#[derive(Debug, Clone, PartialEq)]
pub struct MlaWeights {
    /// Query projection: each head's content part, then its rotary part.
    pub q: Linear,
    /// Down-projection to the latent and the shared rotary key.
    pub kv_down: Linear,
    /// RMSNorm gain of the latent, length d_c.
    pub kv_norm: RowVector,
    /// Latent to per-head content keys, (d_c × H·d_n).
    pub k_up: Matrix,
    /// Latent to per-head values, (d_c × H·d_v).
    pub v_up: Matrix,
    /// Output projection.
    pub o: Linear,
    /// Number of heads H.
    pub num_heads: usize,
    /// Rotary width d_r of each query head and of the shared key.
    pub rope_dim: usize,
}

/// What multi-head latent attention caches per position: the latent and the
/// shared rotary key, nothing else.
///
/// - `latent`: (positions × d_c); `rope_keys`: (positions × d_r)
#[derive(Debug, Clone, PartialEq)]
pub struct MlaCache {
    /// Normalised latents c, (positions × d_c).
    pub latent: Matrix,
    /// Rotary keys after RoPE, (positions × d_r).
    pub rope_keys: Matrix,
}
