//! `attn-quiz show`, `trace` and `compare` as a user runs them.
//!
//! Outputs are pinned by the files in `tests/snapshots/`. After an intended
//! change, rewrite them with `UPDATE_SNAPSHOTS=1 cargo test --test explore_cli`
//! and review the diff: every number in them has been checked by hand (see
//! the comment above each test).

use assert_cmd::Command;
use std::path::PathBuf;

/// Runs `attn-quiz args...` with colours left to the program (stdout is a pipe).
fn attn_quiz(args: &[&str]) -> assert_cmd::assert::Assert {
    let mut command = Command::cargo_bin("attn-quiz").expect("the binary is built");
    command.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR").args(args).assert()
}

/// The stdout of a run that must succeed.
fn stdout_of(args: &[&str]) -> String {
    let output = attn_quiz(args).success().get_output().stdout.clone();
    String::from_utf8(output).expect("stdout is UTF-8")
}

/// The stderr of a run that must fail with exit code 2 and print nothing on stdout.
fn usage_error(args: &[&str]) -> String {
    let output = attn_quiz(args).code(2).stdout("").get_output().stderr.clone();
    String::from_utf8(output).expect("stderr is UTF-8")
}

/// A file of the crate, by its path from the crate root.
fn crate_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Compares `actual` with `tests/snapshots/<name>.txt`, or rewrites that file
/// when `UPDATE_SNAPSHOTS=1`.
fn assert_snapshot(name: &str, actual: &str) {
    let path = crate_file(&format!("tests/snapshots/{name}.txt"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("the snapshot is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; create it with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        actual == expected,
        "output differs from {}; if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff\n\
         --- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

// ---- show ----

/// Every module with its title, and the variant names that lead to it.
#[test]
fn show_alone_lists_the_modules() {
    assert_snapshot("show_list", &stdout_of(&["show"]));
}

#[test]
fn show_prints_the_source_file_itself() {
    let file = |name: &str| std::fs::read_to_string(crate_file(&format!("src/reference/{name}.rs"))).unwrap();
    assert_eq!(stdout_of(&["show", "mha"]), file("mha"));
    assert_eq!(stdout_of(&["show", "softmax", "--plain"]), file("softmax"));
    // Aliases and variant names lead to the module that implements them.
    assert_eq!(stdout_of(&["show", "multi-query"]), file("gqa"));
    assert_eq!(stdout_of(&["show", "Self-Attention"]), file("self_attention"));
    assert_eq!(stdout_of(&["show", "bahdanau"]), file("additive"));
}

#[test]
fn show_colours_comments_on_a_terminal_and_not_with_plain() {
    let run = |args: &[&str]| {
        let mut command = Command::cargo_bin("attn-quiz").unwrap();
        let output = command.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR").args(args).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let coloured = run(&["show", "sdpa"]);
    // Doc comments green (ESC[32m), line comments cyan (ESC[36m), code untouched.
    assert!(coloured.starts_with("\x1b[32m//! Scaled dot-product attention"), "{}", &coloured[..80]);
    assert!(coloured.contains("\nuse crate::trace;\n"));
    assert!(
        coloured
            .contains("    let scores = q * k.transpose(); \x1b[36m// (l_q, d_k)·(d_k, l_k) -> (l_q, l_k)\x1b[0m\n")
    );
    let plain = run(&["show", "sdpa", "--plain"]);
    assert_eq!(plain, std::fs::read_to_string(crate_file("src/reference/sdpa.rs")).unwrap());
}

#[test]
fn show_of_an_unknown_name_lists_the_modules() {
    let stderr = usage_error(&["show", "no_such_module"]);
    assert_eq!(
        stderr,
        "error: unknown module or variant `no_such_module`; choose one of: softmax, mask, sdpa, heads, mha, \
         self_attention, cross_attention, gated, gqa, rope, kv_cache, sliding_window, sinks, decoder, \
         sinusoidal, alibi, mla, mla_absorbed, linear_attention, differential, additive, luong, batched, \
         online_softmax, flash, sdpa_backward, flash_backward\n"
    );
}

// ---- trace ----

/// The interview classic, N = 64, L = 10, D = 512, H = 8 (d_k = 64). Checked by hand:
/// parameters 4·512·512 + 4·512 = 1,050,624; each product 2·N·H·L·S·d_k =
/// 2·64·8·10·10·64 = 6,553,600 FLOPs; attention weights N·H·L·S·4 bytes =
/// 204,800; KV cache per token 2·512·4 = 4,096 bytes.
#[test]
fn trace_of_multi_head_attention() {
    let out = stdout_of(&["trace", "mha", "--batch", "64", "--len", "10", "--d-model", "512", "--heads", "8"]);
    assert_snapshot("trace_mha", &out);
}

/// N = 2, L = 6, S = 4, D = 32, H = 4, G = 2 (d_k = 8). Checked by hand:
/// parameters: q, o 32·32 + 32 = 1,056 each; k, v 32·16 + 16 = 528 each; 3,168
/// in all. FLOPs 2·2·4·6·4·8 = 3,072 each; weights 2·4·6·4·4 = 768 bytes;
/// KV cache 2·2·8·4 = 128 bytes per token.
#[test]
fn trace_of_grouped_query_attention() {
    let out = stdout_of(&[
        "trace",
        "gqa",
        "--len",
        "6",
        "--kv-len",
        "4",
        "--d-model",
        "32",
        "--heads",
        "4",
        "--kv-heads",
        "2",
    ]);
    assert_snapshot("trace_gqa", &out);
}

/// Causal self-attention: the mask appears as a step, in every head. N = 2,
/// L = 4, D = 16, H = 2 (d_k = 8). Parameters 4·16·16 + 4·16 = 1,088; FLOPs
/// 2·2·2·4·4·8 = 1,024 each; weights 2·2·4·4·4 = 256 bytes; KV 2·16·4 = 128.
#[test]
fn trace_of_causal_self_attention() {
    let out = stdout_of(&["trace", "self-attention", "--causal", "--len", "4", "--d-model", "16", "--heads", "2"]);
    assert_snapshot("trace_self_attention_causal", &out);
}

/// Additive attention, d_a = D = 8, N = 2, L = 3, S = 5. Parameters
/// 8·8 + 8·8 + 8 = 136; score FLOPs 3·N·L·S·d_a = 3·2·3·5·8 = 720; weights·V
/// 2·2·3·5·8 = 480; weights 2·3·5·4 = 120 bytes; KV cache (8 + 8)·4 = 64 bytes.
#[test]
fn trace_of_additive_attention() {
    let out = stdout_of(&["trace", "additive", "--len", "3", "--kv-len", "5", "--d-model", "8"]);
    assert_snapshot("trace_additive", &out);
}

/// RoPE self-attention, N = 2, L = 3, D = 8, H = 2 (d_k = 4): one call on an empty
/// cache. Parameters 4·(8·8 + 8) = 288; FLOPs 2·N·H·L·L·d_k = 2·2·2·3·3·4 = 288
/// each; weights 2·2·3·3·4 = 144 bytes; KV cache 2·8·4 = 64 bytes per token.
/// Angles: d = 4 has 2 pairs, half-split (0, 2) and (1, 3), θ_0 = 10000⁰ = 1 and
/// θ_1 = 10000^(−2/4) = 0.01 rad per position (a turn every 2π = 6.3 and 628.3
/// positions); at positions 0, 1, 2 pair 0 has turned 0, 1, 2 rad, pair 1 0, 0.01, 0.02.
#[test]
fn trace_of_rope() {
    assert_snapshot("trace_rope", &stdout_of(&["trace", "rope", "--len", "3", "--d-model", "8", "--heads", "2"]));
}

/// N = 1, L = 5, prefill 3, D = 16, H = 4, G = 2 (d_k = 4): calls of 3, 1, 1
/// tokens over 3, 4, 5 cached rows. Parameters q, o 16·16 + 16 = 272 each, k, v
/// 16·8 + 8 = 136 each: 816. Scores per head 3·3 + 1·4 + 1·5 = 18, ×4 heads = 72
/// pairs; FLOPs 2·72·4 = 576 each; weights 72·4 = 288 bytes; KV (8 + 8)·4 = 64
/// bytes per token; the final cache 2·5·8·4 = 320 bytes.
#[test]
fn trace_of_kv_cache_decoding() {
    let args = ["trace", "kv_cache", "--batch", "1", "--len", "5", "--prefill", "3", "--d-model", "16", "--heads", "4"];
    assert_snapshot("trace_kv_cache", &stdout_of(&[&args[..], &["--kv-heads", "2"]].concat()));
}

/// N = 2, L = 5, W = 2, D = 8, H = 2, G = 1 (d_k = 4). Parameters q, o 72 each,
/// k, v 8·4 + 4 = 36 each: 216. FLOPs 2·2·2·5·5·4 = 800 each (masked scores
/// are still computed); weights 2·2·5·5·4 = 400 bytes; KV (4 + 4)·4 = 32.
#[test]
fn trace_of_sliding_window_attention() {
    let args = ["trace", "sliding_window", "--len", "5", "--window", "2", "--d-model", "8", "--heads", "2"];
    assert_snapshot("trace_sliding_window", &stdout_of(&[&args[..], &["--kv-heads", "1"]].concat()));
}

/// One head with a sink, N = 2, L = 3, S = 5, D = 4, aligned causal mask: the
/// sink adds a sixth score column. Parameters 1 (the sink); FLOPs 2·2·3·5·4 =
/// 240 each; weights (sink dropped) 2·3·5·4 = 120 bytes; KV 2·4·4 = 32.
#[test]
fn trace_of_attention_with_a_sink() {
    let out = stdout_of(&["trace", "sinks", "--len", "3", "--kv-len", "5", "--d-model", "4", "--causal"]);
    assert_snapshot("trace_sinks", &out);
}

/// N = 1, L = 4, prefill 2, W = 2, D = 16, H = 4, G = 1 (d_k = 4). Parameters
/// 272 + 272 + 68 + 68 + 4 sinks = 684. Scores per head 2·2 + 1·3 + 1·4 = 11, ×4
/// = 44 pairs: FLOPs 2·44·4 = 352 each; weights 44·4 = 176 bytes; KV (4 + 4)·4
/// = 32 per token; final cache 2·4·4·4 = 128 bytes.
#[test]
fn trace_of_the_decoder() {
    let args = ["trace", "decoder", "--batch", "1", "--len", "4", "--prefill", "2", "--window", "2"];
    let sizes = ["--d-model", "16", "--heads", "4", "--kv-heads", "1"];
    assert_snapshot("trace_decoder", &stdout_of(&[&args[..], &sizes[..]].concat()));
}

/// Flash, N = 2, L = 6, S = 9, D = 4, blocks 4 × 4, aligned causal (query i at
/// i + 3). Query block 0 (last query at 6) needs keys 0..6: two [4, 4] tiles;
/// block 1 (last at 8) all 9 keys: [2, 4] twice and [2, 1]. Pairs 16 + 16 + 8 +
/// 8 + 2 = 50 per sequence: FLOPs 2·2·50·4 = 800 each; no weights kept; largest
/// tile 16·4 = 64 bytes; KV 2·4·4 = 32. The recurrence of row 5 (keys 0..3,
/// 4..7, 8): the factors are exp(m_old − m): 0 for the first block, exp(0.5343 −
/// 0.6028) = 0.9339 when the max grows, 1 when it does not; l = 2.6379·0.9339 +
/// rowsum = 5.0337, then 5.0337 + exp(s_8 − m) = 5.3466; lse = 0.6028 + ln 5.3466
/// = 0.6028 + 1.6764 = 2.2792. (The unit test in src/explore/trace.rs recomputes
/// these numbers from the same seed without flash.)
#[test]
fn trace_of_flash_attention() {
    let args = ["trace", "flash", "--len", "6", "--kv-len", "9", "--d-model", "4", "--causal"];
    assert_snapshot("trace_flash", &stdout_of(&[&args[..], &["--block-q", "4", "--block-k", "4"]].concat()));
}

#[test]
fn trace_refuses_impossible_modern_configurations() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["rope", "--causal"],
            "--causal does not apply to rope: it is always causal (each query sees keys up to its own position)",
        ),
        (
            &["mha", "--window", "4"],
            "--window does not apply to mha: it has no sliding window (sliding_window and decoder have one)",
        ),
        (
            &["sliding_window", "--prefill", "2"],
            "--prefill does not apply to sliding_window: it runs in one call, without a KV cache (kv_cache and decoder decode)",
        ),
        (&["sdpa", "--block-q", "2"], "--block-q does not apply to sdpa: only flash works in tiles"),
        (&["kv_cache", "--block-k", "2"], "--block-k does not apply to kv_cache: only flash works in tiles"),
        (&["kv_cache", "--prefill", "11"], "--prefill 11 is impossible: it must be from 1 to L = 10"),
        (&["decoder", "--prefill", "0", "--len", "6"], "--prefill 0 is impossible: it must be from 1 to L = 6"),
        (&["decoder", "--window", "0"], "cannot run decoder at these sizes: window must be at least 1"),
        (&["flash", "--block-k", "0"], "cannot run flash at these sizes: block_k must be at least 1"),
        (
            &["flash", "--len", "6", "--kv-len", "4", "--causal"],
            "cannot run flash at these sizes: aligned causal attention needs l_q <= l_k, got l_q = 6 queries and l_k = 4 keys",
        ),
        (
            &["kv_cache", "--len", "100", "--prefill", "1"],
            "too large to run: the decode steps L − prefill must be at most 64",
        ),
        (
            &["flash", "--len", "1000", "--block-q", "1", "--block-k", "1", "--d-model", "8"],
            "too large to run: the number of tiles ⌈L/block_q⌉·⌈S/block_k⌉ must be at most 16,384",
        ),
        (
            &["decoder", "--d-model", "24", "--heads", "8"],
            "cannot run decoder at these sizes: shape mismatch: head_dim mod 2 (RoPE rotates pairs, head_dim must be even) must be 0, got 1",
        ),
    ];
    for (args, message) in cases {
        let stderr = usage_error(&[&["trace"], *args].concat());
        assert_eq!(stderr, format!("error: {message}\n"), "trace {args:?}");
    }
}

/// ALiBi, N = 1, L = 5, D = 16, H = 4 (d_k = 4). Checked by hand: MHA's weights
/// 4·16·16 + 4·16 = 1,088; biased scores of 4 heads of 5·5: 2·100·4 = 800 FLOPs,
/// weights·V the same; 100 weights of 4 bytes = 400; K and V 2·16·4 = 128 B per token.
/// The reference reports only the biased scores, mask, weights and values per head.
#[test]
fn trace_of_alibi() {
    let args = ["trace", "alibi", "--d-model", "16", "--heads", "4", "--len", "5", "--batch", "1"];
    assert_snapshot("trace_alibi", &stdout_of(&args));
}

/// Sinusoidal positions then self-attention, N = 1, L = 5, D = 16, H = 4: the
/// positions step is (5 × 16), the rest and every cost those of self-attention
/// (1,088 parameters, 800 + 800 FLOPs, 400 B of weights, 128 B per token).
#[test]
fn trace_of_sinusoidal() {
    let args = ["trace", "sinusoidal", "--d-model", "16", "--heads", "4", "--len", "5", "--batch", "1"];
    assert_snapshot("trace_sinusoidal", &stdout_of(&args));
}

/// MLA, N = 1, L = 5, P = 3, D = 16, H = 2 (d_n = d_v = 8), default d_c = 4·8 = 32,
/// d_r = 8/2 = 4. Parameters: q 16·2·(8 + 4) + 24 = 408, kv_down 16·36 + 36 = 612,
/// kv_norm 32, k_up and v_up 32·16 = 512 each, o 16·16 + 16 = 272: 2,348. Scores:
/// 9 + 4 + 5 = 18 pairs per head, 36 in all: 2·36·(8 + 4) = 864 FLOPs, 2·36·8 = 576
/// for weights·V, 36·4 = 144 B of weights. Cache: (32 + 4)·4 = 144 B per token,
/// 5 tokens: 720 B. The latent grows 3, 4, 5 rows.
#[test]
fn trace_of_mla_naive_and_absorbed() {
    let args = ["trace", "mla", "--d-model", "16", "--heads", "2", "--len", "5", "--prefill", "3", "--batch", "1"];
    assert_snapshot("trace_mla", &stdout_of(&args));
    // Absorbed: the same parameters and cache; the scores run over d_c + d_r = 36 columns,
    // 2·36·36 = 2,592 FLOPs, and weights·c over d_c = 32: 2·36·32 = 2,304.
    let absorbed = stdout_of(&[&args[..], &["--absorbed"]].concat());
    assert_snapshot("trace_mla_absorbed", &absorbed);
    // Chosen widths: DeepSeek-V3's d_c = 512, d_r = 64 give 576·4 = 2,304 B per token.
    let v3 = stdout_of(&["trace", "mla", "--latent", "512", "--rope-dim", "64", "--len", "2", "--prefill", "1"]);
    assert!(v3.contains("d_c=512, d_r=64, naive form"), "{v3}");
    let per_token = v3.lines().find(|l| l.starts_with("KV cache per token")).unwrap();
    assert!(per_token.ends_with(" 2,304"), "{per_token}");
}

/// Linear attention, N = 1, L = S = 6, D = d_k = d_v = 8: the state S is (8 × 8),
/// no (6 × 6) step at all. Updates 2·8·8·6 = 768 FLOPs, reads the same; no KV cache;
/// the state S and z: (64 + 8)·4 = 288 B.
#[test]
fn trace_of_linear_attention() {
    let args = ["trace", "linear_attention", "--d-model", "8", "--len", "6", "--batch", "1"];
    let out = stdout_of(&args);
    assert!(!out.contains("[1, 6, 6]"), "no L × L matrix: {out}");
    assert_snapshot("trace_linear_attention", &out);
}

/// Differential, N = 1, L = 4, D = 16, H = 2, causal: halves of d = 16/4 = 4, values
/// 8 wide. Parameters 4·(16·16 + 16) + 4·4 (λ) + 8 (norm) = 1,112. Scores: 2H = 4 maps
/// of 4·4: 2·64·4 = 512 FLOPs; weights·V for both maps 2·64·8 = 1,024; the H = 2
/// differential maps 2·16·4 = 128 B; K and V 2·16·4 = 128 B per token.
#[test]
fn trace_of_differential() {
    let args = ["trace", "differential", "--d-model", "16", "--heads", "2", "--len", "4", "--batch", "1", "--causal"];
    assert_snapshot("trace_differential", &stdout_of(&args));
}

#[test]
fn trace_refuses_impossible_positions_and_architectures() {
    let cases: &[(&[&str], &str)] = &[
        (&["mla", "--rope-dim", "3"], "--rope-dim 3 is impossible: it must be from 2, 4, 6, ..."),
        (&["mla", "--latent", "0"], "--latent 0 is impossible: it must be from 1 up"),
        (&["mla", "--latent", "5000"], "too large to run: --latent and --rope-dim must be at most 4,096"),
        (&["mla", "--kv-heads", "2"], "--kv-heads does not apply to mla: every query head has its own key/value head"),
        (&["alibi", "--latent", "8"], "--latent does not apply to alibi: only mla caches a latent"),
        (&["gqa", "--rope-dim", "8"], "--rope-dim does not apply to gqa: only mla has a decoupled rotary part"),
        (&["kv_cache", "--absorbed"], "--absorbed does not apply to kv_cache: only mla has an absorbed form"),
        (
            &["alibi", "--causal"],
            "--causal does not apply to alibi: it is always causal (each query sees keys up to its own position)",
        ),
        (
            &["linear_attention", "--heads", "2"],
            "--heads does not apply to linear_attention: it is a single attention, without heads",
        ),
        (
            &["linear_attention", "--len", "10", "--kv-len", "5"],
            "cannot run linear_attention at these sizes: aligned causal attention needs l_q <= l_k, got l_q = 10 queries and l_k = 5 keys",
        ),
        (
            &["sinusoidal", "--d-model", "21", "--heads", "7"],
            "cannot run sinusoidal at these sizes: shape mismatch: d_model mod 2 (sin/cos pairs need an even width) must be 0, got 1",
        ),
        (
            &["differential", "--d-model", "20", "--heads", "4"],
            "cannot run differential at these sizes: shape mismatch: d_model mod 2·H (each head splits its width into two halves) must be 0, got 4",
        ),
        (&["mla", "--prefill", "11"], "--prefill 11 is impossible: it must be from 1 to L = 10"),
    ];
    for (args, message) in cases {
        let stderr = usage_error(&[&["trace"], *args].concat());
        assert_eq!(stderr, format!("error: {message}\n"), "trace {args:?}");
    }
}

#[test]
fn trace_refuses_impossible_configurations() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["mha", "--d-model", "30"],
            "cannot run mha at these sizes: d_model = 30 is not divisible by the number of heads 8",
        ),
        (
            &["gqa", "--kv-heads", "3"],
            "cannot run gqa at these sizes: num_heads = 8 is not divisible by num_kv_heads = 3",
        ),
        (&["mha", "--len", "0"], "cannot run mha at these sizes: len must be at least 1"),
        (&["mha", "--heads", "0"], "cannot run mha at these sizes: num_heads must be at least 1"),
        (
            &["cross_attention", "--kv-len", "12", "--causal"],
            "cannot run cross_attention at these sizes: shape mismatch: kv_len with a causal mask (must equal len) must be 10, got 12",
        ),
        (
            &["self_attention", "--kv-len", "12"],
            "--kv-len does not apply to self_attention: keys and values come from the queries' own sequence, of length --len",
        ),
        (&["sdpa", "--heads", "4"], "--heads does not apply to sdpa: it is a single attention, without heads"),
        (&["mha", "--kv-heads", "2"], "--kv-heads does not apply to mha: every query head has its own key/value head"),
        (&["mqa", "--kv-heads", "2"], "--kv-heads does not apply to mqa: all query heads share one key/value head"),
        (&["mha", "--d-model", "100000"], "too large to run: --d-model must be at most 4,096"),
        (&["mha", "--len", "99999999999"], "too large to run: N·L·S·D must be at most 67,108,864"),
        (
            &["softmax"],
            "unknown variant `softmax`; choose one of: sdpa, mha, self_attention, cross_attention, gated, gqa, mqa, additive, luong_dot, luong_general, rope, kv_cache, sliding_window, sinks, decoder, flash, sinusoidal, alibi, mla, linear_attention, differential",
        ),
    ];
    for (args, message) in cases {
        let stderr = usage_error(&[&["trace"], *args].concat());
        assert_eq!(stderr, format!("error: {message}\n"), "trace {args:?}");
    }
}

