//! Bad shapes are reported in words: every `try_` function returns the right
//! [`ShapeError`], and its panicking twin (the exercise signature) panics with
//! the same message, never with an index panic from inside nalgebra.
//!
//! Each scenario below builds its inputs once; one test checks the `try_`
//! function's error, another the twin's panic message.

use attn_quiz::prelude::*;
use attn_quiz::reference::additive::try_additive_attention;
use attn_quiz::reference::batched::{
    batched_multi_head_attention, batched_scaled_dot_product_attention, try_batched_multi_head_attention,
    try_batched_scaled_dot_product_attention,
};
use attn_quiz::reference::luong::{try_luong_dot_attention, try_luong_general_attention};
use attn_quiz::reference::softmax::try_masked_softmax_rows;
use attn_quiz::reference::{
    additive_attention, cross_attention, gated_self_attention, grouped_query_attention, luong_dot_attention,
    luong_general_attention, masked_softmax_rows, multi_head_attention, scaled_dot_product_attention, self_attention,
    try_cross_attention, try_gated_self_attention, try_grouped_query_attention, try_multi_head_attention,
    try_scaled_dot_product_attention, try_self_attention,
};
use attn_quiz::sample::Sampler;

/// A (rows × cols) matrix; the values do not matter here, only the shape.
fn m(rows: usize, cols: usize) -> Matrix {
    Matrix::from_element(rows, cols, 0.5)
}

/// Multi-head weights for d_model = 4 with `heads` heads.
fn weights(heads: usize) -> MultiHeadWeights {
    MultiHeadWeights { num_heads: heads, ..Sampler::new(1).multi_head_weights(4, 4) }
}

/// Grouped-query weights for d_model = 4, H query heads and G key/value heads of width 2.
fn gqa_weights(heads: usize, kv_heads: usize) -> GroupedQueryWeights {
    Sampler::new(1).grouped_query_weights(4, heads, kv_heads, 2)
}

/// A mask that fits nothing below: 3 × 2.
fn mask_3x2() -> Mask {
    Mask::from_element(3, 2, true)
}

// ---------------------------------------------------------------------------
// Scaled dot-product attention and softmax
// ---------------------------------------------------------------------------

/// q (2 × 4) but k (3 × 3): queries and keys of different widths.
fn narrow_keys() -> (Matrix, Matrix, Matrix) {
    (m(2, 4), m(3, 3), m(3, 2))
}

