//! The built-in question bank (`src/quiz/bank/<topic>.toml`): enough questions,
//! every topic and kind, a right answer for each, explanations and reference
//! pointers that resolve.
//!
//! The loader already rejects most of these problems; the tests state the
//! contract on their own, reading the typed questions and the reference's
//! catalog directly.

use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::question::{Kind, KindName, MAX_CHOICES, Question, listing_lines};
use attn_quiz::quiz::topic::TOPICS;
use attn_quiz::reference::catalog;
use std::collections::HashSet;

fn bank() -> Bank {
    Bank::built_in().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_bank_has_at_least_80_questions() {
    let count = bank().questions().len();
    assert!(count >= 80, "the bank has {count} questions, at least 80 are expected");
}

#[test]
fn every_topic_has_questions() {
    let bank = bank();
    let empty: Vec<&str> =
        TOPICS.iter().filter(|t| !bank.questions().iter().any(|q| q.topic == *t)).map(|t| t.id).collect();
    assert!(empty.is_empty(), "topics without questions: {empty:?}");
}

#[test]
fn every_kind_is_present() {
    let bank = bank();
    let present: HashSet<KindName> = bank.questions().iter().map(|q| q.kind.name()).collect();
    let missing: Vec<&str> = KindName::ALL.iter().filter(|k| !present.contains(k)).map(|k| k.as_str()).collect();
    assert!(missing.is_empty(), "kinds without questions: {missing:?}");
}

#[test]
fn ids_are_unique_and_start_with_their_topic() {
    let bank = bank();
    let mut seen = HashSet::new();
    for q in bank.questions() {
        assert!(seen.insert(q.id.as_str()), "duplicate id {}", q.id);
        assert!(q.id.starts_with(&format!("{}.", q.topic.id)), "{} is not in topic {}", q.id, q.topic.id);
    }
}

#[test]
fn every_question_has_a_right_answer() {
    for q in bank().questions() {
        assert_has_right_answer(q);
    }
}

/// The answer key of `q` is complete and within range.
fn assert_has_right_answer(q: &Question) {
    let id = &q.id;
    match &q.kind {
        Kind::SingleChoice { choices, correct } => {
            assert!((2..=MAX_CHOICES).contains(&choices.len()), "{id}: {} choices", choices.len());
            assert!(*correct < choices.len(), "{id}: correct index {correct} out of range");
        }
        Kind::MultipleSelect { choices, correct } => {
            assert!((2..=MAX_CHOICES).contains(&choices.len()), "{id}: {} choices", choices.len());
            assert!(!correct.is_empty(), "{id}: no correct option");
            assert!(correct.iter().all(|&i| i < choices.len()), "{id}: correct index out of range");
        }
        Kind::Numeric { answer, tolerance } => {
            assert!(answer.is_finite() && tolerance.is_finite() && *tolerance >= 0.0, "{id}: {answer} ± {tolerance}");
        }
        Kind::Shape { shape } => assert!(!shape.is_empty(), "{id}: empty shape"),
        Kind::ShortAnswer { model_answer, key_points } => {
            assert!(!model_answer.trim().is_empty() && !key_points.is_empty(), "{id}: no model answer or key points");
        }
        Kind::SpotTheBug { listing, bug_line } => {
            let lines = listing_lines(listing).len();
            assert!((1..=lines).contains(bug_line), "{id}: bug line {bug_line} outside the {lines}-line listing");
        }
        Kind::OrderSteps { steps } => assert!(steps.len() >= 2, "{id}: fewer than two steps"),
    }
}

#[test]
fn every_question_has_a_prompt_hint_and_explanation() {
    for q in bank().questions() {
        for (what, text) in [("prompt", &q.prompt), ("hint", &q.hint), ("explanation", &q.explanation)] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", q.id);
        }
    }
}

#[test]
fn every_reference_pointer_names_an_item_that_exists() {
    let layers = include_str!("../src/layers.rs");
    for q in bank().questions() {
        let parts: Vec<&str> = q.reference.split("::").collect();
        let (source, item) = match parts.as_slice() {
            ["reference", module] => (module_source(&q.id, module), None),
            ["reference", module, item] => (module_source(&q.id, module), Some(*item)),
            ["layers", item] => (layers, Some(*item)),
            _ => panic!("{}: reference `{}` has an unknown form", q.id, q.reference),
        };
        if let Some(item) = item {
            assert!(declares(source, item), "{}: `{}` is not declared", q.id, q.reference);
        }
    }
}

