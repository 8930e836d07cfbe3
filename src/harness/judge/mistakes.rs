//! The classic mistakes the judge can name, each with a one-line hint.
//!
//! The ids are stable: the solution corpus (`tests/solutions/<exercise>/mistake_<id>.rs`)
//! and the command line tests rely on them.

use crate::harness::verdict;

/// A classic mistake: a stable id, its name in words and a hint towards the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MistakeInfo {
    /// Short stable id, e.g. `scale_by_sqrt_d_model`.
    pub id: &'static str,
    /// What the code does, in words.
    pub name: &'static str,
    /// One line towards the fix.
    pub hint: &'static str,
}

impl MistakeInfo {
    /// This mistake as the verdict reports it.
    pub fn to_verdict(self) -> verdict::Mistake {
        verdict::Mistake { id: self.id.into(), name: self.name.into(), hint: self.hint.into() }
    }
}

/// Declares one `pub(crate) const` per mistake.
macro_rules! mistakes {
    ($($constant:ident = $id:literal, $name:literal, $hint:literal;)*) => {
        $(
            #[doc = $name]
            pub(crate) const $constant: MistakeInfo = MistakeInfo { id: $id, name: $name, hint: $hint };
        )*
        /// Every mistake above, in declaration order.
        #[cfg(test)]
        pub(crate) const ALL: &[MistakeInfo] = &[$($constant),*];
    };
}

