//! Every generator, over many seeds, agrees with the reference run here
//! independently: shapes by running the reference functions themselves
//! (not `measure`), counts by the closed-form formulas the questions teach.

use attn_quiz::prelude::*;
use attn_quiz::quiz::generators::{GENERATORS, Generated, find};
use attn_quiz::quiz::pointer;
use attn_quiz::quiz::question::Kind;
use attn_quiz::reference;
use attn_quiz::reference::batched::batched_self_attention;
use attn_quiz::reference::heads::split_heads;
use attn_quiz::sample::Sampler;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::HashSet;

const SEEDS: u64 = 20;

/// `count` generated questions of generator `id`, from consecutive seeds.
fn generated(id: &str) -> Vec<Generated> {
    let generator = find(id).unwrap_or_else(|| panic!("no generator {id}"));
    (0..SEEDS).map(|seed| generator.generate(&mut StdRng::seed_from_u64(seed)).unwrap()).collect()
}

/// The drawn size `name` of `g`.
fn size(g: &Generated, name: &str) -> usize {
    g.size(name).unwrap_or_else(|| panic!("{} drew no {name}", g.question.id))
}

/// N random sequences of L rows and D columns.
fn sequences(sampler: &mut Sampler, n: usize, l: usize, d: usize) -> Vec<Matrix> {
    (0..n).map(|_| sampler.matrix(l, d)).collect()
}

/// [outer, inner, rows, cols] of a batch of per-head matrices.
fn shape_of_heads(batch: &[Vec<Matrix>]) -> Vec<usize> {
    let (rows, cols) = batch[0][0].shape();
    vec![batch.len(), batch[0].len(), rows, cols]
}

fn shape_answer(g: &Generated) -> &[usize] {
    match &g.question.kind {
        Kind::Shape { shape } => shape,
        other => panic!("{}: expected a shape question, got {other:?}", g.question.id),
    }
}

fn numeric_answer(g: &Generated) -> f64 {
    match &g.question.kind {
        Kind::Numeric { answer, tolerance } => {
            assert_eq!(*tolerance, 0.0, "{}: generated answers are exact", g.question.id);
            *answer
        }
        other => panic!("{}: expected a numeric question, got {other:?}", g.question.id),
    }
}

#[test]
fn there_are_at_least_eight_generators_with_stable_unique_ids() {
    assert!(GENERATORS.len() >= 8, "{} generators", GENERATORS.len());
    let ids: HashSet<&str> = GENERATORS.iter().map(|g| g.id).collect();
    assert_eq!(ids.len(), GENERATORS.len(), "duplicate generator ids");
    for g in GENERATORS {
        assert!(g.id.starts_with("gen."), "{}", g.id);
        assert!(pointer::resolve(g.reference).is_ok(), "{}: {}", g.id, g.reference);
        assert!(!g.hint.trim().is_empty(), "{}: no hint", g.id);
    }
}

#[test]
fn every_generator_is_covered_by_a_check_below() {
    let checked = [
        "gen.mha-weights-shape",
        "gen.head-split-shape",
        "gen.cross-attention-weights-shape",
        "gen.gqa-key-shape",
        "gen.mha-parameters",
        "gen.gqa-parameters",
        "gen.gate-parameters",
        "gen.score-flops",
        "gen.attention-matrix-bytes",
        "gen.kv-cache-bytes",
        "gen.kv-cache-saving",
        "gen.causal-mask-allowed",
        "gen.additive-parameters",
        "gen.rope-angle",
        "gen.decoder-kv-cache-bytes",
        "gen.kv-cache-rows",
        "gen.window-visible-keys",
        "gen.sink-row-sum",
        "gen.flash-tiles",
        "gen.alibi-slope",
        "gen.sinusoidal-value",
        "gen.latent-cache-bytes",
        "gen.linear-state-vs-weights",
        "gen.context-kv-cache-bytes",
        "gen.window-cache-bytes",
        "gen.flash-working-set",
        "gen.backward-flops-ratio",
    ];
    let all: Vec<&str> = GENERATORS.iter().map(|g| g.id).collect();
    assert_eq!(all, checked, "a new generator needs its own check in this file");
}

