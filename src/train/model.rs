//! The toy model: token embedding plus learned positions, a stack of
//! residual self-attention layers, and an output projection to the vocabulary.
//!
//! ```text
//! x_0     = E[tokens] + P                  (l × D)
//! x_{n+1} = x_n + Attention_n(x_n)         (l × D), n = 0 .. layers−1
//! logits  = x_last · W_out + b_out         (l × V_out)
//! ```
//!
//! No MLP, no normalisation: what the model learns has to be done by
//! attention, which is the point. One layer suffices to reverse a sequence
//! (query i looks up key l−1−i by position); finding the token *after* a
//! marker takes two (the first lets each position see its predecessor, the
//! second finds the position whose predecessor is the marker).

use crate::layers::{Linear, MultiHeadWeights};
use crate::prelude::Matrix;
use crate::sample::Sampler;
use crate::train::grad::{
    AttentionCache, attention_backward, attention_forward, cross_entropy, embed, embed_backward, linear_backward,
};

/// The sizes of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Input tokens V_in.
    pub vocab_in: usize,
    /// Output classes V_out.
    pub vocab_out: usize,
    /// Longest sequence (rows of the position table).
    pub max_len: usize,
    /// Width D.
    pub d_model: usize,
    /// Heads per layer (dividing D).
    pub heads: usize,
    /// Attention layers.
    pub layers: usize,
}

/// The learned numbers. Gradients have the same type and shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Token embedding E, (V_in × D).
    pub embedding: Matrix,
    /// Learned position embedding P, (max_len × D).
    pub positions: Matrix,
    /// The attention layers, each (D → D) with H heads.
    pub layers: Vec<MultiHeadWeights>,
    /// Output projection, (D × V_out).
    pub out: Linear,
}

/// What the backward pass needs from one forward pass.
#[derive(Debug, Clone)]
pub struct Forward {
    /// The tokens, (l).
    pub tokens: Vec<usize>,
    /// Each layer's cache (its input included).
    pub layers: Vec<AttentionCache>,
    /// The last residual stream x_last, (l × D).
    pub last: Matrix,
    /// The logits, (l × V_out).
    pub logits: Matrix,
}

impl Forward {
    /// The attention weights of layer `layer`, one (l × l) matrix per head.
    pub fn weights(&self, layer: usize) -> &[Matrix] {
        &self.layers[layer].weights
    }
}

impl Model {
    /// Random initial weights, fixed by `seed`: embeddings uniform in [-1, 1),
    /// projections scaled by 1/sqrt(in).
    pub fn new(shape: Shape, seed: u64) -> Model {
        let mut s = Sampler::new(seed);
        Model {
            embedding: s.matrix(shape.vocab_in, shape.d_model),
            positions: s.matrix(shape.max_len, shape.d_model),
            layers: (0..shape.layers).map(|_| s.multi_head_weights(shape.d_model, shape.heads)).collect(),
            out: s.linear(shape.d_model, shape.vocab_out),
        }
    }

    /// A model of the same shapes with every number 0 (a gradient accumulator).
    pub fn zeros_like(&self) -> Model {
        let mut zero = self.clone();
        for tensor in zero.tensors_mut() {
            tensor.fill(0.0);
        }
        zero
    }

