//! The exercises: their names, the function each asks for, its pristine
//! template and its hints.
//!
//! The templates live in `src/harness/templates/<name>.rs` and are embedded in
//! the binary, so `attn-quiz reset` and `attn-quiz init` never depend on the
//! `exercises/` folder the learner edits. The exact signature the judge
//! expects is read from the template itself: the template is its one home.
//!
//! ```
//! use attn_quiz::harness::exercises;
//!
//! let mha = exercises::find("mha").unwrap();
//! assert_eq!(mha.function, "multi_head_attention");
//! assert!(mha.signature().starts_with("pub fn multi_head_attention(query: &Matrix,"));
//! ```

/// One write-it-yourself exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exercise {
    /// Name, also the file stem: `exercises/<name>.rs`.
    pub name: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The function the learner writes, as in the SPEC.
    pub function: &'static str,
    /// The variant of [`evaluator::Learner`](crate::evaluator::Learner) that carries this function.
    pub learner_variant: &'static str,
    /// The module of [`reference::catalog`](crate::reference::catalog) that answers it.
    pub reference_module: &'static str,
    /// The pristine file the learner starts from.
    pub template: &'static str,
    /// Hints from gentle to explicit; `attn-quiz hint` shows them one at a time.
    pub hints: &'static [&'static str],
}

impl Exercise {
    /// The function's signature as the template declares it, on one line,
    /// e.g. `pub fn causal_mask(len: usize) -> Mask`.
    pub fn signature(&self) -> String {
        let start = self.template.find("pub fn ").expect("every template declares a pub fn");
        let end = start + self.template[start..].find(" {\n").expect("every template has a function body");
        on_one_line(&self.template[start..end])
    }

    /// The file this exercise lives in, inside an exercises folder.
    pub fn file_name(&self) -> String {
        format!("{}.rs", self.name)
    }
}

/// A declaration written over several lines, on one: every run of whitespace
/// becomes one space, and the "( a" and ", )" that rustfmt's multi-line
/// parameter lists leave are closed up.
pub(crate) fn on_one_line(declaration: &str) -> String {
    let one_line = declaration.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.replace("( ", "(").replace(", )", ")")
}

/// The exercise called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.name == name)
}

/// All exercise names, comma-separated, for error messages.
pub fn names() -> String {
    EXERCISES.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
}