#[test]
fn generated_questions_are_complete_and_reproducible() {
    for generator in GENERATORS {
        let first = generator.generate(&mut StdRng::seed_from_u64(9)).unwrap();
        let again = generator.generate(&mut StdRng::seed_from_u64(9)).unwrap();
        assert_eq!(first, again, "{}: same seed, same question", generator.id);
        let q = &first.question;
        assert_eq!((q.id.as_str(), q.topic), (generator.id, generator.topic));
        assert!(!q.prompt.is_empty() && !q.explanation.is_empty(), "{}", q.id);
        for (name, value) in &first.sizes {
            assert!(q.prompt.contains(&value.to_string()), "{}: the prompt does not show {name} = {value}", q.id);
        }
        let variety: HashSet<String> =
            (0..8).map(|s| generator.generate(&mut StdRng::seed_from_u64(s)).unwrap().question.prompt).collect();
        assert!(variety.len() > 3, "{}: only {} different prompts", generator.id, variety.len());
    }
}

#[test]
fn mha_weights_shape_matches_the_batched_reference() {
    for g in generated("gen.mha-weights-shape") {
        let (n, l, d, h) = (size(&g, "N"), size(&g, "L"), size(&g, "D"), size(&g, "H"));
        let mut s = Sampler::new(1);
        let w = s.multi_head_weights(d, h);
        let (_, weights) = batched_self_attention(&sequences(&mut s, n, l, d), &w, None);
        assert_eq!(shape_answer(&g), shape_of_heads(&weights));
    }
}

#[test]
fn head_split_shape_matches_split_heads() {
    for g in generated("gen.head-split-shape") {
        let (n, l, d, h) = (size(&g, "N"), size(&g, "L"), size(&g, "D"), size(&g, "H"));
        let mut s = Sampler::new(2);
        let w = s.multi_head_weights(d, h);
        let heads: Vec<Vec<Matrix>> =
            sequences(&mut s, n, l, d).iter().map(|x| split_heads(&w.q.forward(x), h)).collect();
        assert_eq!(shape_answer(&g), shape_of_heads(&heads));
    }
}

#[test]
fn cross_attention_shape_matches_the_reference() {
    for g in generated("gen.cross-attention-weights-shape") {
        let (n, l, src, d, h) = (size(&g, "N"), size(&g, "L"), size(&g, "S"), size(&g, "D"), size(&g, "H"));
        let mut s = Sampler::new(3);
        let w = s.multi_head_weights(d, h);
        let (x, memory) = (sequences(&mut s, n, l, d), sequences(&mut s, n, src, d));
        let weights: Vec<Vec<Matrix>> =
            x.iter().zip(&memory).map(|(x, m)| reference::cross_attention(x, m, &w, None).1).collect();
        assert_eq!(shape_answer(&g), shape_of_heads(&weights));
    }
}

#[test]
fn gqa_key_shape_matches_the_key_projection() {
    for g in generated("gen.gqa-key-shape") {
        let (n, l, d, h, kv) = (size(&g, "N"), size(&g, "L"), size(&g, "D"), size(&g, "H"), size(&g, "G"));
        let mut s = Sampler::new(4);
        let w = s.grouped_query_weights(d, h, kv, d / h);
        let keys = sequences(&mut s, n, l, d).iter().map(|x| w.k.forward(x)).collect::<Vec<_>>();
        assert_eq!(shape_answer(&g), [keys.len(), keys[0].nrows(), keys[0].ncols()]);
        assert!(kv < h, "a grouped-query question has fewer key/value heads than query heads");
    }
}

#[test]
fn mha_parameters_match_four_biased_projections() {
    for g in generated("gen.mha-parameters") {
        let d = size(&g, "D") as f64;
        assert_eq!(numeric_answer(&g), 4.0 * (d * d + d));
    }
}

#[test]
fn gqa_parameters_match_the_shrunk_key_value_projections() {
    for g in generated("gen.gqa-parameters") {
        let (d, h, kv) = (size(&g, "D") as f64, size(&g, "H") as f64, size(&g, "G") as f64);
        let kv_width = kv * d / h;
        assert_eq!(numeric_answer(&g), 2.0 * (d * d + d) + 2.0 * (d * kv_width + kv_width));
    }
}

