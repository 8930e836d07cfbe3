//! The backward pass of every layer the toy model uses, one function per
//! layer, each next to the forward it differentiates.
//!
//! Convention: for a scalar loss L, `dX` is ∂L/∂X and has X's shape. A
//! backward function takes the gradient of the layer's output and returns
//! the gradients of its parameters and of its input.
//!
//! | layer | forward | backward |
//! |---|---|---|
//! | linear | `y = x·W + b` | `dW = xᵀ·dy`, `db = Σ_rows dy`, `dx = dy·Wᵀ` |
//! | embedding | `x_i = E[t_i] + P_i` | `dE[t] += Σ_{i: t_i = t} dx_i`, `dP_i = dx_i` |
//! | cross-entropy | `L = −(1/n) Σ log softmax(z_i)[y_i]` | `dz_i = (softmax(z_i) − onehot(y_i)) / n` |
//! | attention | [`attention_forward`] | [`attention_backward`], through [`sdpa_backward`] per head |
//!
//! Pitfalls:
//! - **W is (in × out).** `dW = xᵀ·dy` is (in × l)·(l × out); PyTorch's
//!   (out × in) storage gives `dyᵀ·x` instead.
//! - **A token used twice** gets the sum of both rows' gradients: accumulate
//!   into the embedding table, never overwrite.
//! - **Mean over the targets**, not over every position: positions without a
//!   target pass no gradient.

use crate::layers::{Linear, MultiHeadWeights};
use crate::prelude::{Matrix, RowVector};
use crate::reference::heads::{merge_heads, split_heads};
use crate::reference::{scaled_dot_product_attention, sdpa_backward, softmax_rows};

/// Gradients of a linear layer's parameters, and of its input.
///
/// Shapes: x (l × in), layer W (in × out), b (out), dy (l × out)
/// -> (dW, db) as a [`Linear`] of the layer's shape, dx (l × in).
pub fn linear_backward(layer: &Linear, x: &Matrix, dy: &Matrix) -> (Linear, Matrix) {
    let d_weight = x.tr_mul(dy); // (in, l)·(l, out) -> (in, out)
    let d_bias = RowVector::from_iterator(dy.ncols(), dy.column_iter().map(|c| c.sum())); // (l, out) -> (1, out)
    let dx = dy * layer.weight.transpose(); // (l, out)·(out, in) -> (l, in)
    (Linear::new(d_weight, d_bias), dx)
}

/// Looks up each token's row of `table` and adds its position's row.
///
/// Shapes: table (V × D), positions (≥ l × D), tokens (l) -> (l × D).
///
/// # Panics
/// If a token is not below V or there are more tokens than positions.
pub fn embed(table: &Matrix, positions: &Matrix, tokens: &[usize]) -> Matrix {
    let d = table.ncols();
    Matrix::from_fn(tokens.len(), d, |i, c| table[(tokens[i], c)] + positions[(i, c)]) // (l, D)
}

/// Adds the gradient of [`embed`] to `d_table` and `d_positions`.
///
/// Shapes: dx (l × D), tokens (l), d_table (V × D), d_positions (≥ l × D).
pub fn embed_backward(dx: &Matrix, tokens: &[usize], d_table: &mut Matrix, d_positions: &mut Matrix) {
    for (i, &token) in tokens.iter().enumerate() {
        let row = dx.row(i); // (1, D)
        let mut table_row = d_table.row_mut(token); // (1, D), accumulated: a token may occur twice
        table_row += &row;
        let mut position_row = d_positions.row_mut(i); // (1, D)
        position_row += &row;
    }
}

