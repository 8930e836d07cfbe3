//! The fast path (`attn_quiz::fast`) against PyTorch's golden cases and
//! against the reference, for any block size and thread count. Speed is
//! measured by `benches/speed.sh`, never asserted here.

#[allow(dead_code)] // only some of the shared helpers are used here
mod common;

use attn_quiz::fast::{self, Kernel, Options};
use attn_quiz::layers::{GroupedQueryWeights, Linear, MultiHeadWeights};
use attn_quiz::prelude::{Mask, Matrix, RowVector};
use attn_quiz::reference::{
    aligned_causal_mask, flash_attention, grouped_query_attention, multi_head_attention, scaled_dot_product_attention,
};
use attn_quiz::sample::Sampler;
use common::{Check, close};
use quickcheck::{QuickCheck, TestResult};
use serde_json::Value;
use std::path::Path;

// ---- golden cases: those with no mask or the aligned causal mask ----

#[test]
fn one_head_matches_the_sdpa_and_causal_fixtures() {
    let mut used = 0;
    for kind in ["sdpa", "causal"] {
        for case in cases(kind) {
            let inputs = &case["inputs"];
            let (q, k, v) = (matrix(&inputs["q"]), matrix(&inputs["k"]), matrix(&inputs["v"]));
            let Some(causal) =
                (if kind == "causal" { Some(true) } else { mask_kind(&inputs["mask"], q.nrows(), k.nrows()) })
            else {
                continue;
            };
            for options in option_grid(q.nrows()) {
                let (out, _) = fast::attention(&q, &k, &v, causal, &options);
                report(&case, &options, close("output", &out, &matrix(&case["expected"]["output"])));
            }
            used += 1;
        }
    }
    assert!(used >= 10, "only {used} cases had no mask or a causal one");
}

#[test]
fn one_head_matches_the_flash_fixtures_output_and_lse() {
    for case in cases("flash") {
        let inputs = &case["inputs"];
        let (q, k, v) = (matrix(&inputs["q"]), matrix(&inputs["k"]), matrix(&inputs["v"]));
        let causal = inputs["causal"].as_bool().expect("causal is a bool");
        for options in option_grid(q.nrows()) {
            let (out, lse) = fast::attention(&q, &k, &v, causal, &options);
            report(&case, &options, close("output", &out, &matrix(&case["expected"]["output"])));
            let expected_lse: Vec<f32> = numbers(&case["expected"]["lse"]);
            let lse = Matrix::from_column_slice(lse.len(), 1, lse.as_slice());
            report(
                &case,
                &options,
                close("lse", &lse, &Matrix::from_column_slice(expected_lse.len(), 1, &expected_lse)),
            );
        }
    }
}

#[test]
fn heads_match_the_mha_and_gqa_fixtures() {
    let mut used = 0;
    for kind in ["mha", "gqa"] {
        for case in cases(kind) {
            let inputs = &case["inputs"];
            let (query, key, value) = (matrix(&inputs["query"]), matrix(&inputs["key"]), matrix(&inputs["value"]));
            let Some(causal) = mask_kind(&inputs["mask"], query.nrows(), key.nrows()) else { continue };
            let w = &inputs["weights"];
            let heads = inputs["num_heads"].as_u64().unwrap() as usize;
            let kv_heads = inputs.get("num_kv_heads").and_then(Value::as_u64).map_or(heads, |g| g as usize);
            let gqa = GroupedQueryWeights {
                q: linear(&w["q"]),
                k: linear(&w["k"]),
                v: linear(&w["v"]),
                o: linear(&w["o"]),
                num_heads: heads,
                num_kv_heads: kv_heads,
            };
            for options in option_grid(query.nrows()) {
                let out = if kind == "mha" {
                    let mha = MultiHeadWeights {
                        q: gqa.q.clone(),
                        k: gqa.k.clone(),
                        v: gqa.v.clone(),
                        o: gqa.o.clone(),
                        num_heads: heads,
                    };
                    fast::multi_head_attention(&query, &key, &value, &mha, causal, &options)
                } else {
                    fast::grouped_query_attention(&query, &key, &value, &gqa, causal, &options)
                };
                report(&case, &options, close("output", &out, &matrix(&case["expected"]["output"])));
            }
            used += 1;
        }
    }
    assert!(used >= 8, "only {used} cases had no mask or a causal one");
}

// ---- properties: equal to the reference for any block size and thread count ----