#[test]
fn gate_parameters_match_one_more_projection() {
    for g in generated("gen.gate-parameters") {
        let d = size(&g, "D") as f64;
        assert_eq!(numeric_answer(&g), d * d + d);
    }
}

#[test]
fn score_flops_match_two_n_l_squared_d() {
    for g in generated("gen.score-flops") {
        let (n, l, d) = (size(&g, "N") as f64, size(&g, "L") as f64, size(&g, "D") as f64);
        assert_eq!(numeric_answer(&g), 2.0 * n * l * l * d);
    }
}

#[test]
fn attention_bytes_match_the_weights_the_reference_returns() {
    for g in generated("gen.attention-matrix-bytes") {
        let (n, l, d, h) = (size(&g, "N"), size(&g, "L"), size(&g, "D"), size(&g, "H"));
        let mut s = Sampler::new(5);
        let w = s.multi_head_weights(d, h);
        let (_, weights) = batched_self_attention(&sequences(&mut s, n, l, d), &w, None);
        let numbers: usize = weights.iter().flatten().map(|m| m.len()).sum();
        assert_eq!(numeric_answer(&g), (numbers * std::mem::size_of::<f32>()) as f64);
    }
}

#[test]
fn kv_cache_bytes_match_two_g_d_k_floats() {
    let mut kinds = HashSet::new();
    for g in generated("gen.kv-cache-bytes") {
        let (d, h, kv, bytes) = (size(&g, "D"), size(&g, "H"), size(&g, "G"), size(&g, "bytes"));
        assert_eq!(numeric_answer(&g), (2 * kv * (d / h) * bytes) as f64);
        let dtype = match bytes {
            1 => "fp8",
            2 => "bf16",
            _ => "fp32",
        };
        assert!(g.question.prompt.contains(&format!("in {dtype} ({bytes} byte(s)")), "{}", g.question.prompt);
        kinds.insert(if kv == 1 {
            "MQA"
        } else if kv == h {
            "MHA"
        } else {
            "GQA"
        });
    }
    assert_eq!(kinds.len(), 3, "MHA, GQA and MQA all come up: {kinds:?}");
}

#[test]
fn kv_cache_saving_is_h_over_g() {
    for g in generated("gen.kv-cache-saving") {
        let (h, kv) = (size(&g, "H") as f64, size(&g, "G") as f64);
        assert_eq!(numeric_answer(&g), h / kv);
        let target = if kv == 1.0 { "to multi-query attention" } else { "to grouped-query attention" };
        assert!(g.question.prompt.contains(target), "G = {kv} is named: {}", g.question.prompt);
    }
}

#[test]
fn causal_mask_count_is_the_lower_triangle() {
    for g in generated("gen.causal-mask-allowed") {
        let l = size(&g, "L") as f64;
        assert_eq!(numeric_answer(&g), l * (l + 1.0) / 2.0);
    }
}

#[test]
fn additive_parameters_match_two_projections_and_v_a() {
    for g in generated("gen.additive-parameters") {
        let (d_q, d_k, d_a) = (size(&g, "d_q") as f64, size(&g, "d_k") as f64, size(&g, "d_a") as f64);
        assert_eq!(numeric_answer(&g), d_a * (d_q + d_k + 1.0));
    }
}

// ---- the modern topics ----

/// A numeric answer with its tolerance, which must be small: at most 0.1% of the answer.
fn approximate_answer(g: &Generated) -> (f64, f64) {
    match &g.question.kind {
        Kind::Numeric { answer, tolerance } => {
            assert!(*tolerance <= answer.abs() * 1e-3 + 1e-6, "{}: tolerance {tolerance} for {answer}", g.question.id);
            (*answer, *tolerance)
        }
        other => panic!("{}: expected a numeric question, got {other:?}", g.question.id),
    }
}

