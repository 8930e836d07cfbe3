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

// ---- the modern variants ----

/// A step as (call, name, shape for one batch element).
type CallStep = (usize, &'static str, Vec<usize>);

/// Asserts that tracing `name` at `sizes` reports exactly `expected`, call by
/// call, with N in front; every step is reported once (no repeats).
fn assert_calls(name: &str, sizes: Sizes, expected: Vec<CallStep>) {
    let run = trace::run(variant(name).unwrap(), &Sizes { batch: Some(N), ..sizes }).unwrap();
    let traced: Vec<CallStep> = run.measurement.steps.iter().map(|s| (s.call, s.name, s.shape.clone())).collect();
    let expected: Vec<CallStep> = expected.into_iter().map(|(c, n, s)| (c, n, [vec![N], s].concat())).collect();
    assert_eq!(traced, expected, "{name}");
    assert!(run.measurement.steps.iter().all(|s| s.repeats == 1), "{name}");
}

/// The projections, rotations, cache and heads of one cached call, run directly
/// on the reference's own functions: x (s × D) at positions p..p+s−1, after
/// `decode_step` has appended it to `cache`.
fn cached_call_steps(x: &Matrix, cache: &KvCache, w: &GroupedQueryWeights, rope: &Rope) -> Vec<Expected> {
    let (p, s) = (cache.keys.nrows() - x.nrows(), x.nrows());
    let positions: Vec<usize> = (p..p + s).collect();
    let (q, k, v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
    let q_rotated = reference::apply_rope(&q, &positions, w.d_k(), rope);
    let k_rotated = reference::apply_rope(&k, &positions, w.d_k(), rope);
    vec![
        ("q_projected", shape(&q)),
        ("k_projected", shape(&k)),
        ("v_projected", shape(&v)),
        ("q_rotated", shape(&q_rotated)),
        ("k_rotated", shape(&k_rotated)),
        ("cached_keys", shape(&cache.keys)),
        ("cached_values", shape(&cache.values)),
        ("q_heads", heads_shape(&split_heads(&q_rotated, w.num_heads))),
        ("k_heads", heads_shape(&split_heads(&cache.keys, w.num_kv_heads))),
        ("v_heads", heads_shape(&split_heads(&cache.values, w.num_kv_heads))),
    ]
}

/// The rotary embedding `measure` runs the RoPE variants with.
const ROPE: Rope = Rope { base: 10000.0, style: RopeStyle::HalfSplit };

/// kv_cache: L = 5 tokens of D = 12, H = 6, G = 2 (d_k = 2), a prefill of 3 then
/// two single-token calls, each run here with `decode_step` itself.
#[test]
fn kv_cache_decoding_call_by_call() {
    let (heads, kv_heads, prefill) = (6, 2, 3);
    let mut s = Sampler::new(8);
    let x = s.matrix(L, D);
    let w = s.grouped_query_weights(D, heads, kv_heads, D / heads);
    let mut cache = reference::kv_cache::empty_cache(&w);
    let mut expected = Vec::new();
    let calls = [(0, prefill), (prefill, 1), (prefill + 1, 1)];
    for (call, &(start, tokens)) in calls.iter().enumerate() {
        let chunk = x.rows(start, tokens).into_owned();
        let (output, weights) = reference::decode_step(&chunk, &mut cache, &w, Some(&ROPE));
        assert_eq!(heads_shape(&weights), [heads, tokens, start + tokens], "one weight per cached key");
        let mut steps = cached_call_steps(&chunk, &cache, &w, &ROPE);
        let q_heads = split_heads(
            &reference::apply_rope(&w.q.forward(&chunk), &(start..start + tokens).collect::<Vec<_>>(), w.d_k(), &ROPE),
            heads,
        );
        let (k_heads, v_heads) = (split_heads(&cache.keys, kv_heads), split_heads(&cache.values, kv_heads));
        let mask = reference::aligned_causal_mask(tokens, start + tokens);
        steps.extend(per_head_steps(&q_heads, &k_heads, &v_heads, |h| h / (heads / kv_heads), Some(&mask)));
        steps.push(("output", shape(&output)));
        expected.extend(steps.into_iter().map(|(name, shape)| (call, name, shape)));
    }
    assert_eq!(cache.keys.shape(), (L, kv_heads * D / heads), "the cache grew to L rows of G·d_k");
    let sizes = Sizes {
        len: Some(L),
        d_model: Some(D),
        heads: Some(heads),
        kv_heads: Some(kv_heads),
        prefill: Some(prefill),
        ..Sizes::default()
    };
    assert_calls("kv_cache", sizes, expected);
}

/// rope: one call of the cached step on an empty cache, with G = H = 3 (d_k = 4).
#[test]
fn rope_self_attention_is_one_prefill() {
    let heads = 3;
    let mut s = Sampler::new(9);
    let x = s.matrix(L, D);
    let w = s.grouped_query_weights(D, heads, heads, D / heads);
    let mut cache = reference::kv_cache::empty_cache(&w);
    let (output, _) = reference::decode_step(&x, &mut cache, &w, Some(&ROPE));
    let mut steps = cached_call_steps(&x, &cache, &w, &ROPE);
    let q_heads =
        split_heads(&reference::apply_rope(&w.q.forward(&x), &(0..L).collect::<Vec<_>>(), w.d_k(), &ROPE), heads);
    let (k_heads, v_heads) = (split_heads(&cache.keys, heads), split_heads(&cache.values, heads));
    steps.extend(per_head_steps(&q_heads, &k_heads, &v_heads, |h| h, Some(&causal_mask(L))));
    steps.push(("output", shape(&output)));
    let expected = steps.into_iter().map(|(name, shape)| (0, name, shape)).collect();
    assert_calls("rope", Sizes { len: Some(L), d_model: Some(D), heads: Some(heads), ..Sizes::default() }, expected);
}

/// sliding_window: GQA self-attention (H = 4, G = 2, d_k = 3) under the window mask of W = 2.
#[test]
fn sliding_window_attention() {
    let (heads, kv_heads, window) = (4, 2, 2);
    let mut s = Sampler::new(10);
    let x = s.matrix(L, D);
    let w = s.grouped_query_weights(D, heads, kv_heads, D / heads);
    let mask = reference::sliding_window_mask(L, L, window);
    let (q, k, v) = (w.q.forward(&x), w.k.forward(&x), w.v.forward(&x));
    let (q_heads, k_heads, v_heads) = (split_heads(&q, heads), split_heads(&k, kv_heads), split_heads(&v, kv_heads));
    let mut expected = vec![
        ("q_projected", shape(&q)),
        ("k_projected", shape(&k)),
        ("v_projected", shape(&v)),
        ("q_heads", heads_shape(&q_heads)),
        ("k_heads", heads_shape(&k_heads)),
        ("v_heads", heads_shape(&v_heads)),
    ];
    expected.extend(per_head_steps(&q_heads, &k_heads, &v_heads, |h| h / 2, Some(&mask)));
    let (output, _) = reference::grouped_query_attention(&x, &x, &x, &w, Some(&mask));
    expected.push(("output", shape(&output)));
    let sizes = Sizes {
        len: Some(L),
        d_model: Some(D),
        heads: Some(heads),
        kv_heads: Some(kv_heads),
        window: Some(window),
        ..Sizes::default()
    };
    assert_trace("sliding_window", sizes, expected);
}

/// sinks: one head over raw q (L × D), k, v (S × D), aligned causal mask; the
/// sink is one more score column.
#[test]
fn attention_with_a_sink() {
    let mut s = Sampler::new(11);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let mask = reference::aligned_causal_mask(L, S);
    let (output, weights) = reference::attention_with_sink(&q, &k, &v, 0.5, Some(&mask));
    let with_sink = vec![L, weights.ncols() + 1];
    let expected = vec![
        ("scores", shape(&(&q * k.transpose()))),
        ("scores_with_sink", with_sink.clone()),
        ("mask", with_sink.clone()),
        ("weights", with_sink),
        ("weighted_values", shape(&output)),
    ];
    let sizes = Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), causal: true, ..Sizes::default() };
    assert_trace("sinks", sizes, expected);
}