/// Mean cross-entropy of the rows that have a target, and its gradient.
///
/// Shapes: logits (l × V), targets (l), `Some(class)` or `None` for a row
/// that is not scored -> (loss, d_logits (l × V)).
///
/// The loss is summed in f64 (a log-sum-exp per row, stable for any logit);
/// a row without a target gets a zero gradient. No target at all: loss 0.
pub fn cross_entropy(logits: &Matrix, targets: &[Option<usize>]) -> (f64, Matrix) {
    let scored = targets.iter().flatten().count();
    let mut d_logits = Matrix::zeros(logits.nrows(), logits.ncols()); // (l, V)
    if scored == 0 {
        return (0.0, d_logits);
    }
    let probs = softmax_rows(logits); // (l, V), each row sums to 1
    let mut loss = 0.0f64;
    for (i, target) in targets.iter().enumerate() {
        let Some(y) = *target else { continue };
        // −log softmax(z)[y] = logsumexp(z) − z_y, with the max taken out first.
        let row = logits.row(i); // (1, V)
        let max = f64::from(row.max());
        let log_sum = row.iter().map(|&z| (f64::from(z) - max).exp()).sum::<f64>().ln() + max;
        loss += log_sum - f64::from(row[y]);
        // d/dz of −log softmax(z)[y] is softmax(z) − onehot(y); divide by n for the mean.
        let mut d_row = d_logits.row_mut(i); // (1, V)
        d_row.copy_from(&probs.row(i));
        d_row[y] -= 1.0;
        d_row /= scored as f32;
    }
    (loss / scored as f64, d_logits)
}

/// What [`attention_backward`] needs from the forward pass of one layer.
#[derive(Debug, Clone)]
pub struct AttentionCache {
    /// The layer's input, (l × D).
    pub x: Matrix,
    /// Per-head queries, keys and values, H × (l × d_k).
    pub q_heads: Vec<Matrix>,
    /// Keys, H × (l × d_k).
    pub k_heads: Vec<Matrix>,
    /// Values, H × (l × d_k).
    pub v_heads: Vec<Matrix>,
    /// The concatenated head outputs, (l × D): the output projection's input.
    pub concat: Matrix,
    /// Attention weights of each head, H × (l × l).
    pub weights: Vec<Matrix>,
}

/// Multi-head self-attention without a mask, keeping what the backward needs.
/// The same computation as [`self_attention`](crate::reference::self_attention),
/// spelled out step by step.
///
/// Shapes: x (l × D), w with H heads of width d_k = D/H -> (output (l × D), cache).
pub fn attention_forward(x: &Matrix, w: &MultiHeadWeights) -> (Matrix, AttentionCache) {
    // 1. Project the whole input once per role.
    let q = w.q.forward(x); // (l, D)·(D, H·d_k) -> (l, H·d_k)
    let k = w.k.forward(x); // (l, D)·(D, H·d_k) -> (l, H·d_k)
    let v = w.v.forward(x); // (l, D)·(D, H·d_k) -> (l, H·d_k)
    // 2. Head h is the column block [h·d_k, (h+1)·d_k).
    let q_heads = split_heads(&q, w.num_heads); // H × (l, d_k)
    let k_heads = split_heads(&k, w.num_heads); // H × (l, d_k)
    let v_heads = split_heads(&v, w.num_heads); // H × (l, d_k)
    // 3. Scaled dot-product attention in each head.
    let (outputs, weights): (Vec<Matrix>, Vec<Matrix>) = (0..w.num_heads)
        .map(|h| scaled_dot_product_attention(&q_heads[h], &k_heads[h], &v_heads[h], None)) // (l, d_k), (l, l)
        .unzip();
    // 4. Concatenate, 5. project.
    let concat = merge_heads(&outputs); // H × (l, d_k) -> (l, H·d_k)
    let output = w.o.forward(&concat); // (l, H·d_k)·(H·d_k, D) -> (l, D)
    (output, AttentionCache { x: x.clone(), q_heads, k_heads, v_heads, concat, weights })
}