// ---- compare ----

/// D = 512, H = 8, G = 2 (d_k = 64). Checked by hand: mha, self, cross
/// 4·512·512 + 4·512 = 1,050,624; gated adds a 512·512 + 512 gate: 1,313,280;
/// gqa: q, o 262,656 each, k, v 512·128 + 128 = 65,664 each: 656,640; mqa:
/// k, v 512·64 + 64 = 32,832 each: 590,976; additive 2·512·512 + 512 = 524,800;
/// luong_dot none; luong_general one 512·512 W_a: 262,144.
/// KV cache per token 2·(width of K and V)·4: 2·512·4 = 4,096 (sdpa, multi-head,
/// and additive, which caches k·W_k and v); gqa 2·128·4 = 1,024; mqa 2·64·4 = 512.
/// Modern rows: rope has MHA's weights (1,050,624, 4,096 B); kv_cache and
/// sliding_window gqa's (656,640, 1,024 B); decoder 8 sinks more (656,648);
/// sinks 1 parameter, flash none, both 2·512·4 = 4,096 B over raw k, v; the
/// windowed rows keep the last W = 4 (the default window). Positions and the
/// 2024–25 rows: sinusoidal and alibi have MHA's weights (1,050,624, 4,096 B);
/// differential 4·8 λ entries and a 64-wide norm more (1,050,816, 4,096 B); mla
/// (d_c = 256, d_r = 32, d_n = d_v = 64): q 512·768 + 768, kv_down 512·288 + 288,
/// norm 256, k_up and v_up 256·512 each, o 512·512 + 512: 1,066,784, and
/// (256 + 32)·4 = 1,152 B per token; linear_attention 0 parameters, 0 B per token
/// and a state of (512·512 + 512)·4 = 1,050,624 B.
#[test]
fn compare_at_the_default_sizes() {
    assert_snapshot("compare", &stdout_of(&["compare"]));
}

