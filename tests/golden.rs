//! Golden tests: every reference variant against the PyTorch cases in
//! `tests/fixtures/` (format and conventions: `tests/fixtures/README.md`).
//!
//! A case passes when every output entry is within f32 round-off of PyTorch's
//! (`|actual − expected| ≤ 1e-5 + 1e-4·|expected|`), nothing is NaN or
//! infinite, and every masked weight is exactly 0. A failing kind lists every
//! failing output of every case, not just the first.

mod common;

use attn_quiz::nalgebra::{DMatrix, Scalar};
use attn_quiz::prelude::*;
use attn_quiz::reference;
use attn_quiz::reference::mla_absorbed::mla_decode_step_absorbed;
use common::{Check, Failure, close, close_each, masked_entries_are_zero};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::ops::Deref;
use std::path::{Path, PathBuf};

/// Every kind of case, one fixture file each; each has a test below.
const KINDS: [&str; 20] = [
    "softmax",
    "sdpa",
    "causal",
    "mha",
    "self_attention",
    "cross_attention",
    "gqa",
    "gated",
    "additive",
    "rope",
    "kv_cache",
    "sliding_window",
    "sinks",
    "flash",
    "sdpa_backward",
    "flash_backward",
    "alibi",
    "sinusoidal",
    "linear_attention",
    "mla",
];

/// The kinds of the README's "Modern variants" section, which promises 12–15
/// cases each instead of 10–14.
const MODERN_KINDS: [&str; 11] = [
    "rope",
    "kv_cache",
    "sliding_window",
    "sinks",
    "flash",
    "sdpa_backward",
    "flash_backward",
    "alibi",
    "sinusoidal",
    "linear_attention",
    "mla",
];

/// How many cases a fixture file holds (as its README promises), so an
/// emptied or truncated file cannot pass by testing nothing.
fn cases_per_file(kind: &str) -> std::ops::RangeInclusive<usize> {
    if MODERN_KINDS.contains(&kind) { 12..=15 } else { 10..=14 }
}

#[test]
fn softmax_matches_pytorch() {
    check_kind("softmax", |i: &SoftmaxInputs, e: &SoftmaxExpected| {
        vec![close("probs", &reference::softmax_rows(&i.scores), &e.probs)]
    });
}

#[test]
fn sdpa_matches_pytorch() {
    check_kind("sdpa", |i: &SdpaInputs, e: &SingleHeadExpected| {
        let mask = i.mask.as_deref();
        single_head(reference::scaled_dot_product_attention(&i.q, &i.k, &i.v, mask), e, mask)
    });
}

#[test]
fn causal_sdpa_matches_pytorch() {
    check_kind("causal", |i: &CausalInputs, e: &SingleHeadExpected| {
        let mask = reference::causal_mask(i.q.nrows());
        single_head(reference::scaled_dot_product_attention(&i.q, &i.k, &i.v, Some(&mask)), e, Some(&mask))
    });
}

#[test]
fn multi_head_attention_matches_pytorch() {
    check_kind("mha", |i: &MultiHeadInputs, e: &MultiHeadExpected| {
        let (w, mask) = (i.weights.multi_head(i.num_heads), i.mask.as_deref());
        multi_head(reference::multi_head_attention(&i.query, &i.key, &i.value, &w, mask), e, mask)
    });
}

#[test]
fn self_attention_matches_pytorch() {
    check_kind("self_attention", |i: &SelfAttentionInputs, e: &MultiHeadExpected| {
        let (w, mask) = (i.weights.multi_head(i.num_heads), i.mask.as_deref());
        multi_head(reference::self_attention(&i.x, &w, mask), e, mask)
    });
}

#[test]
fn cross_attention_matches_pytorch() {
    check_kind("cross_attention", |i: &CrossAttentionInputs, e: &MultiHeadExpected| {
        let (w, mask) = (i.weights.multi_head(i.num_heads), i.mask.as_deref());
        multi_head(reference::cross_attention(&i.x, &i.memory, &w, mask), e, mask)
    });
}