/// Sizes the properties draw from.
fn sizes(seed: u64, causal: bool) -> (usize, usize, usize, usize, Options) {
    let mut pick = Picker(seed);
    let l_k = pick.below(40);
    let l_q = if causal { pick.below(l_k) } else { pick.below(40) };
    let (d_k, d_v) = (pick.below(9), pick.below(9));
    let kernel = if pick.below(2) == 1 { Kernel::Auto } else { Kernel::Portable };
    let options =
        Options { block_q: pick.below(l_q + 2), block_k: pick.below(l_k + 2), threads: pick.below(3), kernel };
    (l_q, l_k, d_k, d_v, options)
}

#[test]
fn one_head_is_reference_sdpa_for_any_blocks_and_threads() {
    fn law(seed: u64, causal: bool) -> TestResult {
        let (l_q, l_k, d_k, d_v, options) = sizes(seed, causal);
        let mut sampler = Sampler::new(seed);
        let (q, k, v) = (sampler.matrix(l_q, d_k), sampler.matrix(l_k, d_k), sampler.matrix(l_k, d_v));
        let mask = causal.then(|| aligned_causal_mask(l_q, l_k));
        let (expected, _) = scaled_dot_product_attention(&q, &k, &v, mask.as_ref());
        let (out, lse) = fast::attention(&q, &k, &v, causal, &options);
        let (_, flash_lse) = flash_attention(&q, &k, &v, causal, 3, 5);
        let lse = Matrix::from_column_slice(l_q, 1, lse.as_slice());
        let flash_lse = Matrix::from_column_slice(l_q, 1, flash_lse.as_slice());
        verdict(close("output", &out, &expected).and_then(|()| close("lse", &lse, &flash_lse)), &options)
    }
    QuickCheck::new().tests(300).quickcheck(law as fn(u64, bool) -> TestResult);
}

#[test]
fn large_logits_neither_overflow_nor_lose_the_max() {
    fn law(seed: u64, causal: bool) -> TestResult {
        let (l_q, l_k, d_k, d_v, options) = sizes(seed, causal);
        let mut sampler = Sampler::new(seed);
        // Scores of order 1e2–1e3: f32::exp would overflow without the max.
        // (Much larger and the round-off of the scores themselves, 1e-4 of
        // their size, changes the weights beyond any tolerance.)
        let q = sampler.matrix(l_q, d_k) * 10.0;
        let (k, v) = (sampler.matrix(l_k, d_k) * 10.0, sampler.matrix(l_k, d_v));
        let mask = causal.then(|| aligned_causal_mask(l_q, l_k));
        let (expected, _) = scaled_dot_product_attention(&q, &k, &v, mask.as_ref());
        let (out, _) = fast::attention(&q, &k, &v, causal, &options);
        verdict(close("output", &out, &expected), &options)
    }
    QuickCheck::new().tests(200).quickcheck(law as fn(u64, bool) -> TestResult);
}

#[test]
fn heads_are_reference_mha_and_gqa_for_any_blocks_and_threads() {
    fn law(seed: u64, causal: bool) -> TestResult {
        let (l_q, l_k, _, _, options) = sizes(seed, causal);
        let mut pick = Picker(seed ^ 0x5eed);
        let kv_heads = pick.below(3);
        let heads = kv_heads * pick.below(3);
        let (d_k, d_model) = (pick.below(5), pick.below(12));
        let mut sampler = Sampler::new(seed);
        let (query, key, value) =
            (sampler.matrix(l_q, d_model), sampler.matrix(l_k, d_model), sampler.matrix(l_k, d_model));
        let mask = causal.then(|| aligned_causal_mask(l_q, l_k));
        let gqa = sampler.grouped_query_weights(d_model, heads, kv_heads, d_k);
        let (expected, _) = grouped_query_attention(&query, &key, &value, &gqa, mask.as_ref());
        let out = fast::grouped_query_attention(&query, &key, &value, &gqa, causal, &options);
        let gqa_check = close("gqa output", &out, &expected);
        let mha = MultiHeadWeights {
            q: gqa.q.clone(),
            k: sampler.linear(d_model, heads * d_k),
            v: sampler.linear(d_model, heads * d_k),
            o: gqa.o.clone(),
            num_heads: heads,
        };
        let (expected, _) = multi_head_attention(&query, &key, &value, &mha, mask.as_ref());
        let out = fast::multi_head_attention(&query, &key, &value, &mha, causal, &options);
        verdict(gqa_check.and_then(|()| close("mha output", &out, &expected)), &options)
    }
    QuickCheck::new().tests(200).quickcheck(law as fn(u64, bool) -> TestResult);
}