#[test]
fn rope_angle_is_position_times_base_to_the_minus_two_i_over_d() {
    for g in generated("gen.rope-angle") {
        let (d, i, p, base) =
            (size(&g, "d") as f64, size(&g, "i") as f64, size(&g, "p") as f64, size(&g, "base") as f64);
        let (answer, tolerance) = approximate_answer(&g);
        let expected = p * base.powf(-2.0 * i / d);
        assert!((answer - expected).abs() <= tolerance / 10.0, "{answer} vs {expected}: {}", g.question.prompt);
        assert!(size(&g, "i") < size(&g, "d") / 2, "pair index within the head");
    }
}

#[test]
fn decoder_kv_cache_bytes_are_two_layers_g_d_k_bytes_per_token() {
    for g in generated("gen.decoder-kv-cache-bytes") {
        let per_token = 2 * size(&g, "layers") * size(&g, "G") * size(&g, "d_k") * size(&g, "bytes");
        assert_eq!(numeric_answer(&g), (per_token * size(&g, "tokens") * size(&g, "batch")) as f64);
        assert!(size(&g, "H").is_multiple_of(size(&g, "G")), "G divides H");
    }
}

#[test]
fn kv_cache_rows_are_prefill_plus_steps_by_g_d_k() {
    for g in generated("gen.kv-cache-rows") {
        let rows = size(&g, "P") + size(&g, "n");
        assert_eq!(shape_answer(&g), [rows, size(&g, "G") * size(&g, "d_k")]);
    }
}

#[test]
fn visible_keys_are_the_union_of_sinks_and_window() {
    let (mut plain, mut cut) = (false, false);
    for seed in 0..60 {
        let g = find("gen.window-visible-keys").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let (w, sinks, p) = (size(&g, "W"), size(&g, "sinks"), size(&g, "p"));
        // Window p−W+1..=p and sinks 0..sinks: all p+1 keys if they meet, else disjoint.
        let expected = if p < sinks + w { p + 1 } else { sinks + w };
        plain |= sinks == 0 && p + 1 > w;
        cut |= sinks > 0 && p + 1 > sinks + w;
        assert_eq!(numeric_answer(&g), expected as f64, "{}", g.question.prompt);
    }
    assert!(plain && cut, "plain windows and sinks beside a window that has moved on both come up");
}

#[test]
fn sink_row_sum_is_n_over_e_to_the_sink_plus_n() {
    for g in generated("gen.sink-row-sum") {
        let (n, sink) = (size(&g, "n") as f64, size(&g, "sink") as f64);
        let (answer, tolerance) = approximate_answer(&g);
        let expected = n / (sink.exp() + n);
        assert!((answer - expected).abs() <= tolerance / 10.0, "{answer} vs {expected}");
    }
}

#[test]
fn flash_tiles_match_the_block_counts() {
    let mut kinds = HashSet::new();
    for seed in 0..SEEDS {
        let g = find("gen.flash-tiles").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let (l, bq, bk) = (size(&g, "l"), size(&g, "block_q"), size(&g, "block_k"));
        let causal = g.question.prompt.contains("with a causal mask");
        kinds.insert(causal);
        let expected: usize = if causal {
            // Query block starting at q0 needs the keys up to its last query, q0 + b_q − 1.
            (0..l).step_by(bq).map(|q0| (q0 + bq).min(l).div_ceil(bk)).sum()
        } else {
            l.div_ceil(bq) * l.div_ceil(bk)
        };
        assert_eq!(numeric_answer(&g), expected as f64, "{}", g.question.prompt);
    }
    assert_eq!(kinds.len(), 2, "causal and unmasked questions both come up");
}

// ---- positions and the 2024–25 architectures ----

/// The slope of head h of H by the rule of the ALiBi paper's code, written out
/// on its own: 2^(−8(h+1)/H) for a power of two H; otherwise the first c (the
/// largest power of two below H) from that rule with c heads, then 2^(−8(2k+1)/(2c))
/// for head c + k.
fn alibi_slope_closed_form(heads: usize, head: usize) -> f64 {
    let mut c = 1;
    while c * 2 <= heads {
        c *= 2;
    }
    if head < c {
        2f64.powf(-8.0 * (head + 1) as f64 / c as f64)
    } else {
        2f64.powf(-8.0 * (2 * (head - c) + 1) as f64 / (2 * c) as f64)
    }
}