/// decoder: D = 12, H = 2, G = 1 (d_k = 6, even as RoPE needs), W = 2, a
/// prefill of 4 then one token; the sink adds one score column per head.
#[test]
fn decoder_call_by_call() {
    let (heads, kv_heads, window, prefill) = (2, 1, 2, 4);
    let mut s = Sampler::new(12);
    let x = s.matrix(L, D);
    let layer = reference::decoder::DecoderAttention {
        attn: s.grouped_query_weights(D, heads, kv_heads, D / heads),
        sinks: vec![0.0; heads],
        rope: ROPE,
        window: Some(window),
    };
    let mut cache = reference::kv_cache::empty_cache(&layer.attn);
    let mut expected = Vec::new();
    for (call, (start, tokens)) in [(0, prefill), (prefill, 1)].into_iter().enumerate() {
        let chunk = x.rows(start, tokens).into_owned();
        let (output, weights) = reference::decoder::decoder_attention_step(&chunk, &mut cache, &layer);
        let mut steps = cached_call_steps(&chunk, &cache, &layer.attn, &ROPE);
        let n = cache.keys.nrows();
        steps.push(("layer_mask", shape_of_mask(&reference::sliding_window_mask(tokens, n, window))));
        let d_k = D / heads;
        steps.push(("scores", vec![heads, tokens, n]));
        steps.push(("scores_with_sink", vec![heads, tokens, n + 1]));
        steps.push(("mask", vec![heads, tokens, n + 1]));
        steps.push(("weights", vec![heads, tokens, n + 1]));
        steps.push(("weighted_values", vec![heads, tokens, d_k]));
        steps.push(("merged", vec![tokens, heads * d_k]));
        steps.push(("output", shape(&output)));
        assert_eq!(heads_shape(&weights), [heads, tokens, n], "the sink's column is dropped");
        expected.extend(steps.into_iter().map(|(name, shape)| (call, name, shape)));
    }
    let sizes = Sizes {
        len: Some(L),
        d_model: Some(D),
        heads: Some(heads),
        kv_heads: Some(kv_heads),
        window: Some(window),
        prefill: Some(prefill),
        ..Sizes::default()
    };
    assert_calls("decoder", sizes, expected);
}

