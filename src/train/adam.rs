//! Adam (Kingma & Ba, 2015), the optimiser of the interview loop
//! `zero_grad / backward / step`.
//!
//! For each parameter θ with gradient g, at step t = 1, 2, ...:
//!
//! ```text
//! m = β1·m + (1 − β1)·g            running mean of the gradient
//! v = β2·v + (1 − β2)·g²           running mean of its square
//! m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)    bias correction (m, v start at 0)
//! θ = θ − lr · m̂ / (sqrt(v̂) + ε)
//! ```
//!
//! Pitfalls: forgetting the bias correction makes the first steps tiny
//! (m ≈ 0.1·g at t = 1); ε goes outside the square root (PyTorch's choice).

use crate::train::model::Model;

/// β1, the decay of the gradient's running mean.
pub const BETA1: f32 = 0.9;
/// β2, the decay of the squared gradient's running mean.
pub const BETA2: f32 = 0.999;
/// ε, added to sqrt(v̂) so that a zero gradient does not divide by zero.
pub const EPSILON: f32 = 1e-8;

/// The optimiser's state: both running means of every parameter, and the step count.
#[derive(Debug, Clone)]
pub struct Adam {
    /// Learning rate.
    pub lr: f32,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    t: i32,
}

impl Adam {
    /// Fresh state (all running means 0) for a model of `model`'s shapes.
    pub fn new(model: &mut Model, lr: f32) -> Adam {
        let zeros: Vec<Vec<f32>> = model.tensors_mut().iter().map(|t| vec![0.0; t.len()]).collect();
        Adam { lr, m: zeros.clone(), v: zeros, t: 0 }
    }

    /// One update of every parameter of `model` from `grads` (same shapes).
    pub fn step(&mut self, model: &mut Model, grads: &mut Model) {
        self.t += 1;
        let correction1 = 1.0 - BETA1.powi(self.t);
        let correction2 = 1.0 - BETA2.powi(self.t);
        for (((theta, g), m), v) in
            model.tensors_mut().into_iter().zip(grads.tensors_mut()).zip(&mut self.m).zip(&mut self.v)
        {
            for i in 0..theta.len() {
                m[i] = BETA1 * m[i] + (1.0 - BETA1) * g[i];
                v[i] = BETA2 * v[i] + (1.0 - BETA2) * g[i] * g[i];
                let m_hat = m[i] / correction1;
                let v_hat = v[i] / correction2;
                theta[i] -= self.lr * m_hat / (v_hat.sqrt() + EPSILON);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::model::Shape;

    #[test]
    fn the_first_step_moves_every_parameter_by_lr_against_its_gradient_sign() {
        // At t = 1, m̂ = g and v̂ = g², so the step is lr·g/|g| = lr·sign(g).
        let shape = Shape { vocab_in: 2, vocab_out: 2, max_len: 2, d_model: 2, heads: 1, layers: 1 };
        let mut model = Model::new(shape, 1);
        let before = model.clone();
        let mut grads = model.zeros_like();
        grads.embedding[(0, 0)] = 3.0;
        grads.embedding[(1, 1)] = -0.001;
        let mut adam = Adam::new(&mut model, 0.1);
        adam.step(&mut model, &mut grads);
        assert!((model.embedding[(0, 0)] - (before.embedding[(0, 0)] - 0.1)).abs() < 1e-6);
        assert!((model.embedding[(1, 1)] - (before.embedding[(1, 1)] + 0.1)).abs() < 1e-4);
        // A zero gradient leaves its parameter where it was.
        assert_eq!(model.positions, before.positions);
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        // Loss Σ (θ − 1)² over the output bias: gradient 2(θ − 1).
        let shape = Shape { vocab_in: 2, vocab_out: 3, max_len: 2, d_model: 2, heads: 1, layers: 1 };
        let mut model = Model::new(shape, 2);
        let mut adam = Adam::new(&mut model, 0.05);
        for _ in 0..500 {
            let mut grads = model.zeros_like();
            grads.out.bias = model.out.bias.map(|b| 2.0 * (b - 1.0));
            adam.step(&mut model, &mut grads);
        }
        assert!(model.out.bias.iter().all(|b| (b - 1.0).abs() < 1e-2), "{}", model.out.bias);
    }
}