mistakes! {
    // Softmax.
    SOFTMAX_WRONG_AXIS = "softmax_wrong_axis",
        "softmax over the wrong axis (down each column instead of along each row)",
        "normalise each row: the weights of query i over all keys j must sum to 1";
    SOFTMAX_WHOLE_MATRIX = "softmax_whole_matrix",
        "softmax over the whole matrix instead of each row",
        "a matrix's .max() and .sum() cover every entry; take the max and the sum of each row";
    NO_MAX_SUBTRACTION = "no_max_subtraction",
        "no max subtraction: exp of large scores overflows to inf or underflows to 0 (inf/inf or 0/0 = NaN)",
        "subtract each row's maximum before exp; the weights are unchanged and exp(s - max) <= 1";
    GLOBAL_MAX_SUBTRACTION = "global_max_subtraction",
        "subtracted the largest score of the whole matrix instead of each row's own maximum",
        "a row far below the global maximum underflows to all zeros (0 / 0 = NaN); use each row's max";
    // Masks.
    NAN_ON_FULLY_MASKED_ROW = "nan_on_fully_masked_row",
        "a fully masked row gives NaN (the -inf fill: exp(-inf - -inf))",
        "a query that may attend to no key gets an all-zero weights row and an all-zero output row";
    UNIFORM_ON_FULLY_MASKED_ROW = "uniform_on_fully_masked_row",
        "a fully masked row gives uniform weights (the -1e9 fill: every entry ties)",
        "a query that may attend to no key gets an all-zero weights row, not 1/l_k everywhere";
    INVERTED_MASK = "inverted_mask",
        "mask polarity inverted (true treated as blocked)",
        "true means query i MAY attend to key j (PyTorch's boolean convention); block where it is false";
    MASK_AFTER_SOFTMAX = "mask_after_softmax",
        "mask applied after the softmax (allowed weights no longer sum to 1)",
        "leave masked keys out of the softmax itself: mask the scores, then normalise";
    MASK_IGNORED = "mask_ignored",
        "the mask is ignored: every query attends to every key",
        "where mask[(i, j)] is false, leave key j out of query i's softmax, so its weight is exactly 0";
    MASK_FILLED_WITH_ZERO = "mask_filled_with_zero",
        "masked scores set to 0 instead of -inf: they still get weight",
        "0 is an ordinary score (exp(0 - max) > 0); fill masked scores with -inf, or leave them out of the softmax";
    // Scale.
    SCALE_BY_SQRT_D_MODEL = "scale_by_sqrt_d_model",
        "scores scaled by sqrt(d_model) instead of sqrt(d_k)",
        "d_k is the width of one head: the q projection width divided by num_heads";
    SCALE_BY_SQRT_D_V = "scale_by_sqrt_d_v",
        "scores scaled by sqrt(d_v) (value width) instead of sqrt(d_k)",
        "the scale comes from the query/key width d_k: columns of q, not of v";
    SCALE_BY_D_K = "scale_by_d_k",
        "scores divided by d_k instead of sqrt(d_k)",
        "divide q·kᵀ by the square root of d_k";
    NO_SCALE = "no_scale",
        "scores not scaled by 1/sqrt(d_k)",
        "divide q·kᵀ by sqrt(d_k) before the softmax";
    D_K_FROM_INPUT_WIDTH = "d_k_from_input_width",
        "d_k taken as input width / num_heads instead of the per-head projection width",
        "d_k = (q projection width) / num_heads, i.e. w.q.weight.ncols() / num_heads";
    // Heads.
    STRIDED_HEAD_SPLIT = "strided_head_split",
        "heads split into strided columns (h, h+H, ...) instead of contiguous blocks",
        "head h is the column block [h·d_k, (h+1)·d_k) of each projection";
    MISSING_OUTPUT_PROJECTION = "missing_output_projection",
        "the output projection w.o is missing",
        "after concatenating the heads, apply w.o (weight and bias): concat·W_o + b_o";
    MISSING_BIAS = "missing_bias",
        "projection biases left out",
        "a linear layer is x·W + b: use Linear::forward, or add the bias row yourself";
    KEY_VALUE_SWAPPED = "key_value_swapped",
        "keys and values mixed up (projections or inputs swapped)",
        "keys are key·W_k and decide the weights; values are value·W_v and are averaged";
    PER_HEAD_BLOCK_PROJECTION = "per_head_block_projection",
        "each head projects its own slice of the input with a small (d_k × d_k) block",
        "project the full input once with the (D × H·d_k) matrix, then split the result into heads";
    GQA_MODULO_MAPPING = "gqa_modulo_mapping",
        "query head h paired with key/value head h % G instead of h / (H / G)",
        "consecutive query heads share a KV head: head h uses KV head h / (H / G)";
    GATE_AFTER_OUTPUT_PROJECTION = "gate_after_output_projection",
        "the gate multiplies the output after w.o instead of the concatenated heads before it",
        "out = (sigmoid(x·W_g + b_g) ⊙ concat_heads)·W_o + b_o: gate first, then project";
    GATE_WITHOUT_SIGMOID = "gate_without_sigmoid",
        "the gate is the raw x·W_g + b_g, without the sigmoid",
        "squash the gate into (0, 1) with the sigmoid 1 / (1 + e^-z)";
    GATE_FROM_HEADS = "gate_from_attention_output",
        "the gate is computed from the attention output instead of from x",
        "gate = sigmoid(x·W_g + b_g): W_g reads the layer's input x, not the concatenated heads";
    // Cross-attention.
    CROSS_QUERIES_FROM_MEMORY = "cross_queries_from_memory",
        "cross-attention queries taken from memory (the sides are swapped)",
        "queries come from x (the decoder side); keys and values from memory";
    CROSS_VALUES_FROM_X = "cross_values_from_x",
        "cross-attention values taken from x instead of memory",
        "keys and values both come from memory; only the queries come from x";
    CROSS_KEYS_FROM_X = "cross_keys_from_x",
        "cross-attention keys taken from x instead of memory",
        "keys and values both come from memory; only the queries come from x";
    // Additive attention.
    ADDITIVE_SUM_OF_TANH = "additive_sum_of_tanh",
        "tanh applied to q·W_q and k·W_k separately instead of to their sum",
        "score_ij = v_a · tanh(q_i·W_q + k_j·W_k): add first, then tanh";
    ADDITIVE_MISSING_TANH = "additive_missing_tanh",
        "additive score without the tanh",
        "score_ij = v_a · tanh(q_i·W_q + k_j·W_k); without tanh it collapses to a sum of two dot products";
    ADDITIVE_SCALED = "additive_scaled",
        "additive scores divided by a square root scale",
        "additive attention has no 1/sqrt(d) scale (tanh already bounds each term)";
    VALUES_FROM_KEYS = "values_from_keys",
        "the weights average the keys instead of the values",
        "output = weights · v: the keys only decide the weights";
    // Causal mask.
    CAUSAL_MASK_STRICT = "causal_mask_strict",
        "causal mask without the diagonal (j < i): a position cannot see itself",
        "query i may attend to keys j <= i, the diagonal included";
    CAUSAL_MASK_OFF_BY_ONE = "causal_mask_off_by_one",
        "causal mask one step too wide (j <= i + 1): each position sees the next one",
        "query i may attend to keys j <= i and never to a later position";
    CAUSAL_MASK_TRANSPOSED = "causal_mask_transposed",
        "causal mask transposed (j >= i): each position sees the future, not the past",
        "rows are queries and columns keys: keep the lower triangle, mask[(i, j)] = j <= i";
    // Flash attention and the attention backward pass.
    MATERIALISED_SCORES = "materialised_scores",
        "materialised the full score matrix: the call held all l_q × l_k scores at once",
        "keep one block_q × block_k tile of scores at a time; carry a running max, sum and accumulator per query";
    MATERIALISED_P = "materialised_p",
        "materialised the full P matrix: the call held all l_q × l_k weights (or dP) at once",
        "rebuild each block_q × block_k tile of P as exp(S − lse) when you need it, use it, drop it";
    ACCUMULATOR_NOT_RESCALED = "accumulator_not_rescaled",
        "the output accumulator is not rescaled when the running max grows (only the sum is)",
        "when m grows to m', multiply the accumulator rows by exp(m − m') too, exactly like the running sum l";
    RESCALE_INVERTED = "rescale_inverted",
        "rescaled with exp(m' − m) instead of exp(m − m') (overflows, and -inf − -inf gives NaN)",
        "the old terms were measured against the old max m; against the larger m' they shrink: factor exp(m − m') <= 1";
    NORMALISED_TWICE = "normalised_twice",
        "normalised inside the key loop and divided by the sum again at the end",
        "FA-2 keeps the accumulator unnormalised in the loop and divides by l once, after the last key block";
    RUNNING_MAX_FROM_ZERO = "running_max_from_zero",
        "the running max starts at 0 instead of -inf (rows whose scores are all very negative underflow to 0/0)",
        "start m at f32::NEG_INFINITY and l at 0; the first tile then sets m to that tile's own row max";
    LAST_PARTIAL_BLOCK_DROPPED = "last_partial_block_dropped",
        "the last, shorter block is dropped (l / block blocks instead of ceil(l / block))",
        "loop `for start in (0..len).step_by(block)` and take `block.min(len - start)` rows in the last block";
    LSE_WITHOUT_MAX = "lse_without_max",
        "lse is ln of the shifted sum, without adding the running max back",
        "l sums exp(s − m), so ln Σ exp(s) = m + ln l: add the final running max";
    CAUSAL_TOP_LEFT = "causal_top_left",
        "causal mask aligned top-left (j <= i) instead of bottom-right (j <= i + l_k − l_q)",
        "with l_q < l_k the queries are the last l_q positions: query i may see key j iff j <= i + l_k − l_q";
    GRADIENT_MISSING_SCALE = "gradient_missing_scale",
        "dq and dk are missing the 1/sqrt(d_k) factor of S = Q·Kᵀ/sqrt(d_k)",
        "the chain rule through S = s·Q·Kᵀ brings s back: dq = s·dS·K and dk = s·dSᵀ·Q";
    SOFTMAX_BACKWARD_WITHOUT_ROWSUM = "softmax_backward_without_rowsum",
        "dS = P ⊙ dP: the softmax backward without subtracting the row term D",
        "softmax couples a row: dS = P ⊙ (dP − D) with D_i = rowsum(dP ⊙ P)_i = dO_i · O_i";
    ROWSUM_OF_DP = "rowsum_of_dp",
        "D computed as rowsum(dP) instead of rowsum(dP ⊙ P) (= rowsum(dO ⊙ O))",
        "D_i = Σ_j P_ij·dP_ij, the P-weighted average of dP's row; flash computes it as dO_i · O_i";
    DK_FROM_DS = "dk_from_ds",
        "dk computed from dS instead of dSᵀ (only fits when the shapes happen to be square)",
        "dk has one row per key: dk = dSᵀ·Q / sqrt(d_k), i.e. ds.tr_mul(q) (or dS.transpose() * q)";
    MASKED_ENTRIES_CONTRIBUTE = "masked_entries_contribute",
        "masked entries pass gradient: P in the backward is recomputed without the mask",
        "a masked (i, j) has P_ij = 0 and so no gradient: apply the same mask when you rebuild P";
    P_WITHOUT_LSE = "p_without_lse",
        "P recomputed as exp(S) without subtracting the saved lse",
        "the lse is the row's normaliser: P_ij = exp(s_ij − lse_i), which also keeps every exponent <= 0";
}