fn shape_of_mask(m: &Mask) -> Vec<usize> {
    vec![m.nrows(), m.ncols()]
}

/// flash: L = 5 queries, S = 7 keys, blocks 2 × 3, aligned causal (query i at
/// i + 2). Query block 0 (last query at 3) needs keys 0..3: key blocks at 0 and 3;
/// block 1 (last at 5) the same two; block 2 (query 4, at 6) all three, the
/// last one a single key. Consecutive tiles of one shape are one row, ×repeats.
#[test]
fn flash_attention_tiles() {
    let mut s = Sampler::new(13);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let (output, lse) = reference::flash_attention(&q, &k, &v, true, 2, 3);
    assert_eq!((output.shape(), lse.len()), ((L, D), L));
    let sizes = Sizes {
        len: Some(L),
        kv_len: Some(S),
        d_model: Some(D),
        causal: true,
        block_q: Some(2),
        block_k: Some(3),
        ..Sizes::default()
    };
    let run = trace::run(variant("flash").unwrap(), &Sizes { batch: Some(N), ..sizes.clone() }).unwrap();
    let traced: Vec<(&str, Vec<usize>, usize)> =
        run.measurement.steps.iter().map(|s| (s.name, s.shape.clone(), s.repeats)).collect();
    let expected = vec![
        ("score_tile", vec![N, 2, 3], 2),
        ("block_output", vec![N, 2, D], 1),
        ("score_tile", vec![N, 2, 3], 2),
        ("block_output", vec![N, 2, D], 1),
        ("score_tile", vec![N, 1, 3], 2),
        ("score_tile", vec![N, 1, 1], 1),
        ("block_output", vec![N, 1, D], 1),
    ];
    assert_eq!(traced, expected);
    assert_eq!(run.measurement.weights_shape, [N, lse.len()], "one log-sum-exp per query, no weights");
    // Without the mask every query block meets every key block: 3 · 3 tiles.
    let full = trace::run(variant("flash").unwrap(), &Sizes { batch: Some(N), causal: false, ..sizes }).unwrap();
    let tiles: usize = full.measurement.steps.iter().filter(|s| s.name == "score_tile").map(|s| s.repeats).sum();
    assert_eq!(tiles, 9);
}