/// Gradients of an attention layer's four projections, and of its input.
///
/// Shapes: cache from [`attention_forward`] on x (l × D), d_output (l × D)
/// -> (gradients as [`MultiHeadWeights`] of w's shapes, dx (l × D)).
pub fn attention_backward(
    cache: &AttentionCache,
    w: &MultiHeadWeights,
    d_output: &Matrix,
) -> (MultiHeadWeights, Matrix) {
    // 5. Through the output projection.
    let (d_o, d_concat) = linear_backward(&w.o, &cache.concat, d_output); // d_concat (l, H·d_k)
    // 4. The concatenation hands each head its own column block back.
    let d_heads = split_heads(&d_concat, w.num_heads); // H × (l, d_k)
    // 3. Through attention, head by head (the library's backward).
    let mut dq_heads = Vec::with_capacity(w.num_heads);
    let mut dk_heads = Vec::with_capacity(w.num_heads);
    let mut dv_heads = Vec::with_capacity(w.num_heads);
    for (h, d_head) in d_heads.iter().enumerate() {
        let (dq, dk, dv) = sdpa_backward(&cache.q_heads[h], &cache.k_heads[h], &cache.v_heads[h], None, d_head);
        dq_heads.push(dq); // (l, d_k)
        dk_heads.push(dk); // (l, d_k)
        dv_heads.push(dv); // (l, d_k)
    }
    // 2. Splitting is undone by merging.
    let dq = merge_heads(&dq_heads); // (l, H·d_k)
    let dk = merge_heads(&dk_heads); // (l, H·d_k)
    let dv = merge_heads(&dv_heads); // (l, H·d_k)
    // 1. Through the three projections; x fed all three, so its gradients add up.
    let (d_q, dx_q) = linear_backward(&w.q, &cache.x, &dq); // dx_q (l, D)
    let (d_k, dx_k) = linear_backward(&w.k, &cache.x, &dk); // dx_k (l, D)
    let (d_v, dx_v) = linear_backward(&w.v, &cache.x, &dv); // dx_v (l, D)
    let dx = dx_q + dx_k + dx_v; // (l, D)
    (MultiHeadWeights { q: d_q, k: d_k, v: d_v, o: d_o, num_heads: w.num_heads }, dx)
}

#[cfg(test)]
pub(crate) mod tests {
    //! Every backward against central finite differences of its forward.
    //!
    //! The forwards run in f32; the probe loss `Σ output ⊙ G` (G fixed and
    //! random) is summed in f64, and each parameter is nudged by ±h with h
    //! large enough (1e-2) that f32 round-off in the outputs (~1e-7 relative)
    //! stays far below the difference being measured. The nudge actually
    //! applied is read back from the f32 value, not assumed.
    use super::*;
    use crate::sample::Sampler;

    const H: f32 = 1e-2;

    /// `Σ a ⊙ b` in f64.
    pub(crate) fn dot(a: &Matrix, b: &Matrix) -> f64 {
        a.iter().zip(b.iter()).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
    }

    /// Central difference of `loss` in each entry of `*value` (reached through
    /// `get`), compared with `analytic`.
    pub(crate) fn check_entries<S>(
        name: &str,
        state: &mut S,
        get: fn(&mut S) -> &mut [f32],
        analytic: &[f32],
        loss: impl Fn(&S) -> f64,
    ) {
        let n = get(state).len();
        assert_eq!(n, analytic.len(), "{name}: gradient has the wrong size");
        let mut worst = 0.0f64;
        for (i, &exact) in analytic.iter().enumerate() {
            let original = get(state)[i];
            get(state)[i] = original + H;
            let up_by = f64::from(get(state)[i]) - f64::from(original);
            let up = loss(state);
            get(state)[i] = original - H;
            let down_by = f64::from(original) - f64::from(get(state)[i]);
            let down = loss(state);
            get(state)[i] = original;
            let numeric = (up - down) / (up_by + down_by);
            let exact = f64::from(exact);
            let error = (numeric - exact).abs() / (1e-2 + numeric.abs().max(exact.abs()));
            worst = worst.max(error);
            assert!(error < 2e-3, "{name}[{i}]: finite difference {numeric}, backward {exact}");
        }
        assert!(worst.is_finite());
    }

    #[test]
    fn linear_backward_matches_finite_differences() {
        let mut s = Sampler::new(1);
        let layer = s.linear(4, 3);
        let x = s.matrix(5, 4);
        let g = s.matrix(5, 3);
        let (grads, dx) = linear_backward(&layer, &x, &g);
        let mut state = (layer, x);
        let loss = |st: &(Linear, Matrix)| dot(&st.0.forward(&st.1), &g);
        check_entries("dW", &mut state, |st| st.0.weight.as_mut_slice(), grads.weight.as_slice(), loss);
        check_entries("db", &mut state, |st| st.0.bias.as_mut_slice(), grads.bias.as_slice(), loss);
        check_entries("dx", &mut state, |st| st.1.as_mut_slice(), dx.as_slice(), loss);
    }

