//! `attn-quiz trace` shows the shapes the reference really produces.
//!
//! Each test runs the reference here, step by step through its public
//! functions, on inputs of the traced sizes, and compares the shapes of those
//! real matrices with the steps the trace reports, in order. Sizes are all
//! different (N = 3, L = 5, S = 7, D = 12, ...) so a swapped axis shows.

use attn_quiz::explore::{sizes::Sizes, trace, variant};
use attn_quiz::prelude::*;
use attn_quiz::reference::heads::{merge_heads, split_heads};
use attn_quiz::reference::{self, causal_mask};
use attn_quiz::sample::Sampler;

const N: usize = 3;
const L: usize = 5;
const S: usize = 7;
const D: usize = 12;

/// A step's expected name and its shape for one batch element (no N in front).
type Expected = (&'static str, Vec<usize>);

/// One matrix: [rows, cols].
fn shape(m: &Matrix) -> Vec<usize> {
    vec![m.nrows(), m.ncols()]
}

/// One matrix per head: [heads, rows, cols].
fn heads_shape(ms: &[Matrix]) -> Vec<usize> {
    [vec![ms.len()], shape(&ms[0])].concat()
}

/// Asserts that tracing `name` at `sizes` reports exactly the `expected` steps, with N in front.
fn assert_trace(name: &str, sizes: Sizes, expected: Vec<Expected>) {
    let run = trace::run(variant(name).unwrap(), &Sizes { batch: Some(N), ..sizes }).unwrap();
    let traced: Vec<(&str, Vec<usize>)> = run.measurement.steps.iter().map(|s| (s.name, s.shape.clone())).collect();
    let expected: Vec<(&str, Vec<usize>)> = expected.into_iter().map(|(n, s)| (n, [vec![N], s].concat())).collect();
    assert_eq!(traced, expected, "{name}");
}

/// The steps of multi-head attention (H = w.num_heads) run directly, up to the
/// concatenated heads; the caller adds what follows.
fn multi_head_steps(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &MultiHeadWeights,
    mask: Option<&Mask>,
) -> Vec<Expected> {
    let (q, k, v) = (w.q.forward(query), w.k.forward(key), w.v.forward(value));
    let (q_heads, k_heads, v_heads) =
        (split_heads(&q, w.num_heads), split_heads(&k, w.num_heads), split_heads(&v, w.num_heads));
    let kv = |h| h; // one key/value head per query head
    let mut steps = vec![
        ("q_projected", shape(&q)),
        ("k_projected", shape(&k)),
        ("v_projected", shape(&v)),
        ("q_heads", heads_shape(&q_heads)),
        ("k_heads", heads_shape(&k_heads)),
        ("v_heads", heads_shape(&v_heads)),
    ];
    steps.extend(per_head_steps(&q_heads, &k_heads, &v_heads, kv, mask));
    steps
}

/// Scores, mask, weights and weighted values of each query head, run directly,
/// then the merged heads.
fn per_head_steps(
    q_heads: &[Matrix],
    k_heads: &[Matrix],
    v_heads: &[Matrix],
    kv: impl Fn(usize) -> usize,
    mask: Option<&Mask>,
) -> Vec<Expected> {
    let scores: Vec<Matrix> = q_heads.iter().enumerate().map(|(h, q)| q * k_heads[kv(h)].transpose()).collect();
    let attended: Vec<(Matrix, Matrix)> = q_heads
        .iter()
        .enumerate()
        .map(|(h, q)| reference::scaled_dot_product_attention(q, &k_heads[kv(h)], &v_heads[kv(h)], mask))
        .collect();
    let outputs: Vec<Matrix> = attended.iter().map(|(out, _)| out.clone()).collect();
    let weights: Vec<Matrix> = attended.iter().map(|(_, w)| w.clone()).collect();
    let mut steps = vec![("scores", heads_shape(&scores))];
    if let Some(mask) = mask {
        steps.push(("mask", [vec![q_heads.len()], vec![mask.nrows(), mask.ncols()]].concat()));
    }
    steps.push(("weights", heads_shape(&weights)));
    steps.push(("weighted_values", heads_shape(&outputs)));
    steps.push(("merged", shape(&merge_heads(&outputs))));
    steps
}

#[test]
fn multi_head_attention_with_a_longer_memory() {
    let mut s = Sampler::new(1);
    let (query, key, value) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let w = s.multi_head_weights(D, 3);
    let (output, weights) = reference::multi_head_attention(&query, &key, &value, &w, None);
    assert_eq!(heads_shape(&weights), [3, L, S]);
    let mut expected = multi_head_steps(&query, &key, &value, &w, None);
    expected.push(("output", shape(&output)));
    let sizes = Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), heads: Some(3), ..Sizes::default() };
    assert_trace("mha", sizes.clone(), expected.clone());
    // Cross-attention is the same computation, queries from x and keys/values from memory.
    assert_trace("cross_attention", sizes, expected);
}