#[test]
fn grouped_query_attention_matches_pytorch() {
    check_kind("gqa", |i: &GroupedQueryInputs, e: &MultiHeadExpected| {
        let (w, mask) = (i.weights.grouped_query(i.num_heads, i.num_kv_heads), i.mask.as_deref());
        multi_head(reference::grouped_query_attention(&i.query, &i.key, &i.value, &w, mask), e, mask)
    });
}

#[test]
fn gated_self_attention_matches_pytorch() {
    check_kind("gated", |i: &GatedInputs, e: &MultiHeadExpected| {
        let (w, mask) = (i.weights.gated(i.num_heads), i.mask.as_deref());
        multi_head(reference::gated_self_attention(&i.x, &w, mask), e, mask)
    });
}

#[test]
fn additive_attention_matches_pytorch() {
    check_kind("additive", |i: &AdditiveInputs, e: &SingleHeadExpected| {
        let (w, mask) = (i.weights.additive(), i.mask.as_deref());
        single_head(reference::additive_attention(&i.q, &i.k, &i.v, &w, mask), e, mask)
    });
}

#[test]
fn rope_matches_pytorch() {
    check_kind("rope", |i: &RopeInputs, e: &RopeExpected| {
        vec![close("output", &reference::apply_rope(&i.x, &i.positions, i.head_dim, &i.rope.rope()), &e.output)]
    });
}

#[test]
fn kv_cache_decode_matches_pytorch() {
    check_kind("kv_cache", |i: &KvCacheInputs, e: &KvCacheExpected| {
        let w = i.weights.grouped_query(i.num_heads, i.num_kv_heads);
        let rope = i.rope.as_ref().map(RopeJson::rope);
        let mut checks = vec![same_count("chunks", i.chunks.len(), e.outputs.len())];
        checks.push(same_count("head_weights chunks", i.chunks.len(), e.head_weights.len()));
        checks.push(same_count("sum of chunks", i.x.nrows(), i.chunks.iter().sum()));
        if checks.iter().any(Result::is_err) {
            return checks;
        }
        // Start from an empty cache and feed the next s rows of x per chunk.
        let mut cache =
            KvCache { keys: Matrix::zeros(0, w.k.out_features()), values: Matrix::zeros(0, w.v.out_features()) };
        let mut start = 0;
        for (c, &s) in i.chunks.iter().enumerate() {
            let chunk = i.x.rows(start, s).into_owned();
            let (output, heads) = reference::decode_step(&chunk, &mut cache, &w, rope.as_ref());
            start += s;
            checks.extend(decode_call(c, (s, start), (&output, &heads), (&e.outputs[c], &e.head_weights[c])));
        }
        checks.push(close("keys", &cache.keys, &e.keys));
        checks.push(close("values", &cache.values, &e.values));
        checks
    });
}

#[test]
fn sliding_window_mask_matches_pytorch() {
    check_kind("sliding_window", |i: &SlidingWindowInputs, e: &SlidingWindowExpected| {
        vec![same_mask("mask", &reference::sliding_window_mask(i.len_q, i.len_k, i.window), &e.mask)]
    });
}

#[test]
fn attention_with_sink_matches_pytorch() {
    check_kind("sinks", |i: &SinksInputs, e: &SingleHeadExpected| {
        let mask = i.mask.as_deref();
        single_head(reference::attention_with_sink(&i.q, &i.k, &i.v, i.sink, mask), e, mask)
    });
}

#[test]
fn flash_attention_matches_pytorch() {
    check_kind("flash", |i: &FlashInputs, e: &FlashExpected| {
        let expected_lse = Matrix::from_column_slice(e.lse.len(), 1, &e.lse);
        let run = |&[block_q, block_k]: &[usize; 2]| {
            let (output, lse) = reference::flash_attention(&i.q, &i.k, &i.v, i.causal, block_q, block_k);
            let lse = Matrix::from_column_slice(lse.len(), 1, lse.as_slice());
            let blocks = format!("blocks ({block_q}, {block_k})");
            vec![
                close(&format!("output, {blocks}"), &output, &e.output),
                close(&format!("lse, {blocks}"), &lse, &expected_lse),
            ]
        };
        blocks_listed(&i.blocks).into_iter().chain(i.blocks.iter().flat_map(run)).collect()
    });
}