/// The source of reference module `module`, failing the test if it does not exist.
fn module_source(id: &str, module: &str) -> &'static str {
    catalog::find(module).unwrap_or_else(|| panic!("{id}: no reference module `{module}`")).source
}

/// Whether `source` declares a public item `item` (`pub fn item(`, `pub struct item {`, ...).
fn declares(source: &str, item: &str) -> bool {
    source.lines().map(str::trim_start).any(|line| {
        ["fn", "struct", "enum", "type", "const", "trait"].iter().any(|keyword| {
            line.strip_prefix(&format!("pub {keyword} {item}"))
                .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric() && c != '_'))
        })
    })
}

#[test]
fn the_modern_topics_have_at_least_twelve_questions_of_several_kinds() {
    let bank = bank();
    for topic in [
        "positions_rope",
        "kv_cache_serving",
        "windows_sinks",
        "flash_attention",
        "position_schemes",
        "modern_architectures",
    ] {
        let questions: Vec<&Question> = bank.questions().iter().filter(|q| q.topic.id == topic).collect();
        assert!(questions.len() >= 12, "{topic}: {} questions", questions.len());
        let kinds: HashSet<KindName> = questions.iter().map(|q| q.kind.name()).collect();
        assert!(kinds.len() >= 6, "{topic}: only {} kinds", kinds.len());
    }
}