    #[test]
    fn embedding_backward_matches_finite_differences_with_repeated_tokens() {
        let mut s = Sampler::new(2);
        let tokens = [2, 0, 2, 1]; // token 2 twice
        let (table, positions, g) = (s.matrix(3, 4), s.matrix(5, 4), s.matrix(4, 4));
        let mut d_table = Matrix::zeros(3, 4);
        let mut d_positions = Matrix::zeros(5, 4);
        embed_backward(&g, &tokens, &mut d_table, &mut d_positions);
        let mut state = (table, positions);
        let loss = |st: &(Matrix, Matrix)| dot(&embed(&st.0, &st.1, &tokens), &g);
        check_entries("dE", &mut state, |st| st.0.as_mut_slice(), d_table.as_slice(), loss);
        check_entries("dP", &mut state, |st| st.1.as_mut_slice(), d_positions.as_slice(), loss);
        // The unused fifth position gets nothing.
        assert!(d_positions.row(4).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn cross_entropy_backward_matches_finite_differences() {
        let mut s = Sampler::new(3);
        let mut logits = s.matrix(4, 5) * 3.0;
        logits[(1, 2)] = 40.0; // a confident row stays stable
        let targets = [Some(1), None, Some(2), Some(4)];
        let (loss0, d_logits) = cross_entropy(&logits, &targets);
        assert!(loss0.is_finite() && loss0 > 0.0);
        assert!(d_logits.row(1).iter().all(|&v| v == 0.0), "an unscored row passes no gradient");
        let mut state = logits;
        check_entries(
            "dz",
            &mut state,
            |st| st.as_mut_slice(),
            d_logits.as_slice(),
            |st| cross_entropy(st, &targets).0,
        );
    }

    #[test]
    fn cross_entropy_values() {
        // Uniform logits over 4 classes: loss ln 4. A huge right logit: loss ~0.
        let (loss, _) = cross_entropy(&Matrix::zeros(2, 4), &[Some(0), Some(3)]);
        assert!((loss - 4f64.ln()).abs() < 1e-9);
        let (loss, _) = cross_entropy(&Matrix::from_row_slice(1, 2, &[1000.0, -1000.0]), &[Some(0)]);
        assert!(loss.abs() < 1e-12);
        assert_eq!(cross_entropy(&Matrix::zeros(1, 2), &[None]).0, 0.0);
    }

    #[test]
    fn attention_forward_is_the_reference_self_attention() {
        let mut s = Sampler::new(4);
        let w = s.multi_head_weights(6, 2);
        let x = s.matrix(5, 6);
        let (out, cache) = attention_forward(&x, &w);
        let (expected, weights) = crate::reference::self_attention(&x, &w, None);
        assert!((out - expected).abs().max() < 1e-6);
        assert_eq!(cache.weights, weights);
    }

    #[test]
    fn attention_backward_matches_finite_differences() {
        let mut s = Sampler::new(5);
        let w = s.multi_head_weights(6, 2);
        let x = s.matrix(4, 6) * 2.0;
        let g = s.matrix(4, 6);
        let (_, cache) = attention_forward(&x, &w);
        let (grads, dx) = attention_backward(&cache, &w, &g);
        let mut state = (w, x);
        let loss = |st: &(MultiHeadWeights, Matrix)| dot(&attention_forward(&st.1, &st.0).0, &g);
        check_entries("dWq", &mut state, |st| st.0.q.weight.as_mut_slice(), grads.q.weight.as_slice(), loss);
        check_entries("dbq", &mut state, |st| st.0.q.bias.as_mut_slice(), grads.q.bias.as_slice(), loss);
        check_entries("dWk", &mut state, |st| st.0.k.weight.as_mut_slice(), grads.k.weight.as_slice(), loss);
        check_entries("dbk", &mut state, |st| st.0.k.bias.as_mut_slice(), grads.k.bias.as_slice(), loss);
        check_entries("dWv", &mut state, |st| st.0.v.weight.as_mut_slice(), grads.v.weight.as_slice(), loss);
        check_entries("dbv", &mut state, |st| st.0.v.bias.as_mut_slice(), grads.v.bias.as_slice(), loss);
        check_entries("dWo", &mut state, |st| st.0.o.weight.as_mut_slice(), grads.o.weight.as_slice(), loss);
        check_entries("dbo", &mut state, |st| st.0.o.bias.as_mut_slice(), grads.o.bias.as_slice(), loss);
        check_entries("dx", &mut state, |st| st.1.as_mut_slice(), dx.as_slice(), loss);
    }
}