#[test]
fn long_inputs_split_projections_and_blocks_between_threads() {
    let mut sampler = Sampler::new(9);
    let (l_q, l_k, d_model) = (300, 333, 16);
    let (query, key) = (sampler.matrix(l_q, d_model), sampler.matrix(l_k, d_model));
    let w = sampler.grouped_query_weights(d_model, 4, 2, 4);
    for causal in [false, true] {
        let mask = causal.then(|| aligned_causal_mask(l_q, l_k));
        let (expected, _) = grouped_query_attention(&query, &key, &key, &w, mask.as_ref());
        let portable = Options { block_q: 7, block_k: 64, threads: 2, kernel: Kernel::Portable };
        for options in [Options::with_threads(3), Options { kernel: Kernel::Auto, ..portable }, portable] {
            let out = fast::grouped_query_attention(&query, &key, &key, &w, causal, &options);
            verdict_or_panic(close("output", &out, &expected), &options);
        }
    }
}

fn verdict_or_panic(check: Check, options: &Options) {
    if let Err(failure) = check {
        panic!("{options:?}: {}", failure.0);
    }
}

#[test]
fn bad_shapes_are_errors_not_wrong_answers() {
    let mut sampler = Sampler::new(1);
    let (q, k, v) = (sampler.matrix(4, 3), sampler.matrix(2, 3), sampler.matrix(2, 5));
    assert!(fast::try_attention(&q, &k, &v, true, &Options::default()).is_err(), "causal needs l_q ≤ l_k");
    assert!(fast::try_attention(&q, &k, &v, false, &Options { threads: 0, ..Options::default() }).is_err());
    assert!(fast::try_attention(&q, &k, &v, false, &Options { block_k: 0, ..Options::default() }).is_err());
    assert!(fast::try_attention(&q, &sampler.matrix(2, 4), &v, false, &Options::default()).is_err());
    let (out, lse) = fast::attention(&q, &Matrix::zeros(0, 3), &Matrix::zeros(0, 5), false, &Options::default());
    assert!(out.iter().all(|&x| x == 0.0) && lse.iter().all(|&x| x == f32::NEG_INFINITY), "no keys: zeros, lse −inf");
}

// ---- helpers ----

/// A small deterministic generator of sizes from a quickcheck seed.
struct Picker(u64);

impl Picker {
    /// A number in 1..=n (n ≥ 1).
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        1 + ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Block sizes that do and do not divide the length, bigger than it, and two threads.
fn option_grid(l_q: usize) -> Vec<Options> {
    let mut grid = vec![Options::default(), Options::with_threads(2)];
    for (block_q, block_k) in [(1, 1), (1, 3), (2, 2), (3, 5), (l_q + 1, 4)] {
        for kernel in [Kernel::Auto, Kernel::Portable] {
            grid.push(Options { block_q, block_k, threads: 1 + block_q % 2, kernel });
        }
    }
    grid
}

fn verdict(check: Check, options: &Options) -> TestResult {
    match check {
        Ok(()) => TestResult::passed(),
        Err(failure) => TestResult::error(format!("{options:?}: {}", failure.0)),
    }
}

fn report(case: &Value, options: &Options, check: Check) {
    if let Err(failure) = check {
        panic!("case {} with {options:?}: {}", case["name"], failure.0);
    }
}

/// The cases of `tests/fixtures/<kind>.json`.
fn cases(kind: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{kind}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
    fixture["cases"].as_array().expect("a cases array").clone()
}

/// `Some(false)` for no mask, `Some(true)` for the aligned causal mask, `None` for any other.
fn mask_kind(mask: &Value, l_q: usize, l_k: usize) -> Option<bool> {
    if mask.is_null() {
        return Some(false);
    }
    let data: Vec<bool> = mask["data"].as_array()?.iter().map(|b| b.as_bool().unwrap()).collect();
    let mask = Mask::from_row_slice(l_q, l_k, &data);
    (l_q <= l_k && mask == aligned_causal_mask(l_q, l_k)).then_some(true)
}

fn numbers(value: &Value) -> Vec<f32> {
    value.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number") as f32).collect()
}

fn matrix(value: &Value) -> Matrix {
    let (rows, cols) = (value["rows"].as_u64().unwrap() as usize, value["cols"].as_u64().unwrap() as usize);
    Matrix::from_row_slice(rows, cols, &numbers(&value["data"]))
}

fn linear(value: &Value) -> Linear {
    Linear::new(matrix(&value["weight"]), RowVector::from_row_slice(&numbers(&value["bias"])))
}