/// The numeric and shape answers of the modern topics, recomputed here by
/// running the reference (or, for pure arithmetic, its closed form).
#[test]
fn modern_answers_agree_with_the_reference() {
    use attn_quiz::prelude::*;
    use attn_quiz::reference::{self, kv_cache, online_softmax::RunningSoftmax, rope, sliding_window};
    use attn_quiz::sample::Sampler;
    let bank = bank();
    let question = |id: &str| bank.questions().iter().find(|q| q.id == id).unwrap_or_else(|| panic!("no {id}"));
    let numeric = |id: &str, value: f64| match &question(id).kind {
        Kind::Numeric { answer, tolerance } => {
            assert!(
                (answer - value).abs() <= tolerance.max(1e-9),
                "{id}: the bank says {answer}, the reference {value}"
            )
        }
        other => panic!("{id}: not numeric: {other:?}"),
    };
    let shape = |id: &str, value: Vec<usize>| match &question(id).kind {
        Kind::Shape { shape } => assert_eq!(shape, &value, "{id}"),
        other => panic!("{id}: not a shape: {other:?}"),
    };
    let count = |m: &Mask| m.iter().filter(|&&a| a).count() as f64;
    let rope_base = Rope { base: 10_000.0, style: RopeStyle::HalfSplit };

    numeric("positions_rope.angle-value", 100.0 * rope::frequencies(64, 10_000.0)[16]);
    numeric("positions_rope.slowest-wavelength", 2.0 * std::f64::consts::PI / rope::frequencies(128, 10_000.0)[63]);
    shape("positions_rope.cos-table-shape", vec![4096, rope::frequencies(128, 10_000.0).len()]);

    // Cached numbers per token and layer, read off a real cache (model width 8: it does not matter).
    let cache_after = |h, g, d_k, calls: &[usize]| {
        let w = Sampler::new(1).grouped_query_weights(8, h, g, d_k);
        let mut cache = kv_cache::empty_cache(&w);
        for &tokens in calls {
            kv_cache::decode_step(&Matrix::zeros(tokens, 8), &mut cache, &w, Some(&rope_base));
        }
        cache
    };
    let llama2 = cache_after(32, 32, 128, &[1]);
    numeric("kv_cache_serving.llama2-bytes", ((llama2.keys.len() + llama2.values.len()) * 32 * 2) as f64);
    let served = cache_after(32, 8, 128, &[100, 1, 1, 1, 1, 1]);
    shape("kv_cache_serving.cache-shape", vec![served.keys.nrows(), served.keys.ncols()]);
    numeric("kv_cache_serving.arithmetic-intensity", (4.0 * 32.0) / (2.0 * 8.0 * 2.0));

    numeric("windows_sinks.window-count", count(&sliding_window::sliding_window_mask(1, 11, 4)));
    numeric("windows_sinks.streaming-mask", count(&sliding_window::streaming_mask(1, 5001, 4, 1020)));
    numeric("windows_sinks.receptive-field", (32 * (4096 - 1)) as f64);
    let m = sliding_window::sliding_window_mask(3, 23, 8);
    shape("windows_sinks.mask-shape", vec![m.nrows(), m.ncols()]);
    let mut s = Sampler::new(2);
    let (k, v) = (s.matrix(3, 4), s.matrix(3, 4));
    let (_, weights) = reference::attention_with_sink(&Matrix::zeros(1, 4), &k, &v, 0.0, None);
    numeric("windows_sinks.sink-weights", f64::from(weights.sum()));
    // The rolling buffer: the token written into slot t mod W replaces the one at t − W, and
    // that is exactly the key the query at t no longer sees (while t − W + 1 is still seen).
    let at_10000 = sliding_window::sliding_window_mask(1, 10_001, 4096);
    assert!(!at_10000[(0, 10_000 - 4096)] && at_10000[(0, 10_000 - 4096 + 1)], "windows_sinks.ring-slot");
    numeric("windows_sinks.ring-slot", (10_000 % 4096) as f64);
    let full = count(&reference::causal_mask(4096));
    numeric("windows_sinks.window-cost", full / count(&sliding_window::sliding_window_mask(4096, 4096, 512)));
    // The edge cases: W ≥ len_k is the aligned causal mask, W = 1 the diagonal, no empty row.
    for (len_q, len_k) in [(5, 5), (2, 7)] {
        assert_eq!(
            sliding_window::sliding_window_mask(len_q, len_k, len_k),
            reference::aligned_causal_mask(len_q, len_k),
            "windows_sinks.window-edge-cases: choice 0"
        );
        let diagonal = sliding_window::sliding_window_mask(len_q, len_k, 1);
        for i in 0..len_q {
            let seen: Vec<usize> = (0..len_k).filter(|&j| diagonal[(i, j)]).collect();
            assert_eq!(seen, [i + len_k - len_q], "windows_sinks.window-edge-cases: choice 1");
        }
        let narrow = sliding_window::sliding_window_mask(len_q, len_k, 1);
        let every_row_sees_a_key = (0..len_q).all(|i| (0..len_k).any(|j| narrow[(i, j)]));
        assert!(every_row_sees_a_key, "windows_sinks.window-edge-cases: choice 3");
    }
    assert!(matches!(&question("windows_sinks.window-edge-cases").kind,
        Kind::MultipleSelect { correct, .. } if correct == &[0, 1, 3, 4]));
    // Scores ln 2 and 0 (q = 1, k = [ln 2, 0], d_k = 1), values 3 and 6, sink ln 3.
    let (q, k) = (Matrix::from_element(1, 1, 1.0), Matrix::from_column_slice(2, 1, &[2f32.ln(), 0.0]));
    let v = Matrix::from_column_slice(2, 1, &[3.0, 6.0]);
    let (out, _) = reference::attention_with_sink(&q, &k, &v, 3f32.ln(), None);
    numeric("windows_sinks.sink-output", f64::from(out[(0, 0)]));
    let (plain, _) = reference::scaled_dot_product_attention(&q, &k, &v, None);
    assert!((plain[(0, 0)] - 4.0).abs() < 1e-5, "windows_sinks.sink-output: plain softmax gives 4");
    // The new token is the last of the keys kept in the cache: its slot is their count − 1.
    numeric("windows_sinks.streaming-position", count(&sliding_window::streaming_mask(1, 5001, 4, 1020)) - 1.0);

    let mut running = RunningSoftmax::new(1);
    for score in [1.0, 3.0, 2.0] {
        running.absorb(&mut Matrix::from_element(1, 1, score));
    }
    numeric("flash_attention.online-lse", f64::from(running.lse()[0]));
    numeric("flash_attention.score-matrix-bytes", (8192.0 * 8192.0 * 2.0) / f64::from(1 << 20));
    let tiles_of = |l_q, l_k, causal, block| {
        let (q, k, v) = (Matrix::zeros(l_q, 1), Matrix::zeros(l_k, 1), Matrix::zeros(l_k, 1));
        let (_, steps) = attn_quiz::trace::record(|| reference::flash_attention(&q, &k, &v, causal, block, block));
        steps.into_iter().filter(|s| s.name == "score_tile").map(|s| s.shape).collect::<Vec<_>>()
    };
    numeric("flash_attention.tile-count", tiles_of(1024, 1024, true, 128).len() as f64);
    let (rows, cols) = *tiles_of(100, 70, false, 32).last().unwrap();
    shape("flash_attention.tile-shape", vec![rows, cols]);
    // q = 0 makes P = [1/2, 1/2]; v = [0, 2] makes dP = [0, 2]; with k = [0, 1] and d_k = 1, dq = dS·k = dS[1].
    let (q, k) = (Matrix::zeros(1, 1), Matrix::from_row_slice(2, 1, &[0.0, 1.0]));
    let v = Matrix::from_row_slice(2, 1, &[0.0, 2.0]);
    let (dq, _, _) = reference::sdpa_backward(&q, &k, &v, None, &Matrix::from_element(1, 1, 1.0));
    numeric("flash_attention.backward-numeric", f64::from(dq[(0, 0)]));
    // Two key blocks of 2 and 1 keys: scores [0, 0 | 2], values [1, 3 | 5].
    let (q, k) = (Matrix::from_element(1, 1, 1.0), Matrix::from_column_slice(3, 1, &[0.0, 0.0, 2.0]));
    let v = Matrix::from_column_slice(3, 1, &[1.0, 3.0, 5.0]);
    let ((out, _), _, readings) =
        attn_quiz::trace::record_with_values(|| reference::flash_attention(&q, &k, &v, false, 1, 2));
    numeric("flash_attention.online-update", f64::from(out[(0, 0)]));
    let rescales: Vec<f64> = readings.iter().filter(|r| r.name == "rescale").flat_map(|r| r.values.clone()).collect();
    assert!((rescales[1] - (-2f64).exp()).abs() < 1e-6, "the second block rescales by e^(−2): {rescales:?}");
}