#[test]
fn sdpa_backward_matches_pytorch() {
    check_kind("sdpa_backward", |i: &SdpaBackwardInputs, e: &GradientsExpected| {
        gradients(reference::sdpa_backward(&i.q, &i.k, &i.v, i.mask.as_deref(), &i.d_out), e, "")
    });
}

#[test]
fn flash_attention_backward_matches_pytorch() {
    check_kind("flash_backward", |i: &FlashBackwardInputs, e: &GradientsExpected| {
        let lse = DVector::from_column_slice(&i.lse);
        let run = |&[block_q, block_k]: &[usize; 2]| {
            let actual = reference::flash_attention_backward(
                &i.q, &i.k, &i.v, &i.out, &lse, &i.d_out, i.causal, block_q, block_k,
            );
            gradients(actual, e, &format!(", blocks ({block_q}, {block_k})"))
        };
        blocks_listed(&i.blocks).into_iter().chain(i.blocks.iter().flat_map(run)).collect()
    });
}

#[test]
fn alibi_self_attention_matches_pytorch() {
    check_kind("alibi", |i: &AlibiInputs, e: &AlibiExpected| {
        let w = i.weights.multi_head(i.num_heads);
        let slopes = reference::alibi_slopes(i.num_heads);
        let expected_slopes = Matrix::from_column_slice(e.slopes.len(), 1, &e.slopes);
        let mut checks = vec![close("slopes", &Matrix::from_column_slice(slopes.len(), 1, &slopes), &expected_slopes)];
        let causal = reference::causal_mask(i.x.nrows());
        let expected = MultiHeadExpected { output: e.output.clone(), head_weights: e.head_weights.clone() };
        checks.extend(multi_head(reference::alibi_self_attention(&i.x, &w), &expected, Some(&causal)));
        checks
    });
}

#[test]
fn sinusoidal_positions_match_pytorch() {
    check_kind("sinusoidal", |i: &SinusoidalInputs, e: &SinusoidalExpected| {
        vec![close("positions", &reference::sinusoidal_positions(i.len, i.d_model), &e.positions)]
    });
}

#[test]
fn linear_attention_matches_pytorch() {
    check_kind("linear_attention", |i: &LinearAttentionInputs, e: &LinearAttentionExpected| {
        vec![close("output", &reference::linear_attention(&i.q, &i.k, &i.v, i.causal), &e.output)]
    });
}

#[test]
fn mla_decode_matches_pytorch() {
    check_kind("mla", |i: &MlaInputs, e: &MlaExpected| mla_chunks(i, e, reference::mla_decode_step));
}

#[test]
fn mla_absorbed_decode_matches_pytorch() {
    check_kind("mla", |i: &MlaInputs, e: &MlaExpected| mla_chunks(i, e, mla_decode_step_absorbed));
}

#[test]
fn every_fixture_file_is_checked() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/ is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().expect("file name").to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut checked = KINDS.map(String::from).to_vec();
    checked.sort();
    assert_eq!(on_disk, checked, "fixture files (left) and kinds with a golden test (right) differ");
}

// ---------------------------------------------------------------------------
// Running a kind and checking one case
// ---------------------------------------------------------------------------

