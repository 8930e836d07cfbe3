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

use crate::layers::{AdditiveWeights, GatedWeights, GroupedQueryWeights, Linear, MultiHeadWeights};
use crate::prelude::{Mask, Matrix, RowVector};
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
}