#[test]
fn sdpa_rejects_keys_narrower_than_queries() {
    let (q, k, v) = narrow_keys();
    let expected =
        ShapeError::Mismatch { what: "key width (columns of k, must equal columns of q)", expected: 4, got: 3 };
    assert_eq!(try_scaled_dot_product_attention(&q, &k, &v, None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: key width (columns of k, must equal columns of q) must be 4, got 3")]
fn sdpa_panics_on_keys_narrower_than_queries() {
    let (q, k, v) = narrow_keys();
    scaled_dot_product_attention(&q, &k, &v, None);
}

/// k has 3 rows but v has 2: keys and values of different lengths.
fn short_values() -> (Matrix, Matrix, Matrix) {
    (m(2, 4), m(3, 4), m(2, 4))
}

#[test]
fn sdpa_rejects_fewer_values_than_keys() {
    let (q, k, v) = short_values();
    let expected = ShapeError::Mismatch { what: "value length (rows of v, must equal rows of k)", expected: 3, got: 2 };
    assert_eq!(try_scaled_dot_product_attention(&q, &k, &v, None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: value length (rows of v, must equal rows of k) must be 3, got 2")]
fn sdpa_panics_on_fewer_values_than_keys() {
    let (q, k, v) = short_values();
    scaled_dot_product_attention(&q, &k, &v, None);
}

/// Two queries and three keys, so the mask must be 2 × 3, not 3 × 2.
fn transposed_mask() -> (Matrix, Matrix, Matrix, Mask) {
    (m(2, 4), m(3, 4), m(3, 4), mask_3x2())
}

#[test]
fn sdpa_rejects_a_transposed_mask() {
    let (q, k, v, mask) = transposed_mask();
    let expected = ShapeError::MaskShape { expected_rows: 2, expected_cols: 3, got_rows: 3, got_cols: 2 };
    assert_eq!(try_scaled_dot_product_attention(&q, &k, &v, Some(&mask)), Err(expected));
}

#[test]
#[should_panic(expected = "mask shape: expected 2x3 (l_q x l_k), got 3x2")]
fn sdpa_panics_on_a_transposed_mask() {
    let (q, k, v, mask) = transposed_mask();
    scaled_dot_product_attention(&q, &k, &v, Some(&mask));
}

#[test]
fn masked_softmax_rejects_a_mask_of_another_shape() {
    let expected = ShapeError::MaskShape { expected_rows: 2, expected_cols: 3, got_rows: 3, got_cols: 2 };
    assert_eq!(try_masked_softmax_rows(&m(2, 3), Some(&mask_3x2())), Err(expected));
}

#[test]
#[should_panic(expected = "mask shape: expected 2x3 (l_q x l_k), got 3x2")]
fn masked_softmax_panics_on_a_mask_of_another_shape() {
    masked_softmax_rows(&m(2, 3), Some(&mask_3x2()));
}

// ---------------------------------------------------------------------------
// Multi-head, self- and cross-attention
// ---------------------------------------------------------------------------

#[test]
fn mha_rejects_heads_that_do_not_divide_the_width() {
    let x = m(2, 4);
    let expected = ShapeError::HeadsDoNotDivide { what: "q projection width", width: 4, heads: 3 };
    assert_eq!(try_multi_head_attention(&x, &x, &x, &weights(3), None), Err(expected));
}

#[test]
#[should_panic(expected = "q projection width = 4 is not divisible by the number of heads 3")]
fn mha_panics_on_heads_that_do_not_divide_the_width() {
    let x = m(2, 4);
    multi_head_attention(&x, &x, &x, &weights(3), None);
}

#[test]
fn mha_rejects_zero_heads() {
    let x = m(2, 4);
    assert_eq!(try_multi_head_attention(&x, &x, &x, &weights(0), None), Err(ShapeError::Zero { what: "num_heads" }));
}

#[test]
#[should_panic(expected = "num_heads must be at least 1")]
fn mha_panics_on_zero_heads() {
    let x = m(2, 4);
    multi_head_attention(&x, &x, &x, &weights(0), None);
}

#[test]
fn mha_rejects_queries_of_the_wrong_width() {
    let (query, x) = (m(2, 5), m(3, 4));
    let expected = ShapeError::Mismatch { what: "query width (columns of query)", expected: 4, got: 5 };
    assert_eq!(try_multi_head_attention(&query, &x, &x, &weights(2), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: query width (columns of query) must be 4, got 5")]
fn mha_panics_on_queries_of_the_wrong_width() {
    let (query, x) = (m(2, 5), m(3, 4));
    multi_head_attention(&query, &x, &x, &weights(2), None);
}

#[test]
fn mha_rejects_keys_and_values_of_different_lengths() {
    let (query, key, value) = short_values();
    let expected = ShapeError::Mismatch { what: "value length (rows of v, must equal rows of k)", expected: 3, got: 2 };
    assert_eq!(try_multi_head_attention(&query, &key, &value, &weights(2), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: value length (rows of v, must equal rows of k) must be 3, got 2")]
fn mha_panics_on_keys_and_values_of_different_lengths() {
    let (query, key, value) = short_values();
    multi_head_attention(&query, &key, &value, &weights(2), None);
}

#[test]
fn mha_rejects_a_transposed_mask() {
    let (query, key, value, mask) = transposed_mask();
    let expected = ShapeError::MaskShape { expected_rows: 2, expected_cols: 3, got_rows: 3, got_cols: 2 };
    assert_eq!(try_multi_head_attention(&query, &key, &value, &weights(2), Some(&mask)), Err(expected));
}

#[test]
#[should_panic(expected = "mask shape: expected 2x3 (l_q x l_k), got 3x2")]
fn mha_panics_on_a_transposed_mask() {
    let (query, key, value, mask) = transposed_mask();
    multi_head_attention(&query, &key, &value, &weights(2), Some(&mask));
}

#[test]
fn self_attention_rejects_a_mask_that_is_not_square() {
    let expected = ShapeError::MaskShape { expected_rows: 3, expected_cols: 3, got_rows: 3, got_cols: 2 };
    assert_eq!(try_self_attention(&m(3, 4), &weights(2), Some(&mask_3x2())), Err(expected));
}

#[test]
#[should_panic(expected = "mask shape: expected 3x3 (l_q x l_k), got 3x2")]
fn self_attention_panics_on_a_mask_that_is_not_square() {
    self_attention(&m(3, 4), &weights(2), Some(&mask_3x2()));
}

#[test]
fn cross_attention_rejects_memory_of_the_wrong_width() {
    let expected = ShapeError::Mismatch { what: "key width (columns of key)", expected: 4, got: 3 };
    assert_eq!(try_cross_attention(&m(2, 4), &m(5, 3), &weights(2), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: key width (columns of key) must be 4, got 3")]
fn cross_attention_panics_on_memory_of_the_wrong_width() {
    cross_attention(&m(2, 4), &m(5, 3), &weights(2), None);
}

// ---------------------------------------------------------------------------
// Gated and grouped-query attention
// ---------------------------------------------------------------------------

/// Gated weights whose gate is 5 wide while the heads are 4 wide.
fn gate_too_wide() -> GatedWeights {
    GatedWeights { attn: weights(2), gate: Linear::without_bias(m(4, 5)) }
}

#[test]
fn gated_rejects_a_gate_wider_than_the_heads() {
    let expected = ShapeError::Mismatch { what: "gate width (must equal the v projection width)", expected: 4, got: 5 };
    assert_eq!(try_gated_self_attention(&m(3, 4), &gate_too_wide(), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: gate width (must equal the v projection width) must be 4, got 5")]
fn gated_panics_on_a_gate_wider_than_the_heads() {
    gated_self_attention(&m(3, 4), &gate_too_wide(), None);
}

#[test]
fn gqa_rejects_kv_heads_that_do_not_divide_the_heads() {
    let x = m(2, 4);
    let expected = ShapeError::KvHeadsDoNotDivide { heads: 4, kv_heads: 3 };
    assert_eq!(try_grouped_query_attention(&x, &x, &x, &gqa_weights(4, 3), None), Err(expected));
}

#[test]
#[should_panic(expected = "num_heads = 4 is not divisible by num_kv_heads = 3")]
fn gqa_panics_on_kv_heads_that_do_not_divide_the_heads() {
    let x = m(2, 4);
    grouped_query_attention(&x, &x, &x, &gqa_weights(4, 3), None);
}

#[test]
fn gqa_rejects_zero_heads() {
    let x = m(2, 4);
    let expected = ShapeError::Zero { what: "num_heads" };
    assert_eq!(try_grouped_query_attention(&x, &x, &x, &gqa_weights(0, 1), None), Err(expected));
}

#[test]
#[should_panic(expected = "num_heads must be at least 1")]
fn gqa_panics_on_zero_heads() {
    let x = m(2, 4);
    grouped_query_attention(&x, &x, &x, &gqa_weights(0, 1), None);
}

#[test]
fn gqa_rejects_zero_kv_heads() {
    let x = m(2, 4);
    let expected = ShapeError::Zero { what: "num_kv_heads" };
    assert_eq!(try_grouped_query_attention(&x, &x, &x, &gqa_weights(2, 0), None), Err(expected));
}

#[test]
#[should_panic(expected = "num_kv_heads must be at least 1")]
fn gqa_panics_on_zero_kv_heads() {
    let x = m(2, 4);
    grouped_query_attention(&x, &x, &x, &gqa_weights(2, 0), None);
}

#[test]
fn gqa_rejects_a_transposed_mask() {
    let (query, key, value, mask) = transposed_mask();
    let expected = ShapeError::MaskShape { expected_rows: 2, expected_cols: 3, got_rows: 3, got_cols: 2 };
    assert_eq!(try_grouped_query_attention(&query, &key, &value, &gqa_weights(4, 2), Some(&mask)), Err(expected));
}

#[test]
#[should_panic(expected = "mask shape: expected 2x3 (l_q x l_k), got 3x2")]
fn gqa_panics_on_a_transposed_mask() {
    let (query, key, value, mask) = transposed_mask();
    grouped_query_attention(&query, &key, &value, &gqa_weights(4, 2), Some(&mask));
}

// ---------------------------------------------------------------------------
// Additive and Luong attention
// ---------------------------------------------------------------------------

/// Additive weights for d_q = 3, d_k = 2, d_a = 5.
fn additive_weights() -> AdditiveWeights {
    Sampler::new(1).additive_weights(3, 2, 5)
}

#[test]
fn additive_rejects_queries_that_do_not_fit_w_q() {
    let expected =
        ShapeError::Mismatch { what: "query width (columns of q, must equal rows of w_q)", expected: 3, got: 2 };
    assert_eq!(try_additive_attention(&m(1, 2), &m(4, 2), &m(4, 1), &additive_weights(), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: query width (columns of q, must equal rows of w_q) must be 3, got 2")]
fn additive_panics_on_queries_that_do_not_fit_w_q() {
    additive_attention(&m(1, 2), &m(4, 2), &m(4, 1), &additive_weights(), None);
}

/// Additive weights whose v_a has 4 entries for a 5-wide alignment space.
fn short_v_a() -> AdditiveWeights {
    AdditiveWeights { v_a: RowVector::zeros(4), ..additive_weights() }
}

#[test]
fn additive_rejects_a_v_a_of_the_wrong_length() {
    let expected = ShapeError::Mismatch { what: "length of v_a (must equal columns of w_q)", expected: 5, got: 4 };
    assert_eq!(try_additive_attention(&m(1, 3), &m(4, 2), &m(4, 1), &short_v_a(), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: length of v_a (must equal columns of w_q) must be 5, got 4")]
fn additive_panics_on_a_v_a_of_the_wrong_length() {
    additive_attention(&m(1, 3), &m(4, 2), &m(4, 1), &short_v_a(), None);
}

#[test]
fn luong_dot_rejects_keys_narrower_than_queries() {
    let (q, k, v) = narrow_keys();
    let expected =
        ShapeError::Mismatch { what: "key width (columns of k, must equal columns of q)", expected: 4, got: 3 };
    assert_eq!(try_luong_dot_attention(&q, &k, &v, None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: key width (columns of k, must equal columns of q) must be 4, got 3")]
fn luong_dot_panics_on_keys_narrower_than_queries() {
    let (q, k, v) = narrow_keys();
    luong_dot_attention(&q, &k, &v, None);
}

#[test]
fn luong_general_rejects_keys_that_do_not_fit_w_a() {
    let (q, k, v) = narrow_keys();
    let expected =
        ShapeError::Mismatch { what: "key width (columns of k, must equal columns of w_a)", expected: 4, got: 3 };
    assert_eq!(try_luong_general_attention(&q, &k, &v, &m(4, 4), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: key width (columns of k, must equal columns of w_a) must be 4, got 3")]
fn luong_general_panics_on_keys_that_do_not_fit_w_a() {
    let (q, k, v) = narrow_keys();
    luong_general_attention(&q, &k, &v, &m(4, 4), None);
}

// ---------------------------------------------------------------------------
// Batches and linear layers
// ---------------------------------------------------------------------------

/// Two query sequences but only one key sequence.
fn batch_missing_a_key() -> (Vec<Matrix>, Vec<Matrix>, Vec<Matrix>) {
    (vec![m(2, 4), m(2, 4)], vec![m(3, 4)], vec![m(3, 4), m(3, 4)])
}

#[test]
fn batched_sdpa_rejects_batches_of_different_sizes() {
    let (q, k, v) = batch_missing_a_key();
    let expected =
        ShapeError::Mismatch { what: "batch size of keys (must equal the batch size of queries)", expected: 2, got: 1 };
    assert_eq!(try_batched_scaled_dot_product_attention(&q, &k, &v, None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: batch size of keys (must equal the batch size of queries) must be 2, got 1")]
fn batched_sdpa_panics_on_batches_of_different_sizes() {
    let (q, k, v) = batch_missing_a_key();
    batched_scaled_dot_product_attention(&q, &k, &v, None);
}

#[test]
fn batched_mha_rejects_batches_of_different_sizes() {
    let (q, k, v) = batch_missing_a_key();
    let expected =
        ShapeError::Mismatch { what: "batch size of keys (must equal the batch size of queries)", expected: 2, got: 1 };
    assert_eq!(try_batched_multi_head_attention(&q, &k, &v, &weights(2), None), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: batch size of keys (must equal the batch size of queries) must be 2, got 1")]
fn batched_mha_panics_on_batches_of_different_sizes() {
    let (q, k, v) = batch_missing_a_key();
    batched_multi_head_attention(&q, &k, &v, &weights(2), None);
}

#[test]
fn batched_sdpa_rejects_a_bad_element() {
    let (q, k) = (vec![m(2, 4), m(2, 4)], vec![m(3, 4), m(3, 3)]);
    let expected =
        ShapeError::Mismatch { what: "key width (columns of k, must equal columns of q)", expected: 4, got: 3 };
    assert_eq!(try_batched_scaled_dot_product_attention(&q, &k, &k, None), Err(expected));
}

#[test]
fn linear_rejects_inputs_of_the_wrong_width() {
    let layer = Linear::without_bias(m(3, 2));
    let expected = ShapeError::Mismatch { what: "input width (columns of x) of a linear layer", expected: 3, got: 2 };
    assert_eq!(layer.try_forward(&m(1, 2)), Err(expected));
}

#[test]
#[should_panic(expected = "shape mismatch: input width (columns of x) of a linear layer must be 3, got 2")]
fn linear_panics_on_inputs_of_the_wrong_width() {
    Linear::without_bias(m(3, 2)).forward(&m(1, 2));
}

#[test]
fn linear_rejects_a_bias_of_the_wrong_length() {
    let layer = Linear::new(m(3, 2), RowVector::zeros(3));
    let expected = ShapeError::Mismatch { what: "bias length of a linear layer", expected: 2, got: 3 };
    assert_eq!(layer.try_forward(&m(1, 3)), Err(expected));
}