/// Every exercise, in the suggested order.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        name: "softmax",
        title: "Row softmax",
        function: "softmax_rows",
        learner_variant: "Softmax",
        reference_module: "softmax",
        template: include_str!("templates/softmax.rs"),
        hints: &[
            "Work one row at a time: `for mut row in out.row_iter_mut()` gives you each row to normalise in place.",
            "Subtract the row's maximum from every entry before `exp`. softmax(s - m) = softmax(s) for any \
             constant m, and with m = max every exponent is <= 0, so nothing overflows.",
            "exp, sum and divide row by row: `row.map(|s| (s - m).exp())`, then divide by its sum, so the row \
             sums to 1.",
            "Shape of a solution: out = scores.clone(); for each row: m = max; e_j = exp(s_j - m); \
             sum = Σ e_j; s_j = e_j / sum.",
        ],
    },
    Exercise {
        name: "causal_mask",
        title: "The causal mask",
        function: "causal_mask",
        learner_variant: "CausalMask",
        reference_module: "mask",
        template: include_str!("templates/causal_mask.rs"),
        hints: &[
            "Draw it for len = 3: row i is query i, column j is key j, and `true` means \"allowed\". \
             Which triangle is allowed?",
            "The lower triangle, diagonal included: query 2 sees keys 0, 1 and 2; query 0 sees key 0 only.",
            "nalgebra builds a matrix from a rule: `Mask::from_fn(len, len, |i, j| ...)`, where i is the row \
             and j the column.",
        ],
    },
    Exercise {
        name: "sdpa",
        title: "Scaled dot-product attention",
        function: "scaled_dot_product_attention",
        learner_variant: "Sdpa",
        reference_module: "sdpa",
        template: include_str!("templates/sdpa.rs"),
        hints: &[
            "Four steps: scores = q·kᵀ, scale them, masked row softmax, output = weights·v. \
             `q * k.transpose()` is (l_q × l_k).",
            "d_k is `q.ncols()`, the width queries and keys share. Divide the scores by `(d_k as f32).sqrt()`: \
             not by d_v, not by d_k itself.",
            "Apply the mask inside the softmax: leave masked entries out of the max and the sum and give them \
             exactly 0. Zeroing weights after a plain softmax leaves rows that no longer sum to 1.",
            "A row where nothing is allowed has no max to subtract: write a zero weights row (the output row \
             then comes out zero by itself).",
        ],
    },
    Exercise {
        name: "mha",
        title: "Multi-head attention",
        function: "multi_head_attention",
        learner_variant: "Mha",
        reference_module: "mha",
        template: include_str!("templates/mha.rs"),
        hints: &[
            "Project first, the whole input at once: `let q = w.q.forward(query);` and likewise k from key \
             and v from value. Each is (length × H·d).",
            "Head h is the column block `q.columns(h * d_k, d_k)` with d_k = q.ncols() / w.num_heads: \
             contiguous, not every H-th column.",
            "Run scaled dot-product attention in each head with its own 1/sqrt(d_k), d_k being the per-head \
             width; collect each head's weights.",
            "Concatenate the head outputs side by side in head order into (l_q × H·d_v), e.g. by copying \
             each into `concat.columns_mut(h * d_v, d_v)`, then apply `w.o.forward(&concat)`.",
        ],
    },
    Exercise {
        name: "self_attention",
        title: "Self-attention",
        function: "self_attention",
        learner_variant: "SelfAttention",
        reference_module: "self_attention",
        template: include_str!("templates/self_attention.rs"),
        hints: &[
            "Self-attention is multi-head attention with query = key = value = x.",
            "If you solved the mha exercise, paste your multi_head_attention into this file as a helper and \
             call it with (x, x, x).",
            "The three projections still differ: Q = x·W_Q + b_Q, K = x·W_K + b_K, V = x·W_V + b_V.",
        ],
    },
    Exercise {
        name: "cross_attention",
        title: "Cross-attention",
        function: "cross_attention",
        learner_variant: "CrossAttention",
        reference_module: "cross_attention",
        template: include_str!("templates/cross_attention.rs"),
        hints: &[
            "Cross-attention is multi-head attention with the queries from one sequence and the keys and \
             values from the other.",
            "Queries from x (the decoder), keys and values from memory (the encoder): MultiHead(x, memory, \
             memory).",
            "Check the shapes: the weights are (l_x × l_memory) and the output has one row per row of x.",
        ],
    },
    Exercise {
        name: "gated",
        title: "Gated self-attention",
        function: "gated_self_attention",
        learner_variant: "Gated",
        reference_module: "gated",
        template: include_str!("templates/gated.rs"),
        hints: &[
            "Start from multi-head self-attention of x, but stop just before the output projection: you need \
             the concatenated heads, (l × H·d_v).",
            "The gate comes from the input: gate = sigmoid(x·W_g + b_g), i.e. `w.gate.forward(x)` with \
             1 / (1 + e^-z) applied to every entry.",
            "Multiply elementwise, `gate.component_mul(&concat)`, and only then apply `w.attn.o`.",
        ],
    },
    Exercise {
        name: "gqa",
        title: "Grouped-query attention",
        function: "grouped_query_attention",
        learner_variant: "Gqa",
        reference_module: "gqa",
        template: include_str!("templates/gqa.rs"),
        hints: &[
            "Project as in multi-head attention; k and v simply come out narrower: G heads wide instead of H.",
            "d_k = q.ncols() / H is also k.ncols() / G. Split q into H blocks and k, v into G blocks of \
             contiguous columns.",
            "Query head h uses KV head h / (H / G): with H = 8, G = 2, heads 0-3 share KV head 0 and heads \
             4-7 share KV head 1. `h % G` interleaves them instead.",
            "Return one weights matrix per query head (H of them), then concatenate the H head outputs and \
             apply w.o as usual.",
        ],
    },
    Exercise {
        name: "additive",
        title: "Additive (Bahdanau) attention",
        function: "additive_attention",
        learner_variant: "Additive",
        reference_module: "additive",
        template: include_str!("templates/additive.rs"),
        hints: &[
            "Project once: q_a = q·W_q is (l_q × d_a) and k_a = k·W_k is (l_k × d_a).",
            "score(i, j) = Σ_t v_a[t] · tanh(q_a[i, t] + k_a[j, t]): the tanh applies to the sum, before the \
             dot with v_a. `Matrix::from_fn(l_q, l_k, |i, j| ...)` builds the score matrix.",
            "No 1/sqrt(d) scale here. The rest is as in scaled dot-product attention: masked row softmax \
             (zero row when fully masked), then weights·v.",
        ],
    },
    Exercise {
        name: "rope",
        title: "Rotary position embeddings (RoPE)",
        function: "apply_rope",
        learner_variant: "Rope",
        reference_module: "rope",
        template: include_str!("templates/rope.rs"),
        hints: &[
            "Loop over rows r, head blocks `(0..x.ncols()).step_by(head_dim)` and pairs i in 0..head_dim/2; \
             start from `let mut out = x.clone();` and overwrite two entries per pair.",
            "θ_i = base^(−2i/head_dim): `(rope.base as f64).powf(-2.0 * i as f64 / head_dim as f64)`; the angle \
             is `positions[r] as f64 * θ_i`, so pair 0 turns by one radian per position.",
            "The two columns of pair i inside a block: Interleaved (2i, 2i+1), HalfSplit (i, i + head_dim/2). \
             Read both a and b before writing either.",
            "(a, b) -> (a·cos − b·sin, a·sin + b·cos). Row r uses positions[r], not r.",
        ],
    },
    Exercise {
        name: "kv_cache",
        title: "Decoding with a KV cache",
        function: "decode_step",
        learner_variant: "KvCache",
        reference_module: "kv_cache",
        template: include_str!("templates/kv_cache.rs"),
        hints: &[
            "Read p = cache.keys.nrows() first. Project only x: q = w.q.forward(x) (s × H·d_k), k and v \
             (s × G·d_k); d_k = q.ncols() / w.num_heads.",
            "With rope, rotate q and k with head_dim d_k at positions p..p+s−1 (your apply_rope from the rope \
             exercise can be pasted in as a helper). Values stay as they are.",
            "Append before attending: build the (p+s)-row keys and values (e.g. `Matrix::from_fn(p + s, width, \
             |r, c| if r < p { old[(r, c)] } else { new[(r - p, c)] })`) and store them in cache.keys and \
             cache.values.",
            "Query head h uses kv head g = h / (H / G) over all p+s rows; new query i sees keys j <= p + i \
             (mask `Mask::from_fn(s, p + s, |i, j| j <= p + i)`). Concatenate the heads, apply w.o.",
        ],
    },
    Exercise {
        name: "sliding_window",
        title: "The sliding-window mask",
        function: "sliding_window_mask",
        learner_variant: "SlidingWindow",
        reference_module: "sliding_window",
        template: include_str!("templates/sliding_window.rs"),
        hints: &[
            "Draw len_q = len_k = 5, window = 2: each row has at most two `true`s, the diagonal and the entry \
             left of it.",
            "Query i sits at a_i = i + len_k − len_q, so the last query meets the last key. Allowed: \
             a_i − window < j ≤ a_i.",
            "In usize, a_i − window can underflow: write the condition as `j <= a && j + window > a`, inside \
             `Mask::from_fn(len_q, len_k, |i, j| ...)`.",
        ],
    },
    Exercise {
        name: "sinks",
        title: "Attention with a sink logit",
        function: "attention_with_sink",
        learner_variant: "Sinks",
        reference_module: "sinks",
        template: include_str!("templates/sinks.rs"),
        hints: &[
            "Start from scaled dot-product attention: scores = q·kᵀ / sqrt(d_k), masked row softmax, \
             weights·v. Only the softmax changes.",
            "In each row, the max to subtract is over the allowed scores and the sink together; then \
             denominator = exp(sink − max) + Σ_allowed exp(s_ij − max).",
            "w_ij = exp(s_ij − max) / denominator, and nothing else: no renormalising, no value for the sink, \
             and the sink is not divided by sqrt(d_k).",
            "A fully masked row has only the sink left: its weights and output stay 0. Another way: append the \
             sink as one extra score column (always allowed) with a zero value row, softmax, drop the column.",
        ],
    },
    Exercise {
        name: "flash",
        title: "Flash attention (tiled forward, FA-2 order)",
        function: "flash_attention",
        learner_variant: "Flash",
        reference_module: "flash",
        template: include_str!("templates/flash.rs"),
        hints: &[
            "Two loops: `for q0 in (0..l_q).step_by(block_q)` outside, `for k0 in (0..l_k).step_by(block_k)` \
             inside, with `b = block.min(len - start)` rows in each block: the last one may be shorter.",
            "Per query of the block keep m (start at f32::NEG_INFINITY), l (start at 0) and an accumulator row \
             of width d_v (start at 0). A tile is `q.rows(q0, b_q) * k.rows(k0, b_k).transpose()` times \
             1/sqrt(d_k); with causal, entries with j > i + l_k - l_q become -inf.",
            "For each tile: m' = max(m, the tile row's max); alpha = exp(m - m') (use 1 while m' is still -inf); \
             p = exp(s - m') (0 for -inf); l = alpha·l + Σ p; acc = alpha·acc + p·V_c; m = m'.",
            "After the key loop: output row = acc / l and lse = m + ln l. Nothing larger than one \
             block_q × block_k tile of scores may exist at any time: no `q * k.transpose()` of the whole thing.",
        ],
    },
    Exercise {
        name: "sdpa_backward",
        title: "Backward pass of scaled dot-product attention",
        function: "sdpa_backward",
        learner_variant: "SdpaBackward",
        reference_module: "sdpa_backward",
        template: include_str!("templates/sdpa_backward.rs"),
        hints: &[
            "Recompute the forward weights P first (your sdpa, pasted in as a helper, gives them). \
             Then dv = Pᵀ·d_out: `p.transpose() * d_out`.",
            "dP = d_out·vᵀ is (l_q × l_k). The softmax backward is not elementwise: \
             dS_ij = P_ij·(dP_ij − D_i) with D_i = Σ_j P_ij·dP_ij.",
            "dq = dS·k / sqrt(d_k), and dk = dSᵀ·q / sqrt(d_k): dk has one row per key, so dS must be \
             transposed. The 1/sqrt(d_k) is the one the scores were multiplied by.",
            "Masked entries have P = 0, so dS is 0 there by itself, as long as P is the masked softmax; \
             a fully masked row (all P = 0) then gives a zero row of dq.",
        ],
    },
    Exercise {
        name: "flash_backward",
        title: "Flash attention backward (tiled, from the lse)",
        function: "flash_attention_backward",
        learner_variant: "FlashBackward",
        reference_module: "flash_backward",
        template: include_str!("templates/flash_backward.rs"),
        hints: &[
            "Before any loop: D_i = d_out.row(i).dot(&out.row(i)), one number per query. It equals \
             Σ_j P_ij·dP_ij without any P.",
            "Key blocks outside, query blocks inside (ragged last blocks included). Rebuild one tile: \
             s = q_b·k_cᵀ / sqrt(d_k), P = exp(s − lse_i); with causal, P = 0 where j > i + l_k − l_q, \
             also inside the tiles that straddle the diagonal.",
            "Per tile: dv rows of the key block += Pᵀ·dO_b; dP = dO_b·V_cᵀ; dS = P ⊙ (dP − D_b); \
             dq rows of the query block += dS·K_c / sqrt(d_k); dk rows += dSᵀ·Q_b / sqrt(d_k).",
            "Accumulate into `dq.rows_mut(q0, b_q)` and friends with `+=`. Never build the l_q × l_k P, dP \
             or dS: the check measures your heap on l = 512.",
        ],
    },
    Exercise {
        name: "sinusoidal",
        title: "Sinusoidal position encodings",
        function: "sinusoidal_positions",
        learner_variant: "Sinusoidal",
        reference_module: "sinusoidal",
        template: include_str!("templates/sinusoidal.rs"),
        hints: &[
            "`Matrix::from_fn(len, d_model, |p, c| ...)` fills the table entry by entry; the pair of column c \
             is i = c / 2.",
            "ω_i = 10000^(−2i/d_model): `10000f64.powf(-2.0 * i as f64 / d_model as f64)`. Columns 2i and 2i+1 \
             share it.",
            "Even column: sin(p·ω_i); odd column: cos(p·ω_i). Row 0 is then [0, 1, 0, 1, ...].",
        ],
    },
    Exercise {
        name: "alibi",
        title: "ALiBi: causal attention with linear distance biases",
        function: "alibi_self_attention",
        learner_variant: "Alibi",
        reference_module: "alibi",
        template: include_str!("templates/alibi.rs"),
        hints: &[
            "Start from causal multi-head self-attention (your self_attention with the causal mask): project, \
             split into heads of d_k = w.q.weight.ncols() / H columns, softmax, concat, w.o.",
            "Slopes for n heads, n a power of two: `(1..=n).map(|h| 2f32.powf(-8.0 * h as f32 / n as f32))`. \
             For other H: c = the largest power of two below H, the c slopes of c, then slopes(2c) at indices \
             0, 2, 4, ... for the H − c heads left.",
            "In head h, after dividing q·kᵀ by sqrt(d_k), add −m_h·(i − j) to entry (i, j) (adding +m_h·j gives \
             the same weights: softmax ignores a constant per row).",
            "The mask stays: keys j > i get weight exactly 0 (−inf before the softmax). H = 6 gives slopes \
             1/4, 1/16, 1/64, 1/256, 1/2, 1/8, in that order.",
        ],
    },
    Exercise {
        name: "linear_attention",
        title: "Linear attention (φ = elu + 1, prefix sums when causal)",
        function: "linear_attention",
        learner_variant: "LinearAttention",
        reference_module: "linear_attention",
        template: include_str!("templates/linear_attention.rs"),
        hints: &[
            "φ elementwise: `x.map(|a| if a > 0.0 { a + 1.0 } else { a.exp() })`. Every φ is then > 0.",
            "Non-causal: S = φ(K)ᵀ·V (d_k × d_v) and z = the column sums of φ(K) (d_k), built once; then row i \
             of the output is φ(q_i)·S divided by the number φ(q_i)·z + 1e-6.",
            "Causal: walk the queries in order, adding key j to S (+= φ(k_j)ᵀ·v_j) and z before query i reads \
             them, for every j ≤ i + l_k − l_q: the current key is included.",
            "No (l_q × l_k) matrix: φ(Q)·φ(K)ᵀ is exactly what linear attention avoids, and the check measures \
             your heap on l = 512.",
        ],
    },
    Exercise {
        name: "mla",
        title: "Multi-head latent attention (MLA) over a latent cache",
        function: "mla_decode_step",
        learner_variant: "Mla",
        reference_module: "mla",
        template: include_str!("templates/mla.rs"),
        hints: &[
            "Read p = cache.latent.nrows() and the sizes: H = w.num_heads, d_r = w.rope_dim, \
             d_c = w.kv_norm.len(), d_n = w.k_up.ncols() / H, d_v = w.v_up.ncols() / H.",
            "kv = w.kv_down.forward(x): the latent c is RMSNorm of its first d_c columns (each row divided by \
             sqrt(mean of its squares + 1e-6), then times kv_norm); the rotary key is its last d_r columns, \
             rotated (your apply_rope, head_dim d_r) at positions p..p+s−1. Append both to the cache.",
            "q = w.q.forward(x); head h owns columns h·(d_n+d_r).. of it: d_n content columns, left as they are, \
             then d_r rotary columns, rotated like the key.",
            "Over all p+s cached rows: keys of head h are [latent·k_up_h | rope_keys], values latent·v_up_h; \
             scores divided by sqrt(d_n + d_r), new query i sees keys j <= p + i. Concatenate, apply w.o.",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_read_from_the_templates() {
        assert_eq!(find("causal_mask").unwrap().signature(), "pub fn causal_mask(len: usize) -> Mask");
        assert_eq!(
            find("gqa").unwrap().signature(),
            "pub fn grouped_query_attention(query: &Matrix, key: &Matrix, value: &Matrix, \
             w: &GroupedQueryWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>)"
        );
    }

    #[test]
    fn the_shipped_exercises_folder_holds_exactly_the_templates() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises");
        let mut shipped: Vec<String> =
            std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        shipped.sort();
        let mut expected: Vec<String> = EXERCISES.iter().map(Exercise::file_name).collect();
        expected.sort();
        assert_eq!(shipped, expected);
        for exercise in EXERCISES {
            let copy = std::fs::read_to_string(folder.join(exercise.file_name())).unwrap();
            assert!(copy == exercise.template, "exercises/{} differs from its template", exercise.file_name());
        }
    }

    #[test]
    fn every_exercise_is_complete() {
        for exercise in EXERCISES {
            assert!(exercise.signature().starts_with(&format!("pub fn {}(", exercise.function)), "{}", exercise.name);
            assert!(exercise.hints.len() >= 3, "{} has fewer than 3 hints", exercise.name);
            assert!(crate::reference::catalog::find(exercise.reference_module).is_some(), "{}", exercise.name);
        }
    }
}