// ---- positions and the 2024–25 architectures ----

/// alibi: L = 5, D = 12, H = 3 (d_k = 4). The reference reports per head only its
/// biased scores, mask, weights and weighted values, then the output.
#[test]
fn alibi_self_attention_steps() {
    let heads = 3;
    let mut s = Sampler::new(14);
    let x = s.matrix(L, D);
    let w = s.multi_head_weights(D, heads);
    let (output, weights) = reference::alibi_self_attention(&x, &w);
    let (q, k, v) = (
        split_heads(&w.q.forward(&x), heads),
        split_heads(&w.k.forward(&x), heads),
        split_heads(&w.v.forward(&x), heads),
    );
    let scores: Vec<Matrix> = q.iter().zip(&k).map(|(q, k)| q * k.transpose()).collect();
    let values: Vec<Matrix> = weights.iter().zip(&v).map(|(p, v)| p * v).collect();
    let expected = vec![
        ("biased_scores", heads_shape(&scores)),
        ("mask", vec![heads, L, L]),
        ("weights", heads_shape(&weights)),
        ("weighted_values", heads_shape(&values)),
        ("output", shape(&output)),
    ];
    assert_trace("alibi", Sizes { len: Some(L), d_model: Some(D), heads: Some(heads), ..Sizes::default() }, expected);
}

/// sinusoidal: the (L × D) positions, then self-attention over x + PE (D = 12, H = 2).
#[test]
fn sinusoidal_positions_then_self_attention() {
    let heads = 2;
    let mut s = Sampler::new(15);
    let x = s.matrix(L, D);
    let w = s.multi_head_weights(D, heads);
    let positions = reference::sinusoidal::sinusoidal_positions(L, D);
    let with_positions = &x + &positions;
    let (output, _) = reference::self_attention(&with_positions, &w, None);
    let mut expected = vec![("positions", shape(&positions))];
    expected.extend(multi_head_steps(&with_positions, &with_positions, &with_positions, &w, None));
    expected.push(("output", shape(&output)));
    assert_trace(
        "sinusoidal",
        Sizes { len: Some(L), d_model: Some(D), heads: Some(heads), ..Sizes::default() },
        expected,
    );
}

/// mla: L = 5, D = 12, H = 2 (d_n = d_v = 6), d_c = 7, d_r = 4, a prefill of 3 then
/// two single-token calls, each run here on one cache; `absorbed` picks the form.
fn mla_call_by_call(absorbed: bool) {
    use attn_quiz::reference::mla::{empty_mla_cache, mla_decode_step};
    use attn_quiz::reference::mla_absorbed::mla_decode_step_absorbed;
    use attn_quiz::sample::MlaSizes;
    let (heads, d_c, d_r, prefill) = (2, 7, 4, 3);
    let mut s = Sampler::new(16);
    let x = s.matrix(L, D);
    let w = s.mla_weights(D, heads, MlaSizes { d_c, d_n: D / heads, d_r, d_v: D / heads });
    let mut cache = empty_mla_cache(&w);
    let mut expected = Vec::new();
    for (call, (start, tokens)) in [(0, prefill), (prefill, 1), (prefill + 1, 1)].into_iter().enumerate() {
        let chunk = x.rows(start, tokens).into_owned();
        let step = if absorbed { mla_decode_step_absorbed } else { mla_decode_step };
        let (output, weights) = step(&chunk, &mut cache, &w, &ROPE);
        let rows = cache.latent.nrows();
        assert_eq!((rows, heads_shape(&weights)), (start + tokens, vec![heads, tokens, rows]));
        let new_latent = cache.latent.rows(start, tokens).into_owned();
        let new_rope_key = cache.rope_keys.rows(start, tokens).into_owned();
        let mut steps = vec![("latent", shape(&new_latent)), ("rope_key", shape(&new_rope_key))];
        let q_content = split_heads(&w.q.forward(&chunk), heads)[0].columns(0, D / heads).into_owned();
        let k_up = split_heads(&w.k_up, heads);
        if absorbed {
            steps.push(("q_latent", [vec![heads], shape(&(&q_content * k_up[0].transpose()))].concat()));
        } else {
            let content_keys = split_heads(&(&cache.latent * &w.k_up), heads);
            steps.push(("k_heads", vec![heads, rows, content_keys[0].ncols() + cache.rope_keys.ncols()]));
        }
        let value_width = if absorbed { cache.latent.ncols() } else { w.v_up.ncols() / heads };
        steps.extend([
            ("scores", heads_shape(&weights)),
            ("mask", heads_shape(&weights)),
            ("weights", heads_shape(&weights)),
            ("weighted_values", vec![heads, tokens, value_width]),
            ("output", shape(&output)),
            ("cached_latent", shape(&cache.latent)),
            ("cached_rope_keys", shape(&cache.rope_keys)),
        ]);
        expected.extend(steps.into_iter().map(|(name, shape)| (call, name, shape)));
    }
    let sizes = Sizes {
        len: Some(L),
        d_model: Some(D),
        heads: Some(heads),
        prefill: Some(prefill),
        latent: Some(d_c),
        rope_dim: Some(d_r),
        absorbed,
        ..Sizes::default()
    };
    assert_calls("mla", sizes, expected);
}