/// Loads `tests/fixtures/<kind>.json`, runs `check_case` on every case and
/// fails with every failure, each prefixed by kind and case name.
fn check_kind<I: DeserializeOwned, E: DeserializeOwned>(kind: &str, check_case: impl Fn(&I, &E) -> Vec<Check>) {
    assert!(KINDS.contains(&kind), "{kind} is missing from KINDS");
    let fixture: Fixture<I, E> = load(&fixtures_dir().join(format!("{kind}.json")));
    assert_eq!(fixture.kind, kind, "the file {kind}.json declares another kind");
    let (count, expected_count) = (fixture.cases.len(), cases_per_file(kind));
    assert!(expected_count.contains(&count), "{kind}.json has {count} cases, expected {expected_count:?}");
    let failures: Vec<String> = fixture
        .cases
        .iter()
        .flat_map(|case| {
            let checks = check_case(&case.inputs, &case.expected);
            checks.into_iter().filter_map(Result::err).map(|Failure(why)| format!("{kind} / {}: {why}", case.name))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {kind}'s checks failed:\n{}", failures.len(), failures.join("\n"));
}

/// Checks a single-head result (output, weights) against the fixture.
fn single_head(actual: (Matrix, Matrix), expected: &SingleHeadExpected, mask: Option<&Mask>) -> Vec<Check> {
    let (output, weights) = actual;
    vec![
        close("output", &output, &expected.output),
        close("weights", &weights, &expected.weights),
        masked_entries_are_zero("weights", &weights, mask),
    ]
}

/// Checks a multi-head result (output, one weights matrix per head) against the fixture.
fn multi_head(actual: (Matrix, Vec<Matrix>), expected: &MultiHeadExpected, mask: Option<&Mask>) -> Vec<Check> {
    let (output, head_weights) = actual;
    let expected_heads: Vec<Matrix> = expected.head_weights.iter().map(|m| m.0.clone()).collect();
    let mut checks =
        vec![close("output", &output, &expected.output), close_each("head_weights", &head_weights, &expected_heads)];
    let masked =
        head_weights.iter().enumerate().map(|(h, w)| masked_entries_are_zero(&format!("head_weights[{h}]"), w, mask));
    checks.extend(masked);
    checks
}

/// The signature both MLA forms share.
type MlaStep = fn(&Matrix, &mut MlaCache, &MlaWeights, &Rope) -> (Matrix, Vec<Matrix>);

/// Feeds an `mla` case to `step` chunk by chunk from an empty cache; checks
/// every call's output and head weights (future keys exactly 0) and the final cache.
fn mla_chunks(i: &MlaInputs, e: &MlaExpected, step: MlaStep) -> Vec<Check> {
    let (w, rope) = (i.weights.mla(), i.rope.rope());
    let mut checks = vec![same_count("chunks", i.chunks.len(), e.outputs.len())];
    checks.push(same_count("head_weights chunks", i.chunks.len(), e.head_weights.len()));
    checks.push(same_count("sum of chunks", i.x.nrows(), i.chunks.iter().sum()));
    if checks.iter().any(Result::is_err) {
        return checks;
    }
    let mut cache = MlaCache { latent: Matrix::zeros(0, w.kv_norm.len()), rope_keys: Matrix::zeros(0, w.rope_dim) };
    let mut start = 0;
    for (c, &s) in i.chunks.iter().enumerate() {
        let (output, heads) = step(&i.x.rows(start, s).into_owned(), &mut cache, &w, &rope);
        start += s;
        checks.extend(decode_call(c, (s, start), (&output, &heads), (&e.outputs[c], &e.head_weights[c])));
    }
    checks.push(close("latent", &cache.latent, &e.latent));
    checks.push(close("rope_keys", &cache.rope_keys, &e.rope_keys));
    checks
}

/// Checks that a count read from the fixture is the one the case needs.
fn same_count(what: &str, expected: usize, actual: usize) -> Check {
    if expected == actual { Ok(()) } else { Err(Failure(format!("{what}: expected {expected}, got {actual}"))) }
}

/// Checks that two masks are equal entry for entry.
fn same_mask(what: &str, actual: &Mask, expected: &Mask) -> Check {
    if actual.shape() != expected.shape() {
        return Err(Failure(format!("{what}: expected shape {:?}, got {:?}", expected.shape(), actual.shape())));
    }
    match actual.iter().zip(expected.iter()).position(|(a, e)| a != e) {
        None => Ok(()),
        Some(index) => {
            let (row, col) = common::position_of(index, actual.nrows());
            Err(Failure(format!("{what}[{row}, {col}]: expected {}, got {}", expected[index], actual[index])))
        }
    }
}

/// Checks (dq, dk, dv) against the fixture; `which` is appended to each name.
fn gradients(actual: (Matrix, Matrix, Matrix), expected: &GradientsExpected, which: &str) -> Vec<Check> {
    let (dq, dk, dv) = actual;
    vec![
        close(&format!("dq{which}"), &dq, &expected.dq),
        close(&format!("dk{which}"), &dk, &expected.dk),
        close(&format!("dv{which}"), &dv, &expected.dv),
    ]
}

/// Fails a flash case that lists no block sizes, which would test nothing.
fn blocks_listed(blocks: &[[usize; 2]]) -> Option<Check> {
    blocks.is_empty().then(|| Err(Failure("the case lists no block sizes".to_string())))
}

/// Checks decode call `c` of a chunked fixture case: `s` new tokens, `seen`
/// keys after the call. Its output and head weights match the fixture's, and
/// every weight on a future key (after query r's position seen − s + r) is exactly 0.
fn decode_call(
    c: usize,
    (s, seen): (usize, usize),
    (output, heads): (&Matrix, &[Matrix]),
    (expected_output, expected_heads): (&Grid<f32>, &[Grid<f32>]),
) -> Vec<Check> {
    let not_future = Mask::from_fn(s, seen, |r, j| j <= seen - s + r);
    let expected_heads: Vec<Matrix> = expected_heads.iter().map(|m| m.0.clone()).collect();
    let mut checks = vec![
        close(&format!("outputs[{c}]"), output, expected_output),
        close_each(&format!("head_weights[{c}]"), heads, &expected_heads),
    ];
    let masked = heads.iter().enumerate();
    checks
        .extend(masked.map(|(h, w)| masked_entries_are_zero(&format!("head_weights[{c}][{h}]"), w, Some(&not_future))));
    checks
}

/// Parses one fixture file, failing the test with the file name on any error.
fn load<T: DeserializeOwned>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// The directory of the fixture files.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

// ---------------------------------------------------------------------------
// The JSON forms of the fixture files
// ---------------------------------------------------------------------------

/// One fixture file: a kind and its cases (the generator and seed are not needed).
#[derive(Deserialize)]
struct Fixture<I, E> {
    kind: String,
    cases: Vec<Case<I, E>>,
}

/// One named case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case<I, E> {
    name: String,
    inputs: I,
    expected: E,
}

/// A matrix as the fixtures write it: its shape and its entries row by row.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowMajor<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

/// A matrix read from its JSON form: `Grid<f32>` is a [`Matrix`], `Grid<bool>` a [`Mask`].
#[derive(Deserialize, Clone)]
#[serde(try_from = "RowMajor<T>")]
struct Grid<T: Scalar>(DMatrix<T>);

impl<T: Scalar> TryFrom<RowMajor<T>> for Grid<T> {
    type Error = String;

    fn try_from(json: RowMajor<T>) -> Result<Self, String> {
        let RowMajor { rows, cols, data } = json;
        if data.len() != rows * cols {
            return Err(format!("a {rows}x{cols} matrix needs {} entries, found {}", rows * cols, data.len()));
        }
        Ok(Grid(DMatrix::from_row_slice(rows, cols, &data)))
    }
}

impl<T: Scalar> Deref for Grid<T> {
    type Target = DMatrix<T>;

    fn deref(&self) -> &DMatrix<T> {
        &self.0
    }
}

/// A linear layer as the fixtures write it: weight (in × out) and bias.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearJson {
    weight: Grid<f32>,
    bias: Vec<f32>,
}