    /// Every learned tensor as a flat slice, in a fixed order.
    pub fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        let mut out: Vec<&mut [f32]> = vec![self.embedding.as_mut_slice(), self.positions.as_mut_slice()];
        for layer in &mut self.layers {
            for linear in [&mut layer.q, &mut layer.k, &mut layer.v, &mut layer.o] {
                out.push(linear.weight.as_mut_slice());
                out.push(linear.bias.as_mut_slice());
            }
        }
        out.push(self.out.weight.as_mut_slice());
        out.push(self.out.bias.as_mut_slice());
        out
    }

    /// Number of learned numbers.
    pub fn parameter_count(&self) -> usize {
        self.clone().tensors_mut().iter().map(|t| t.len()).sum()
    }

    /// The forward pass of one sequence.
    ///
    /// Shapes: tokens (l), each below V_in, l ≤ max_len -> logits (l × V_out) in the result.
    pub fn forward(&self, tokens: &[usize]) -> Forward {
        let mut x = embed(&self.embedding, &self.positions, tokens); // (l, D)
        let mut caches = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let (attended, cache) = attention_forward(&x, layer); // (l, D)
            x += attended; // residual: (l, D) + (l, D)
            caches.push(cache);
        }
        let logits = self.out.forward(&x); // (l, D)·(D, V_out) -> (l, V_out)
        Forward { tokens: tokens.to_vec(), layers: caches, last: x, logits }
    }

    /// Loss of one sequence and its gradient, added into `grads` times `weight`
    /// (1/batch for a batch mean).
    ///
    /// Shapes: forward of l tokens, targets (l) -> loss.
    pub fn backward(&self, forward: &Forward, targets: &[Option<usize>], weight: f32, grads: &mut Model) -> f64 {
        let (loss, mut d_logits) = cross_entropy(&forward.logits, targets); // (l, V_out)
        d_logits *= weight;
        // Output projection.
        let (d_out, mut dx) = linear_backward(&self.out, &forward.last, &d_logits); // dx (l, D)
        add_linear(&mut grads.out, &d_out);
        // Layers in reverse: x_{n+1} = x_n + A(x_n), so dx_n = dx_{n+1} + A'ᵀ·dx_{n+1}.
        for (n, layer) in self.layers.iter().enumerate().rev() {
            let (d_layer, dx_through) = attention_backward(&forward.layers[n], layer, &dx); // (l, D)
            dx += dx_through; // (l, D): the residual path plus the attention path
            let g = &mut grads.layers[n];
            for (total, part) in
                [(&mut g.q, &d_layer.q), (&mut g.k, &d_layer.k), (&mut g.v, &d_layer.v), (&mut g.o, &d_layer.o)]
            {
                add_linear(total, part);
            }
        }
        // Embeddings.
        embed_backward(&dx, &forward.tokens, &mut grads.embedding, &mut grads.positions);
        loss
    }

    /// Loss of one sequence (no gradient).
    pub fn loss(&self, tokens: &[usize], targets: &[Option<usize>]) -> f64 {
        cross_entropy(&self.forward(tokens).logits, targets).0
    }
}

/// `total += part`, weight and bias.
fn add_linear(total: &mut Linear, part: &Linear) {
    total.weight += &part.weight; // (in, out)
    total.bias += &part.bias; // (1, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::grad::tests::check_entries;

    fn tiny(layers: usize) -> Model {
        let shape = Shape { vocab_in: 5, vocab_out: 4, max_len: 6, d_model: 4, heads: 2, layers };
        Model::new(shape, 9)
    }

    /// The whole model's gradient, every tensor, against finite differences of its loss.
    fn check_model(layers: usize) {
        let model = tiny(layers);
        let tokens = [3, 1, 4, 1, 0];
        let targets = [Some(0), None, Some(3), Some(1), Some(2)];
        let mut grads = model.zeros_like();
        let loss = model.backward(&model.forward(&tokens), &targets, 1.0, &mut grads);
        assert!((loss - model.loss(&tokens, &targets)).abs() < 1e-12);
        let count = grads.tensors_mut().len();
        let mut analytic: Vec<Vec<f32>> = grads.tensors_mut().iter().map(|t| t.to_vec()).collect();
        for (t, expected) in analytic.iter_mut().enumerate() {
            // Each tensor in turn: a state holding the model and which tensor to nudge.
            let mut state = (model.clone(), t);
            check_entries(
                &format!("tensor {t} of {count}"),
                &mut state,
                |st| {
                    let t = st.1;
                    st.0.tensors_mut().swap_remove(t)
                },
                expected,
                |st| st.0.loss(&tokens, &targets),
            );
        }
    }

    #[test]
    fn one_layer_model_gradient_matches_finite_differences() {
        check_model(1);
    }

    #[test]
    fn two_layer_model_gradient_matches_finite_differences() {
        check_model(2);
    }

    #[test]
    fn the_weight_scales_the_gradient_and_accumulates() {
        let model = tiny(1);
        let (tokens, targets) = ([0, 1, 2], [Some(1), Some(2), Some(3)]);
        let mut once = model.zeros_like();
        model.backward(&model.forward(&tokens), &targets, 1.0, &mut once);
        let mut halves = model.zeros_like();
        model.backward(&model.forward(&tokens), &targets, 0.5, &mut halves);
        model.backward(&model.forward(&tokens), &targets, 0.5, &mut halves);
        for (a, b) in once.tensors_mut().iter().zip(halves.tensors_mut().iter()) {
            assert!(a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() < 1e-6));
        }
    }
}