/// The numeric and shape answers of the position-scheme and 2024–25 topics,
/// recomputed by running the reference (arithmetic on cache sizes uses the
/// sizes read off a real cache).
#[test]
fn position_and_architecture_answers_agree_with_the_reference() {
    use attn_quiz::prelude::*;
    use attn_quiz::reference::differential::DifferentialWeights;
    use attn_quiz::reference::mla::{empty_mla_cache, mla_decode_step};
    use attn_quiz::reference::mla_absorbed::mla_decode_step_absorbed;
    use attn_quiz::reference::{self, alibi, kv_cache, sinusoidal};
    use attn_quiz::sample::{MlaSizes, Sampler};
    let bank = bank();
    let question = |id: &str| bank.questions().iter().find(|q| q.id == id).unwrap_or_else(|| panic!("no {id}"));
    let numeric = |id: &str, value: f64| match &question(id).kind {
        Kind::Numeric { answer, tolerance } => {
            assert!(
                (answer - value).abs() <= tolerance.max(1e-9),
                "{id}: the bank says {answer}, the reference {value}"
            )
        }
        other => panic!("{id}: not numeric: {other:?}"),
    };
    let shape = |id: &str, value: Vec<usize>| match &question(id).kind {
        Kind::Shape { shape } => assert_eq!(shape, &value, "{id}"),
        other => panic!("{id}: not a shape: {other:?}"),
    };
    let rope = Rope { base: 10_000.0, style: RopeStyle::HalfSplit };

    // ---- position_schemes ----
    numeric("position_schemes.sinusoidal-value", f64::from(sinusoidal::sinusoidal_positions(4, 8)[(3, 2)]));
    numeric("position_schemes.row-norm", f64::from(sinusoidal::sinusoidal_positions(778, 512).row(777).norm()));
    numeric("position_schemes.alibi-slope", f64::from(alibi::alibi_slopes(12)[9]));
    let six = alibi::alibi_slopes(6);
    let listed = [1.0 / 4.0, 1.0 / 16.0, 1.0 / 64.0, 1.0 / 256.0, 1.0 / 2.0, 1.0 / 8.0];
    assert_eq!(six, listed, "position_schemes.alibi-six-heads: choice 0");
    assert!(
        matches!(&question("position_schemes.alibi-six-heads").kind, Kind::SingleChoice { correct, .. } if *correct == 0)
    );
    // One head of width 1 with slope 1/2 and W_q = 0: every scaled score is 0, only the bias remains.
    let id = Linear::without_bias(Matrix::identity(1, 1));
    let w = MultiHeadWeights {
        q: Linear::without_bias(Matrix::zeros(1, 1)),
        k: id.clone(),
        v: id.clone(),
        o: id,
        num_heads: 1,
    };
    let (_, heads) = alibi::alibi_with_slopes(&Matrix::zeros(7, 1), &w, &[0.5]);
    numeric("position_schemes.alibi-ratio", f64::from(heads[0][(6, 4)] / heads[0][(6, 0)]));
    let w16 = Sampler::new(3).multi_head_weights(16, 16);
    let (_, steps) = attn_quiz::trace::record(|| alibi::alibi_self_attention(&Sampler::new(4).matrix(100, 16), &w16));
    let biased: Vec<_> = steps.iter().filter(|s| s.name == "biased_scores").collect();
    shape("position_schemes.alibi-bias-shape", vec![biased.len(), biased[0].shape.0, biased[0].shape.1]);

    // ---- modern_architectures ----
    // MLA with DeepSeek-V3's d_c and d_r (a small model width and d_n: the cache does not depend on them).
    let v3 = MlaSizes { d_c: 512, d_n: 2, d_r: 64, d_v: 2 };
    let mla = Sampler::new(5).mla_weights(8, 128, v3);
    let mut cache = empty_mla_cache(&mla);
    mla_decode_step(&Matrix::zeros(1, 8), &mut cache, &mla, &rope);
    let mla_numbers = (cache.latent.len() + cache.rope_keys.len()) as f64;
    numeric("modern_architectures.mla-cached-numbers", mla_numbers);
    // Multi-head attention with H = G = 128 heads of width 128, one decoded token.
    let mha = Sampler::new(6).grouped_query_weights(8, 128, 128, 128);
    let mut mha_cache = kv_cache::empty_cache(&mha);
    kv_cache::decode_step(&Matrix::zeros(1, 8), &mut mha_cache, &mha, Some(&rope));
    let mha_numbers = (mha_cache.keys.len() + mha_cache.values.len()) as f64;
    numeric("modern_architectures.mha-cached-numbers", mha_numbers);
    numeric("modern_architectures.mla-ratio", mha_numbers / mla_numbers);
    numeric("modern_architectures.mla-gqa-equivalent", mla_numbers / (2.0 * 128.0));
    numeric("modern_architectures.mla-total-bytes", mla_numbers * 61.0 * 2.0);
    let v3_query = MlaSizes { d_n: 128, ..v3 };
    let absorbed = Sampler::new(7).mla_weights(8, 128, v3_query);
    let (_, steps) = attn_quiz::trace::record(|| {
        mla_decode_step_absorbed(&Matrix::zeros(1, 8), &mut empty_mla_cache(&absorbed), &absorbed, &rope)
    });
    let q_latent: Vec<_> = steps.iter().filter(|s| s.name == "q_latent").collect();
    shape(
        "modern_architectures.mla-absorbed-query-shape",
        vec![q_latent.len(), q_latent[0].shape.0, q_latent[0].shape.1],
    );

    let (q, k, v) = (
        Matrix::from_element(1, 1, 0.5),
        Matrix::from_column_slice(2, 1, &[1.0, -1.0]),
        Matrix::from_column_slice(2, 1, &[2.0, 10.0]),
    );
    numeric("modern_architectures.linear-output", f64::from(reference::linear_attention(&q, &k, &v, false)[(0, 0)]));
    let mut s = Sampler::new(8);
    let (q, k, v) = (s.matrix(3, 64), s.matrix(3, 64), s.matrix(3, 64));
    let (_, steps) = attn_quiz::trace::record(|| reference::linear_attention(&q, &k, &v, true));
    let state = steps.iter().find(|s| s.name == "state").unwrap().shape;
    numeric("modern_architectures.linear-state-size", (state.0 * state.1 + state.0) as f64); // S and z (d_k)
    numeric("modern_architectures.differential-lambda-init", f64::from(DifferentialWeights::lambda_init_at(5)));
}