#[test]
fn mla_naive_call_by_call() {
    mla_call_by_call(false);
}

#[test]
fn mla_absorbed_call_by_call() {
    mla_call_by_call(true);
}

/// linear_attention: L = 5 queries over S = 7 keys of width D = 12: the state S is
/// (d_k × d_v), and no (L × S) matrix is reported.
#[test]
fn linear_attention_reports_its_state_not_weights() {
    let mut s = Sampler::new(17);
    let (q, k, v) = (s.matrix(L, D), s.matrix(S, D), s.matrix(S, D));
    let (output, steps) = attn_quiz::trace::record(|| reference::linear_attention(&q, &k, &v, true));
    let state = steps.iter().find(|s| s.name == "state").unwrap().shape;
    let expected = vec![("state", vec![state.0, state.1]), ("output", shape(&output))];
    let sizes = Sizes { len: Some(L), kv_len: Some(S), d_model: Some(D), ..Sizes::default() };
    assert_trace("linear_attention", sizes.clone(), expected);
    let run = trace::run(variant("linear_attention").unwrap(), &Sizes { batch: Some(N), ..sizes }).unwrap();
    assert_eq!(run.measurement.weights_shape, [N, D, D], "the final state, not L × S weights");
    assert_eq!(run.measurement.state_bytes, ((D * D + D) * 4) as u64, "S and z");
    assert_eq!(run.measurement.kv_cache_bytes_per_token, 0);
}

/// differential: L = 5, D = 12, H = 2 (halves d = 3, values 6), causal: each head
/// reports two maps, so the SDPA steps count 2H = 4 heads, the difference H = 2.
#[test]
fn differential_attention_steps() {
    let heads = 2;
    let mut s = Sampler::new(18);
    let x = s.matrix(L, D);
    let w = s.differential_weights(D, heads, D / (2 * heads), 0);
    let mask = causal_mask(L);
    let (output, maps) = reference::differential::differential_attention(&x, &w, Some(&mask));
    let (q, k, v) = (
        split_heads(&w.attn.q.forward(&x), 2 * heads),
        split_heads(&w.attn.k.forward(&x), 2 * heads),
        split_heads(&w.attn.v.forward(&x), heads),
    );
    let scores: Vec<Matrix> = q.iter().zip(&k).map(|(q, k)| q * k.transpose()).collect();
    let values: Vec<Matrix> = (0..2 * heads).map(|h| &maps[h / 2] * &v[h / 2]).collect();
    let expected = vec![
        ("scores", heads_shape(&scores)),
        ("mask", vec![2 * heads, L, L]),
        ("weights", vec![2 * heads, L, L]),
        ("weighted_values", heads_shape(&values)),
        ("difference", heads_shape(&v)),
        ("output", shape(&output)),
    ];
    let sizes = Sizes { len: Some(L), d_model: Some(D), heads: Some(heads), causal: true, ..Sizes::default() };
    assert_trace("differential", sizes, expected);
}
