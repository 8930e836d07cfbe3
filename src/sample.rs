//! Seeded random inputs and weights of any shape, for demos, benchmarks,
//! generated quiz questions and tests.
//!
//! Values are uniform in [-1, 1); weights are scaled by 1/sqrt(in) as a real
//! initialisation would be, so attention scores stay in a sensible range.
//!
//! ```
//! use attn_quiz::sample::Sampler;
//! let mut s = Sampler::new(7);
//! let w = s.multi_head_weights(16, 4);
//! assert_eq!((w.q.weight.nrows(), w.q.weight.ncols()), (16, 16));
//! assert_eq!(w.d_k(), 4);
//! ```

use crate::layers::{AdditiveWeights, GatedWeights, GroupedQueryWeights, Linear, MlaWeights, MultiHeadWeights};
use crate::prelude::{Mask, Matrix, RowVector};
use crate::reference::differential::DifferentialWeights;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded source of random matrices and weight bundles.
#[derive(Debug, Clone)]
pub struct Sampler {
    rng: StdRng,
}

impl Sampler {
    /// A sampler whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Sampler { rng: StdRng::seed_from_u64(seed) }
    }

    /// A (rows × cols) matrix, entries uniform in [-1, 1).
    pub fn matrix(&mut self, rows: usize, cols: usize) -> Matrix {
        Matrix::from_fn(rows, cols, |_, _| self.rng.random_range(-1.0..1.0))
    }

    /// A row vector of `len` entries uniform in [-1, 1).
    pub fn row(&mut self, len: usize) -> RowVector {
        RowVector::from_fn(len, |_, _| self.rng.random_range(-1.0..1.0))
    }

    /// A (rows × cols) mask where each entry is allowed with probability `p_allowed`.
    pub fn mask(&mut self, rows: usize, cols: usize, p_allowed: f64) -> Mask {
        Mask::from_fn(rows, cols, |_, _| self.rng.random_bool(p_allowed))
    }

    /// A linear layer (in × out) with weights scaled by 1/sqrt(in) and a small bias.
    pub fn linear(&mut self, inputs: usize, outputs: usize) -> Linear {
        let scale = 1.0 / (inputs.max(1) as f32).sqrt();
        Linear::new(self.matrix(inputs, outputs) * scale, self.row(outputs) * 0.1)
    }

    /// Multi-head weights with d_model = `d_model` and `num_heads` heads (d_k = D/H).
    pub fn multi_head_weights(&mut self, d_model: usize, num_heads: usize) -> MultiHeadWeights {
        MultiHeadWeights {
            q: self.linear(d_model, d_model),
            k: self.linear(d_model, d_model),
            v: self.linear(d_model, d_model),
            o: self.linear(d_model, d_model),
            num_heads,
        }
    }

    /// Gated self-attention weights: multi-head weights plus a (D × D) gate.
    pub fn gated_weights(&mut self, d_model: usize, num_heads: usize) -> GatedWeights {
        GatedWeights { attn: self.multi_head_weights(d_model, num_heads), gate: self.linear(d_model, d_model) }
    }

    /// Grouped-query weights: H query heads and G key/value heads of width `d_k`.
    pub fn grouped_query_weights(
        &mut self,
        d_model: usize,
        num_heads: usize,
        num_kv_heads: usize,
        d_k: usize,
    ) -> GroupedQueryWeights {
        GroupedQueryWeights {
            q: self.linear(d_model, num_heads * d_k),
            k: self.linear(d_model, num_kv_heads * d_k),
            v: self.linear(d_model, num_kv_heads * d_k),
            o: self.linear(num_heads * d_k, d_model),
            num_heads,
            num_kv_heads,
        }
    }

    /// Additive attention weights for query width `d_q`, key width `d_k` and
    /// alignment width `d_a`.
    pub fn additive_weights(&mut self, d_q: usize, d_k: usize, d_a: usize) -> AdditiveWeights {
        AdditiveWeights {
            w_q: self.matrix(d_q, d_a) / (d_q.max(1) as f32).sqrt(),
            w_k: self.matrix(d_k, d_a) / (d_k.max(1) as f32).sqrt(),
            v_a: self.row(d_a),
        }
    }

    /// Multi-head latent attention weights: H heads over a latent of width
    /// `d_c`, each head with `d_n` content and `d_r` rotary query/key columns
    /// and `d_v` value columns; the latent's RMSNorm gain is near 1.
    pub fn mla_weights(&mut self, d_model: usize, heads: usize, sizes: MlaSizes) -> MlaWeights {
        let MlaSizes { d_c, d_n, d_r, d_v } = sizes;
        MlaWeights {
            q: self.linear(d_model, heads * (d_n + d_r)),
            kv_down: self.linear(d_model, d_c + d_r),
            kv_norm: self.row(d_c).map(|g| 1.0 + 0.1 * g),
            k_up: self.matrix(d_c, heads * d_n) / (d_c.max(1) as f32).sqrt(),
            v_up: self.matrix(d_c, heads * d_v) / (d_c.max(1) as f32).sqrt(),
            o: self.linear(heads * d_v, d_model),
            num_heads: heads,
            rope_dim: d_r,
        }
    }

    /// Differential attention weights: H heads whose queries and keys are two
    /// halves of width `d` each, values of width 2d, small λ vectors, λ_init
    /// of the layer at `depth`.
    pub fn differential_weights(
        &mut self,
        d_model: usize,
        heads: usize,
        d: usize,
        depth: usize,
    ) -> DifferentialWeights {
        let attn = MultiHeadWeights {
            q: self.linear(d_model, heads * 2 * d),
            k: self.linear(d_model, heads * 2 * d),
            v: self.linear(d_model, heads * 2 * d),
            o: self.linear(heads * 2 * d, d_model),
            num_heads: heads,
        };
        DifferentialWeights {
            attn,
            lambda_q1: self.row(d) * 0.1,
            lambda_k1: self.row(d) * 0.1,
            lambda_q2: self.row(d) * 0.1,
            lambda_k2: self.row(d) * 0.1,
            lambda_init: DifferentialWeights::lambda_init_at(depth),
            norm: self.row(2 * d).map(|g| 1.0 + 0.1 * g),
        }
    }
}

/// The per-head widths of multi-head latent attention (see [`Sampler::mla_weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MlaSizes {
    /// Latent width d_c.
    pub d_c: usize,
    /// Content width d_n of each head's query and key.
    pub d_n: usize,
    /// Rotary width d_r (even) of each head's query and of the shared key.
    pub d_r: usize,
    /// Value width d_v of each head.
    pub d_v: usize,
}