#[test]
fn causal_self_attention() {
    let mut s = Sampler::new(2);
    let x = s.matrix(L, D);
    let w = s.multi_head_weights(D, 2);
    let mask = causal_mask(L);
    let (output, _) = reference::self_attention(&x, &w, Some(&mask));
    let mut expected = multi_head_steps(&x, &x, &x, &w, Some(&mask));
    expected.push(("output", shape(&output)));
    let sizes = Sizes { len: Some(L), d_model: Some(D), heads: Some(2), causal: true, ..Sizes::default() };
    assert_trace("self_attention", sizes, expected);
}

#[test]
fn gated_self_attention() {
    let mut s = Sampler::new(3);
    let x = s.matrix(L, D);
    let w = s.gated_weights(D, 4);
    let (output, _) = reference::gated_self_attention(&x, &w, None);
    let mut expected = multi_head_steps(&x, &x, &x, &w.attn, None);
    expected.push(("gate", shape(&w.gate.forward(&x))));
    expected.push(("output", shape(&output)));
    assert_trace("gated", Sizes { len: Some(L), d_model: Some(D), heads: Some(4), ..Sizes::default() }, expected);
}

/// Grouped-query attention run directly with H query heads and G key/value heads.
fn grouped_query_steps(heads: usize, kv_heads: usize) -> Vec<Expected> {
    let mut s = Sampler::new(4);
    let (query, key, value) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let w = s.grouped_query_weights(D, heads, kv_heads, D / heads);
    let (q, k, v) = (w.q.forward(&query), w.k.forward(&key), w.v.forward(&value));
    let (q_heads, k_heads, v_heads) = (split_heads(&q, heads), split_heads(&k, kv_heads), split_heads(&v, kv_heads));
    let mut steps = vec![
        ("q_projected", shape(&q)),
        ("k_projected", shape(&k)),
        ("v_projected", shape(&v)),
        ("q_heads", heads_shape(&q_heads)),
        ("k_heads", heads_shape(&k_heads)),
        ("v_heads", heads_shape(&v_heads)),
    ];
    let group = heads / kv_heads;
    steps.extend(per_head_steps(&q_heads, &k_heads, &v_heads, |h| h / group, None));
    let (output, _) = reference::grouped_query_attention(&query, &key, &value, &w, None);
    steps.push(("output", shape(&output)));
    steps
}

#[test]
fn grouped_and_multi_query_attention() {
    let sizes = Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), heads: Some(6), ..Sizes::default() };
    let expected = grouped_query_steps(6, 2);
    assert_eq!(expected[4], ("k_heads", vec![2, S, 2])); // G = 2 heads of d_k = 12 / 6
    assert_trace("gqa", Sizes { kv_heads: Some(2), ..sizes.clone() }, expected);
    assert_trace("mqa", sizes, grouped_query_steps(6, 1));
}

#[test]
fn scaled_dot_product_attention() {
    let mut s = Sampler::new(5);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let (output, weights) = reference::scaled_dot_product_attention(&q, &k, &v, None);
    let expected = vec![
        ("scores", shape(&(&q * k.transpose()))),
        ("weights", shape(&weights)),
        ("weighted_values", shape(&output)),
    ];
    assert_trace("sdpa", Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), ..Sizes::default() }, expected);
}

#[test]
fn additive_attention() {
    let mut s = Sampler::new(6);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let w = s.additive_weights(D, D, D);
    let (output, weights) = reference::additive_attention(&q, &k, &v, &w, None);
    let expected = vec![
        ("q_projected", shape(&(&q * &w.w_q))),
        ("k_projected", shape(&(&k * &w.w_k))),
        ("scores", shape(&weights)), // one score per (query, key) pair, as many as weights
        ("weights", shape(&weights)),
        ("weighted_values", shape(&output)),
    ];
    assert_trace("additive", Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), ..Sizes::default() }, expected);
}

#[test]
fn luong_dot_and_general_attention() {
    let mut s = Sampler::new(7);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let sizes = || Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), ..Sizes::default() };
    let (output, weights) = reference::luong_dot_attention(&q, &k, &v, None);
    let scored = vec![("scores", shape(&weights)), ("weights", shape(&weights)), ("weighted_values", shape(&output))];
    assert_trace("luong_dot", sizes(), scored.clone());
    let w_a = s.matrix(D, D);
    let (output, _) = reference::luong_general_attention(&q, &k, &v, &w_a, None);
    let mut expected = vec![("q_projected", shape(&(&q * &w_a)))];
    expected.extend(scored);
    assert_eq!(output.shape(), (L, D));
    assert_trace("luong_general", sizes(), expected);
}