impl LinearJson {
    /// The layer itself.
    fn linear(&self) -> Linear {
        Linear::new(self.weight.0.clone(), RowVector::from_row_slice(&self.bias))
    }
}

/// The four projections of the multi-head kinds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectionsJson {
    q: LinearJson,
    k: LinearJson,
    v: LinearJson,
    o: LinearJson,
}

impl ProjectionsJson {
    /// Multi-head weights with `num_heads` heads.
    fn multi_head(&self, num_heads: usize) -> MultiHeadWeights {
        let (q, k, v, o) = (self.q.linear(), self.k.linear(), self.v.linear(), self.o.linear());
        MultiHeadWeights { q, k, v, o, num_heads }
    }

    /// Grouped-query weights with H = `num_heads` and G = `num_kv_heads`.
    fn grouped_query(&self, num_heads: usize, num_kv_heads: usize) -> GroupedQueryWeights {
        let (q, k, v, o) = (self.q.linear(), self.k.linear(), self.v.linear(), self.o.linear());
        GroupedQueryWeights { q, k, v, o, num_heads, num_kv_heads }
    }
}

/// The projections of gated self-attention: the four of multi-head plus the gate.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GatedProjectionsJson {
    q: LinearJson,
    k: LinearJson,
    v: LinearJson,
    o: LinearJson,
    gate: LinearJson,
}