/// D = 64, H = 4, G = 1. mha 4·64·64 + 4·64 = 16,640; gated 16,640 + 4,160 =
/// 20,800; gqa with G = 1 equals mqa: q, o 4,160 each, k, v 64·16 + 16 = 1,040
/// each: 10,400; additive 2·64·64 + 64 = 8,256. KV: 2·64·4 = 512, gqa and mqa
/// 2·16·4 = 128. Modern rows: rope 16,640 and 512 B; kv_cache, sliding_window
/// as gqa (10,400, 128 B), decoder 4 sinks more (10,404); sinks 1, flash 0, 512 B.
/// sinusoidal, alibi 16,640 and 512 B; differential 16,640 + 4·8 + 16 = 16,688;
/// mla (d_c = 64, d_r = 8, d_n = 16): 6,240 + 4,680 + 64 + 4,096 + 4,096 + 4,160 =
/// 23,336 and (64 + 8)·4 = 288 B; linear_attention a (64·64 + 64)·4 = 16,640 B state.
#[test]
fn compare_at_chosen_sizes() {
    assert_snapshot(
        "compare_d64_h4_g1",
        &stdout_of(&["compare", "--d-model", "64", "--heads", "4", "--kv-heads", "1"]),
    );
}

/// D = 256, H = 8, G = 2 (d_k = 32), W = 128. kv_cache, sliding_window, decoder:
/// K and V are 2·32 = 64 wide, so 2·64·4 = 512 B per token; the windowed ones
/// keep the last 128. q, o 256·256 + 256 = 65,792 each, k, v 256·64 + 64 =
/// 16,448 each: 164,480, the decoder 8 sinks more: 164,488. sinks and flash
/// attend over raw k, v: 2·256·4 = 2,048 B.
#[test]
fn compare_notes_g_and_the_window() {
    let out = stdout_of(&["compare", "--d-model", "256", "--heads", "8", "--kv-heads", "2", "--window", "128"]);
    let heads = |name| cells_of(&out, TABLE_HEADS, name)[2..5].to_vec();
    let cache = |name| cells_of(&out, TABLE_COSTS, name)[3..].to_vec();
    assert_eq!(heads("kv_cache"), ["8", "2", "164,480"]);
    assert_eq!(cache("kv_cache"), ["512 B", "all tokens"]);
    assert_eq!(heads("sliding_window"), ["8", "2", "164,480"]);
    assert_eq!(cache("sliding_window"), ["512 B", "last W=128"]);
    assert_eq!(heads("decoder"), ["8", "2", "164,488"]);
    assert_eq!(cache("decoder"), ["512 B", "last W=128"]);
    assert_eq!(heads("flash"), ["1", "1", "0"]);
    assert_eq!(cache("flash"), ["2,048 B", "all tokens"]);
    assert_eq!(heads("sinks"), ["1", "1", "1"]);
    assert_eq!(cache("sinks"), ["2,048 B", "all tokens"]);
}

