//! Grouped-query attention (GQA) and multi-query attention (MQA): fewer
//! key/value heads than query heads.
//!
//! **Versus multi-head attention:** the key and value projections make only G
//! heads (G divides H); each group of H/G consecutive query heads shares one:
//!
//! ```text
//! head_h = Attention(Q_h, K_{g(h)}, V_{g(h)}),   g(h) = h / (H / G)   (integer division)
//! ```
//!
//! G = H is multi-head attention; G = 1 is multi-query attention (Shazeer,
//! 2019, "Fast Transformer Decoding: One Write-Head is All You Need"); GQA is
//! Ainslie et al., 2023. The point is the **KV cache**: during decoding every
//! past token keeps its keys and values, 2·G·d_k numbers per layer instead of
//! 2·H·d_k, so the cache (and the memory traffic that bounds decoding speed)
//! shrinks by H/G while quality stays close to multi-head attention.
//!
//! Pitfall: the mapping is `h / (H/G)` — consecutive query heads share a KV
//! head, as PyTorch's `repeat_interleave` and `enable_gqa` do — not `h % G`,
//! which interleaves them and silently pairs queries with the wrong keys.
//!
//! ```
//! use attn_quiz::reference::gqa::kv_head_for;
//! // H = 8 query heads, G = 2 KV heads: heads 0..=3 use KV head 0, 4..=7 use KV head 1.
//! let map: Vec<usize> = (0..8).map(|h| kv_head_for(h, 8, 2)).collect();
//! assert_eq!(map, [0, 0, 0, 0, 1, 1, 1, 1]);
//! ```

use crate::error::{ShapeError, expect_divisible, expect_eq, or_panic};
use crate::layers::GroupedQueryWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference::heads::{attend_each_head, merge_heads, split_heads};
use crate::reference::sdpa::check_keys_values;
use crate::trace;

/// Grouped-query attention: H query heads over G shared key/value heads.
///
/// Shapes: query (l_q × D), key, value (l_k × D), weights q (D × H·d_k),
/// k (D × G·d_k), v (D × G·d_v), o (H·d_v × D_out), mask (l_q × l_k)
/// -> (output (l_q × D_out), H weights (l_q × l_k)).
///
/// # Panics
/// If the shapes do not fit (including G not dividing H); see
/// [`try_grouped_query_attention`].
#[track_caller]
pub fn grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> (Matrix, Vec<Matrix>) {
    or_panic(try_grouped_query_attention(query, key, value, w, mask))
}

/// [`grouped_query_attention`] that reports bad shapes as an error.
pub fn try_grouped_query_attention(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> Result<(Matrix, Vec<Matrix>), ShapeError> {
    check_shapes(query, key, value, w, mask)?;
    let (h, g) = (w.num_heads, w.num_kv_heads);
    // 1. Project: H heads' worth of queries, only G heads' worth of keys and values.
    let q = w.q.try_forward(query)?; // (l_q, D)·(D, H·d_k) -> (l_q, H·d_k)
    let k = w.k.try_forward(key)?; // (l_k, D)·(D, G·d_k) -> (l_k, G·d_k)
    let v = w.v.try_forward(value)?; // (l_k, D)·(D, G·d_v) -> (l_k, G·d_v)
    trace::step("q_projected", &q);
    trace::step("k_projected", &k);
    trace::step("v_projected", &v);
    // 2. Split into H query heads and G key/value heads.
    let q_heads = split_heads(&q, h); // H × (l_q, d_k)
    let k_heads = split_heads(&k, g); // G × (l_k, d_k)
    let v_heads = split_heads(&v, g); // G × (l_k, d_v)
    trace::step_each("q_heads", &q_heads);
    trace::step_each("k_heads", &k_heads);
    trace::step_each("v_heads", &v_heads);
    // 3. Query head h attends with key/value head h / (H/G).
    let (head_outputs, weights) = attend_each_head(&q_heads, &k_heads, &v_heads, |i| kv_head_for(i, h, g), mask);
    // 4. Concatenate the H head outputs and project.
    let concat = merge_heads(&head_outputs); // H × (l_q, d_v) -> (l_q, H·d_v)
    trace::step("merged", &concat);
    let output = w.o.try_forward(&concat)?; // (l_q, H·d_v)·(H·d_v, D_out) -> (l_q, D_out)
    trace::step("output", &output);
    Ok((output, weights))
}

/// The key/value head that query head `h` reads, with H query and G KV heads.
///
/// `h / (H / G)`: consecutive groups of H/G query heads share one KV head.
///
/// # Panics
/// If G is 0 or larger than H (the variants check G divides H first).
pub fn kv_head_for(h: usize, num_heads: usize, num_kv_heads: usize) -> usize {
    h / (num_heads / num_kv_heads)
}

/// Checks inputs, projections, head counts and mask against each other.
pub(crate) fn check_shapes(
    query: &Matrix,
    key: &Matrix,
    value: &Matrix,
    w: &GroupedQueryWeights,
    mask: Option<&Mask>,
) -> Result<(), ShapeError> {
    let (h, g) = (w.num_heads, w.num_kv_heads);
    if g == 0 {
        return Err(ShapeError::Zero { what: "num_kv_heads" });
    }
    expect_divisible("q projection width", w.q.out_features(), h)?;
    expect_divisible("k projection width", w.k.out_features(), g)?;
    expect_divisible("v projection width", w.v.out_features(), g)?;
    if !h.is_multiple_of(g) {
        return Err(ShapeError::KvHeadsDoNotDivide { heads: h, kv_heads: g });
    }
    expect_eq(
        "per-head key width (k width / G, must equal q width / H)",
        w.q.out_features() / h,
        w.k.out_features() / g,
    )?;
    expect_eq("o projection input (must equal H · d_v)", h * (w.v.out_features() / g), w.o.in_features())?;
    expect_eq("query width (columns of query)", w.q.in_features(), query.ncols())?;
    expect_eq("key width (columns of key)", w.k.in_features(), key.ncols())?;
    expect_eq("value width (columns of value)", w.v.in_features(), value.ncols())?;
    check_keys_values(key, value, mask, query.nrows())
}