impl GatedProjectionsJson {
    /// Gated weights with `num_heads` heads.
    fn gated(&self, num_heads: usize) -> GatedWeights {
        let (q, k, v, o) = (self.q.linear(), self.k.linear(), self.v.linear(), self.o.linear());
        GatedWeights { attn: MultiHeadWeights { q, k, v, o, num_heads }, gate: self.gate.linear() }
    }
}

/// The weights of additive attention.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdditiveWeightsJson {
    w_q: Grid<f32>,
    w_k: Grid<f32>,
    v_a: Vec<f32>,
}

impl AdditiveWeightsJson {
    /// The weights themselves.
    fn additive(&self) -> AdditiveWeights {
        AdditiveWeights { w_q: self.w_q.0.clone(), w_k: self.w_k.0.clone(), v_a: RowVector::from_row_slice(&self.v_a) }
    }
}

/// Inputs of a `softmax` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SoftmaxInputs {
    scores: Grid<f32>,
}

/// Expected result of a `softmax` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SoftmaxExpected {
    probs: Grid<f32>,
}

/// Inputs of an `sdpa` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdpaInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    mask: Option<Grid<bool>>,
}

/// Inputs of a `causal` case: the mask is the causal one, implied.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CausalInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
}

/// Inputs of an `additive` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdditiveInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    mask: Option<Grid<bool>>,
    weights: AdditiveWeightsJson,
}

/// Expected result of the single-head kinds (sdpa, causal, additive).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SingleHeadExpected {
    output: Grid<f32>,
    weights: Grid<f32>,
}

/// Inputs of an `mha` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiHeadInputs {
    query: Grid<f32>,
    key: Grid<f32>,
    value: Grid<f32>,
    num_heads: usize,
    mask: Option<Grid<bool>>,
    weights: ProjectionsJson,
}

/// Inputs of a `self_attention` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelfAttentionInputs {
    x: Grid<f32>,
    num_heads: usize,
    mask: Option<Grid<bool>>,
    weights: ProjectionsJson,
}

/// Inputs of a `cross_attention` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossAttentionInputs {
    x: Grid<f32>,
    memory: Grid<f32>,
    num_heads: usize,
    mask: Option<Grid<bool>>,
    weights: ProjectionsJson,
}

/// Inputs of a `gqa` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupedQueryInputs {
    query: Grid<f32>,
    key: Grid<f32>,
    value: Grid<f32>,
    num_heads: usize,
    num_kv_heads: usize,
    mask: Option<Grid<bool>>,
    weights: ProjectionsJson,
}

/// Inputs of a `gated` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GatedInputs {
    x: Grid<f32>,
    num_heads: usize,
    mask: Option<Grid<bool>>,
    weights: GatedProjectionsJson,
}

/// Expected result of the multi-head kinds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiHeadExpected {
    output: Grid<f32>,
    head_weights: Vec<Grid<f32>>,
}

/// A RoPE setting as the fixtures write it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RopeJson {
    base: f32,
    style: RopeStyleJson,
}

/// The pairing, `"interleaved"` or `"half_split"`.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RopeStyleJson {
    Interleaved,
    HalfSplit,
}

impl RopeJson {
    /// The setting itself.
    fn rope(&self) -> Rope {
        let style = match self.style {
            RopeStyleJson::Interleaved => RopeStyle::Interleaved,
            RopeStyleJson::HalfSplit => RopeStyle::HalfSplit,
        };
        Rope { base: self.base, style }
    }
}

/// Inputs of a `rope` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RopeInputs {
    x: Grid<f32>,
    positions: Vec<usize>,
    head_dim: usize,
    rope: RopeJson,
}

/// Expected result of a `rope` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RopeExpected {
    output: Grid<f32>,
}