#[test]
fn alibi_slope_follows_the_power_of_two_rule() {
    let (mut power, mut other_first, mut other_between) = (false, false, false);
    for seed in 0..60 {
        let g = find("gen.alibi-slope").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let (heads, head) = (size(&g, "H"), size(&g, "h"));
        assert!(head < heads, "head within H: {}", g.question.prompt);
        let (answer, tolerance) = approximate_answer(&g);
        let expected = alibi_slope_closed_form(heads, head);
        assert!((answer - expected).abs() <= tolerance / 10.0, "{answer} vs {expected}: {}", g.question.prompt);
        let c = 1 << heads.ilog2();
        power |= c == heads;
        other_first |= c != heads && head < c;
        other_between |= c != heads && head >= c;
    }
    assert!(power && other_first && other_between, "all three cases of the rule come up");
    // The closed form itself, on the paper's examples: 8 heads 1/2 ... 1/256; 6 heads unsorted.
    assert_eq!(
        (0..8).map(|h| alibi_slope_closed_form(8, h)).collect::<Vec<_>>(),
        [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]
    );
    assert_eq!(
        (0..6).map(|h| alibi_slope_closed_form(6, h)).collect::<Vec<_>>(),
        [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125]
    );
}

#[test]
fn sinusoidal_value_is_sin_or_cos_of_p_times_omega() {
    let (mut sines, mut cosines) = (false, false);
    for g in generated("gen.sinusoidal-value") {
        let (d, c, p) = (size(&g, "D"), size(&g, "c"), size(&g, "p"));
        assert!(c < d, "column within D");
        let angle = p as f64 * 10_000f64.powf(-2.0 * (c / 2) as f64 / d as f64);
        let expected = if c % 2 == 0 { angle.sin() } else { angle.cos() };
        match &g.question.kind {
            Kind::Numeric { answer, tolerance } => {
                assert!(*tolerance <= 5e-4, "{}: tolerance {tolerance}", g.question.id);
                assert!((answer - expected).abs() < 1e-5, "{answer} vs {expected}: {}", g.question.prompt);
            }
            other => panic!("expected a numeric question, got {other:?}"),
        }
        sines |= c % 2 == 0;
        cosines |= c % 2 == 1;
    }
    assert!(sines && cosines, "sine and cosine columns both come up");
}

#[test]
fn latent_cache_bytes_are_d_c_plus_d_r_or_two_g_d_h() {
    let mut schemes = HashSet::new();
    for seed in 0..40 {
        let g = find("gen.latent-cache-bytes").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let prompt = &g.question.prompt;
        let (h, d_h, bytes) = (size(&g, "H"), size(&g, "d_h"), size(&g, "bytes"));
        let (scheme, numbers) = if prompt.contains("latent attention") {
            ("MLA", size(&g, "d_c") + size(&g, "d_r"))
        } else if prompt.contains("multi-query") {
            ("MQA", 2 * d_h)
        } else if prompt.contains("grouped-query") {
            let kv = size(&g, "G");
            assert!(kv < h && h.is_multiple_of(kv), "G divides H: {prompt}");
            ("GQA", 2 * kv * d_h)
        } else {
            assert!(prompt.contains("multi-head attention"), "{prompt}");
            ("MHA", 2 * h * d_h)
        };
        schemes.insert(scheme);
        assert_eq!(numeric_answer(&g), (numbers * bytes) as f64, "{scheme}: {prompt}");
    }
    assert_eq!(schemes.len(), 4, "MHA, GQA, MQA and MLA all come up: {schemes:?}");
}

#[test]
fn linear_state_ratio_is_l_squared_over_d_k_d_v() {
    for g in generated("gen.linear-state-vs-weights") {
        let (l, d_k, d_v) = (size(&g, "L") as f64, size(&g, "d_k") as f64, size(&g, "d_v") as f64);
        assert_eq!(numeric_answer(&g), l * l / (d_k * d_v), "{}", g.question.prompt);
    }
}

// ---- cache bytes in serving, FlashAttention's memory and its backward ----