/// The decoder issue asks for at least 8 questions per variant. RoPE and the
/// KV cache have topics of their own; sliding windows and sinks share one, so
/// their questions are listed here by variant (a question about both counts for neither).
#[test]
fn every_decoder_variant_has_at_least_eight_questions() {
    let bank = bank();
    let in_topic = |topic: &str| bank.questions().iter().filter(|q| q.topic.id == topic).count();
    assert!(in_topic("positions_rope") >= 8, "RoPE: {}", in_topic("positions_rope"));
    assert!(in_topic("kv_cache_serving") >= 8, "KV cache: {}", in_topic("kv_cache_serving"));
    let windows = [
        "window-count",
        "off-by-one",
        "rolling-cache",
        "receptive-field",
        "mask-shape",
        "why-window",
        "ring-slot",
        "window-cost",
        "window-edge-cases",
    ];
    let sinks = [
        "streaming-llm",
        "sink-weights",
        "sink-properties",
        "gpt-oss-layout",
        "streaming-mask",
        "sink-vs-streaming",
        "sink-output",
        "streaming-position",
        "renormalise-bug",
    ];
    for (variant, slugs) in [("sliding windows", &windows[..]), ("sinks", &sinks[..])] {
        for slug in slugs {
            let id = format!("windows_sinks.{slug}");
            assert!(bank.questions().iter().any(|q| q.id == id), "{variant}: no {id}");
        }
        assert!(slugs.len() >= 8, "{variant}: {} questions", slugs.len());
    }
}