/// Inputs of a `kv_cache` case: a sequence fed to `decode_step` in chunks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KvCacheInputs {
    x: Grid<f32>,
    num_heads: usize,
    num_kv_heads: usize,
    weights: ProjectionsJson,
    rope: Option<RopeJson>,
    chunks: Vec<usize>,
}

/// Expected result of a `kv_cache` case: what each call returns, and the cache at the end.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KvCacheExpected {
    outputs: Vec<Grid<f32>>,
    head_weights: Vec<Vec<Grid<f32>>>,
    keys: Grid<f32>,
    values: Grid<f32>,
}

/// Inputs of a `sliding_window` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlidingWindowInputs {
    len_q: usize,
    len_k: usize,
    window: usize,
}

/// Expected result of a `sliding_window` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlidingWindowExpected {
    mask: Grid<bool>,
}

/// Inputs of a `sinks` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SinksInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    sink: f32,
    mask: Option<Grid<bool>>,
}

/// Inputs of a `flash` case: run once per `[block_q, block_k]` pair.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    causal: bool,
    blocks: Vec<[usize; 2]>,
}

/// Expected result of a `flash` case, the same for every block pair.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashExpected {
    output: Grid<f32>,
    lse: Vec<f32>,
}

/// Inputs of an `sdpa_backward` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdpaBackwardInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    mask: Option<Grid<bool>>,
    d_out: Grid<f32>,
}

/// Inputs of a `flash_backward` case: `out` and `lse` are the forward's f32 values.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashBackwardInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    causal: bool,
    d_out: Grid<f32>,
    out: Grid<f32>,
    lse: Vec<f32>,
    blocks: Vec<[usize; 2]>,
}

/// Expected gradients of the backward kinds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradientsExpected {
    dq: Grid<f32>,
    dk: Grid<f32>,
    dv: Grid<f32>,
}

/// Inputs of an `alibi` case (causal, no mask field).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlibiInputs {
    x: Grid<f32>,
    num_heads: usize,
    weights: ProjectionsJson,
}

/// Expected result of an `alibi` case: as the multi-head kinds, plus the slopes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlibiExpected {
    output: Grid<f32>,
    head_weights: Vec<Grid<f32>>,
    slopes: Vec<f32>,
}

/// Inputs of a `sinusoidal` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SinusoidalInputs {
    len: usize,
    d_model: usize,
}

/// Expected result of a `sinusoidal` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SinusoidalExpected {
    positions: Grid<f32>,
}

/// Inputs of a `linear_attention` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearAttentionInputs {
    q: Grid<f32>,
    k: Grid<f32>,
    v: Grid<f32>,
    causal: bool,
}

/// Expected result of a `linear_attention` case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearAttentionExpected {
    output: Grid<f32>,
}

/// The weights of multi-head latent attention, head count and rotary width included.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MlaWeightsJson {
    q: LinearJson,
    kv_down: LinearJson,
    kv_norm: Vec<f32>,
    k_up: Grid<f32>,
    v_up: Grid<f32>,
    o: LinearJson,
    num_heads: usize,
    rope_dim: usize,
}

impl MlaWeightsJson {
    /// The weights themselves.
    fn mla(&self) -> MlaWeights {
        MlaWeights {
            q: self.q.linear(),
            kv_down: self.kv_down.linear(),
            kv_norm: RowVector::from_row_slice(&self.kv_norm),
            k_up: self.k_up.0.clone(),
            v_up: self.v_up.0.clone(),
            o: self.o.linear(),
            num_heads: self.num_heads,
            rope_dim: self.rope_dim,
        }
    }
}

/// Inputs of an `mla` case: a sequence fed to `mla_decode_step` in chunks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MlaInputs {
    x: Grid<f32>,
    weights: MlaWeightsJson,
    rope: RopeJson,
    chunks: Vec<usize>,
}

/// Expected result of an `mla` case: what each call returns, and the cache at the end.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MlaExpected {
    outputs: Vec<Grid<f32>>,
    head_weights: Vec<Vec<Grid<f32>>>,
    latent: Grid<f32>,
    rope_keys: Grid<f32>,
}