/// The dtype a prompt names and its bytes per number: fp16 and bf16 2, fp8 1.
fn dtype_bytes(prompt: &str) -> (&'static str, usize) {
    let named: Vec<(&str, usize)> =
        [("fp16", 2), ("bf16", 2), ("fp8", 1)].into_iter().filter(|(name, _)| prompt.contains(name)).collect();
    assert_eq!(named.len(), 1, "exactly one dtype is named: {prompt}");
    named[0]
}

#[test]
fn context_kv_cache_bytes_are_two_layers_g_d_k_bytes_tokens() {
    let (mut dtypes, mut schemes) = (HashSet::new(), HashSet::new());
    for seed in 0..60 {
        let g = find("gen.context-kv-cache-bytes").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let prompt = &g.question.prompt;
        let (layers, h, kv, d_k, tokens) =
            (size(&g, "layers"), size(&g, "H"), size(&g, "G"), size(&g, "d_k"), size(&g, "tokens"));
        let (dtype, bytes) = dtype_bytes(prompt);
        assert!(kv < h && h.is_multiple_of(kv), "G divides H and is below it: {prompt}");
        let scheme = if kv == 1 { "multi-query attention" } else { "grouped-query attention" };
        assert!(prompt.contains(scheme), "{scheme}: {prompt}");
        assert_eq!(numeric_answer(&g), (2 * layers * kv * d_k * bytes * tokens) as f64, "{prompt}");
        dtypes.insert(dtype);
        schemes.insert(scheme);
    }
    assert_eq!(dtypes.len(), 3, "fp16, bf16 and fp8 all come up: {dtypes:?}");
    assert_eq!(schemes.len(), 2, "MQA and GQA both come up: {schemes:?}");
}

#[test]
fn window_cache_bytes_are_w_two_g_d_k_bytes_whatever_the_length() {
    let mut lengths = HashSet::new();
    for seed in 0..40 {
        let g = find("gen.window-cache-bytes").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let (w, tokens, kv, d_k) = (size(&g, "W"), size(&g, "T"), size(&g, "G"), size(&g, "d_k"));
        let (_, bytes) = dtype_bytes(&g.question.prompt);
        assert!(tokens >= w, "the context is at least a window long");
        assert_eq!(numeric_answer(&g), (w * 2 * kv * d_k * bytes) as f64, "{}", g.question.prompt);
        lengths.insert(tokens);
    }
    assert!(lengths.len() > 1, "several context lengths, one answer rule");
}

#[test]
fn flash_working_set_ratio_is_l_squared_over_tile_accumulator_and_statistics() {
    for g in generated("gen.flash-working-set") {
        let (l, d, bq, bk) = (size(&g, "L"), size(&g, "d"), size(&g, "block_q"), size(&g, "block_k"));
        assert!(bq <= l && bk <= l, "full blocks fit in the length");
        let (answer, tolerance) = approximate_answer(&g);
        let expected = (l * l) as f64 / (bq * bk + bq * d + 2 * bq) as f64;
        assert!((answer - expected).abs() <= tolerance / 10.0, "{answer} vs {expected}: {}", g.question.prompt);
    }
}

#[test]
fn backward_flops_are_three_d_k_plus_two_d_v_over_d_k_plus_d_v_times_the_forward() {
    let (mut equal, mut unequal) = (false, false);
    for seed in 0..40 {
        let g = find("gen.backward-flops-ratio").unwrap().generate(&mut StdRng::seed_from_u64(seed)).unwrap();
        let (d_k, d_v) = (size(&g, "d_k") as f64, size(&g, "d_v") as f64);
        // Forward: Q·Kᵀ and P·V. Backward: Q·Kᵀ again, dV, dP, dQ, dK. Each l_q·l_k times a width.
        let expected = (3.0 * d_k + 2.0 * d_v) / (d_k + d_v);
        let (answer, tolerance) = approximate_answer(&g);
        assert!((answer - expected).abs() <= tolerance / 10.0, "{answer} vs {expected}: {}", g.question.prompt);
        if d_k == d_v {
            assert!((answer - 2.5).abs() <= tolerance, "d_k = d_v gives 2.5: {answer}");
            equal = true;
        } else {
            unequal = true;
        }
    }
    assert!(equal && unequal, "equal and different widths both come up");
}
