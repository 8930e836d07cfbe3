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
            "unknown variant `softmax`; choose one of: sdpa, mha, self_attention, cross_attention, gated, gqa, mqa, additive, luong_dot, luong_general",
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
#[test]
fn compare_at_the_default_sizes() {
    assert_snapshot("compare", &stdout_of(&["compare"]));
}

/// D = 64, H = 4, G = 1. mha 4·64·64 + 4·64 = 16,640; gated 16,640 + 4,160 =
/// 20,800; gqa with G = 1 equals mqa: q, o 4,160 each, k, v 64·16 + 16 = 1,040
/// each: 10,400; additive 2·64·64 + 64 = 8,256. KV: 2·64·4 = 512, gqa and mqa
/// 2·16·4 = 128.
#[test]
fn compare_at_chosen_sizes() {
    assert_snapshot(
        "compare_d64_h4_g1",
        &stdout_of(&["compare", "--d-model", "64", "--heads", "4", "--kv-heads", "1"]),
    );
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
}