/// The three tables of `compare`, in order: what attends to what; heads and positions; costs.
const TABLE_HEADS: usize = 1;
const TABLE_COSTS: usize = 2;

/// The cells of `name`'s row in table `table` of a `compare` output (cells are
/// separated by two spaces or more; a variant's row starts with its name).
fn cells_of(out: &str, table: usize, name: &str) -> Vec<String> {
    let line = out.lines().filter(|l| l.starts_with(&format!("{name} "))).nth(table).unwrap().to_string();
    line.split("  ").filter(|c| !c.is_empty()).map(|c| c.trim().to_string()).collect()
}

/// The new rows at D = 512, H = 8 (d_h = 64): sinusoidal, alibi and differential
/// keep K and V of 2·512·4 = 4,096 B per token; mla its latent and rotary key,
/// (256 + 32)·4 = 1,152 B by default and (512 + 64)·4 = 2,304 B with DeepSeek-V3's
/// widths; linear_attention nothing per token but a state of (512·512 + 512)·4 =
/// 1,050,624 B.
#[test]
fn compare_shows_the_latent_cache_and_the_fixed_state() {
    let last_two = |cells: Vec<String>| cells[cells.len() - 2..].to_vec();
    let out = stdout_of(&["compare"]);
    for name in ["sinusoidal", "alibi", "differential"] {
        assert_eq!(last_two(cells_of(&out, TABLE_COSTS, name)), ["4,096 B", "all tokens"], "{name}");
    }
    assert_eq!(last_two(cells_of(&out, TABLE_COSTS, "mla")), ["1,152 B", "all tokens"]);
    assert_eq!(last_two(cells_of(&out, TABLE_COSTS, "linear_attention")), ["0 B", "no cache: a 1,050,624 B state"]);
    let v3 = stdout_of(&["compare", "--latent", "512", "--rope-dim", "64"]);
    assert_eq!(last_two(cells_of(&v3, TABLE_COSTS, "mla")), ["2,304 B", "all tokens"]);
    assert_eq!(
        usage_error(&["compare", "--rope-dim", "3"]),
        "error: cannot run mla at these sizes: shape mismatch: rope_dim mod 2 (RoPE turns pairs of columns) must be 0, got 1\n"
    );
}

/// The positional scheme and the growth in L of every variant, as the catalog
/// records them: RoPE for rope, kv_cache and decoder, decoupled RoPE for mla,
/// sinusoidal and ALiBi for theirs, none for the rest; full attention O(L²·D)
/// time and O(H·L²) weights, flash O(L·d) memory, linear attention O(L·d²) and a
/// d² state, a decode step O(L·D) per token over an O(L·G·d) cache.
#[test]
fn compare_shows_positions_and_costs_in_the_length() {
    let out = stdout_of(&["compare"]);
    let positions = |name| cells_of(&out, TABLE_HEADS, name).last().unwrap().clone();
    for name in ["rope", "kv_cache", "decoder"] {
        assert_eq!(positions(name), "RoPE on q, k", "{name}");
    }
    assert_eq!(positions("mla"), "decoupled RoPE, d_r");
    assert_eq!(positions("sinusoidal"), "sinusoidal, on x");
    assert_eq!(positions("alibi"), "ALiBi score bias");
    for name in ["sdpa", "mha", "gqa", "sliding_window", "flash", "linear_attention", "differential"] {
        assert_eq!(positions(name), "none", "{name}");
    }
    let cost = |name| cells_of(&out, TABLE_COSTS, name)[1..3].to_vec();
    assert_eq!(cost("sdpa"), ["O(L²·d)", "O(L²)"]);
    assert_eq!(cost("mha"), ["O(L²·D)", "O(H·L²)"]);
    assert_eq!(cost("flash"), ["O(L²·d)", "O(L·d)*"]);
    assert_eq!(cost("linear_attention"), ["O(L·d²)", "O(d²)*"]);
    assert_eq!(cost("kv_cache"), ["O(L·D)/token", "O(L·G·d)*"]);
    assert_eq!(cost("cross_attention"), ["O(L·S·D)", "O(H·L·S)"]);
    // Every marked row has its note, and no line is wider than 100 characters.
    for name in ["flash", "linear_attention", "kv_cache", "sliding_window", "decoder", "mla"] {
        assert!(out.contains(&format!("\n  {name}: ")), "{name} has no note");
    }
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "a line of {widest} characters");
}

#[test]
fn compare_refuses_impossible_sizes() {
    assert_eq!(
        usage_error(&["compare", "--heads", "7"]),
        "error: cannot run mha at these sizes: d_model = 512 is not divisible by the number of heads 7\n"
    );
    assert_eq!(
        usage_error(&["compare", "--kv-heads", "3"]),
        "error: cannot run gqa at these sizes: num_heads = 8 is not divisible by num_kv_heads = 3\n"
    );
    assert_eq!(
        usage_error(&["compare", "--d-model", "0"]),
        "error: cannot run sdpa at these sizes: d_model must be at least 1\n"
    );
    assert_eq!(
        usage_error(&["compare", "--window", "0"]),
        "error: cannot run sliding_window at these sizes: window must be at least 1\n"
    );
}
