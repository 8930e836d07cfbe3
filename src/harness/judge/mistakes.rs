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
    WEIGHTS_NOT_NORMALISED = "weights_not_normalised",
        "exp of the scores without dividing by the row's sum: the weights do not sum to 1",
        "softmax is exp(s_j - max) / sum_j exp(s_j - max): divide each row by its sum";
    SIGMOID_INSTEAD_OF_SOFTMAX = "sigmoid_instead_of_softmax",
        "each score squashed by a sigmoid instead of a softmax over the row",
        "the weights of a row come from one softmax over its keys: exp(s_j - max), divided by the row's sum";
    RELU_INSTEAD_OF_SOFTMAX = "relu_instead_of_softmax",
        "the weights are max(score, 0) instead of a softmax over the row",
        "the weights of a row come from one softmax over its keys: exp(s_j - max), divided by the row's sum";
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
    MASK_FILL_TOO_SMALL = "mask_fill_too_small",
        "masked scores filled with -1e4, which beats allowed scores below -1e4",
        "a fill must be below every real score: use -inf (zeroing fully masked rows), or leave masked keys out";
    RENORMALISED_AFTER_MASKING = "renormalised_after_masking",
        "softmax over every key, masked weights zeroed, the row renormalised: a masked key far above the others leaves 0 / 0",
        "mask the scores before the softmax: the allowed exps underflow to 0 when a masked key sets the max";
    MAX_OVER_MASKED_KEYS = "max_over_masked_keys",
        "the max subtracted before exp includes the masked keys: the allowed exps underflow to 0 (0 / 0)",
        "take each row's maximum over the allowed keys only";
    RETURNED_WEIGHTS_UNMASKED = "returned_weights_unmasked",
        "the output is masked but the weights returned are the softmax without the mask",
        "return the very weights the output is computed with, masked keys at exactly 0";
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
    SCALE_MULTIPLIED = "scale_multiplied",
        "scores multiplied by sqrt(d_k) instead of divided",
        "scores = q·kᵀ / sqrt(d_k): divide, do not multiply";
    SCALE_AT_WRONG_STEP = "scale_at_wrong_step",
        "1/sqrt(d_k) applied after the softmax (to the weights or to the output) instead of to the scores",
        "scale the scores before the softmax: softmax(q·kᵀ / sqrt(d_k)) · v";
    D_K_FROM_INPUT_WIDTH = "d_k_from_input_width",
        "d_k taken as input width / num_heads instead of the per-head projection width",
        "d_k = (q projection width) / num_heads, i.e. w.q.weight.ncols() / num_heads";
    // Heads.
    STRIDED_HEAD_SPLIT = "strided_head_split",
        "heads split into strided columns (h, h+H, ...) instead of contiguous blocks",
        "head h is the column block [h·d_k, (h+1)·d_k) of each projection";
    HEADS_RESHAPED_WITHOUT_TRANSPOSE = "heads_reshaped_without_transpose",
        "heads split (and merged) by reshaping (L, H·d_k) into (H, L, d_k) without the transpose",
        "reshape to (L, H, d_k), then swap the first two axes: head h is the column block [h·d_k, (h+1)·d_k)";
    WEIGHTS_AVERAGED_OVER_HEADS = "weights_averaged_over_heads",
        "one weights matrix (the heads' average) in place of each head's own",
        "each head has its own softmax(q_h·k_hᵀ / sqrt(d_k)); keep and return one matrix per head";
    VALUES_FROM_KEY_PROJECTION = "values_from_key_projection",
        "values projected with w.k instead of w.v",
        "values are value·W_v + b_v; w.k only makes the keys";
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
    GQA_ONLY_FIRST_KV_HEAD = "gqa_only_first_kv_head",
        "every query head reads key/value head 0",
        "query head h uses key/value head h / (H / G)";
    GATE_AFTER_OUTPUT_PROJECTION = "gate_after_output_projection",
        "the gate multiplies the output after w.o instead of the concatenated heads before it",
        "out = (sigmoid(x·W_g + b_g) ⊙ concat_heads)·W_o + b_o: gate first, then project";
    GATE_WITHOUT_SIGMOID = "gate_without_sigmoid",
        "the gate is the raw x·W_g + b_g, without the sigmoid",
        "squash the gate into (0, 1) with the sigmoid 1 / (1 + e^-z)";
    GATE_FROM_HEADS = "gate_from_attention_output",
        "the gate is computed from the attention output instead of from x",
        "gate = sigmoid(x·W_g + b_g): W_g reads the layer's input x, not the concatenated heads";
    GATE_TANH_INSTEAD_OF_SIGMOID = "gate_tanh_instead_of_sigmoid",
        "the gate uses tanh instead of the sigmoid",
        "the gate is sigmoid(x·W_g + b_g), in (0, 1); tanh goes negative";
    GATE_IGNORED = "gate_ignored",
        "the gate is never applied",
        "multiply the concatenated heads by sigmoid(x·W_g + b_g) before w.o";
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
    ADDITIVE_TANH_OUTSIDE = "additive_tanh_outside",
        "tanh applied to the score v_a·(q·W_q + k·W_k) instead of inside it",
        "score_ij = v_a · tanh(q_i·W_q + k_j·W_k): tanh first, then the product with v_a";
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
    // RoPE.
    ROPE_THETA_EXPONENT = "rope_theta_exponent_i_over_d",
        "RoPE frequencies θ_i = base^(−i/d) instead of base^(−2i/d)",
        "pair i of d/2 turns by θ_i = base^(−2i/head_dim): the exponent runs from 0 towards −1, not −1/2";
    ROPE_WRONG_PAIRING = "rope_wrong_pairing",
        "RoPE pairs the wrong columns (interleaved and half-split mixed up)",
        "Interleaved pairs columns (2i, 2i+1) of each head; HalfSplit pairs (i, i + head_dim/2): read rope.style";
    ROPE_NEGATIVE_ANGLE = "rope_negative_angle",
        "RoPE rotates by −angle (a·cos + b·sin, −a·sin + b·cos)",
        "(a, b) -> (a·cos − b·sin, a·sin + b·cos): a positive angle turns a towards b";
    ROPE_ACROSS_HEADS = "rope_across_heads",
        "RoPE rotates the whole row as one head instead of each head block",
        "θ_i restarts in every head block: rotate columns [h·head_dim, (h+1)·head_dim) on their own, with head_dim";
    ROPE_ROW_INDEX_AS_POSITION = "rope_row_index_as_position",
        "RoPE uses the row index instead of the given position",
        "row r sits at positions[r], which need not be r (a decode step starts at the cache length)";
    // KV cache.
    DECODE_POSITIONS_RESTART = "decode_positions_restart",
        "positions restart at 0 on every decode call",
        "the new tokens sit at p..p+s−1 with p = cache.keys.nrows() before the call: rotate them there";
    DECODE_TOP_LEFT_MASK = "decode_top_left_causal_mask",
        "a top-left causal mask over the chunk: new query i sees keys j <= i only, hiding the cache",
        "new query i sits at p + i and sees every cached key j <= p + i (the mask aligned bottom-right)";
    DECODE_NO_CAUSAL_MASK = "decode_no_causal_mask",
        "no causal mask inside a chunk: a new token sees the tokens after it",
        "new query i may see keys j <= p + i only, even within one call's chunk";
    DECODE_ATTEND_BEFORE_APPEND = "decode_attend_before_append",
        "attends before appending: the new tokens do not see themselves",
        "append the new keys and values to the cache first, then attend over all p + s rows";
    DECODE_CACHE_REPEATED = "decode_cache_repeated_to_h_heads",
        "the cache stores keys and values repeated to H heads",
        "keep G kv heads in the cache (G·d_k columns); repeat them to H heads only for the product, if at all";
    DECODE_ROPE_ON_VALUES = "decode_rope_on_values",
        "RoPE applied to the values as well",
        "rotate queries and keys only: values carry content, not position";
    DECODE_CACHE_BEFORE_ROPE = "decode_cache_keys_before_rope",
        "the cache holds keys before RoPE (rotated again at every call)",
        "rotate each new key once, at its own position, and store it rotated: the cache holds keys after RoPE";
    DECODE_CACHE_NOT_UPDATED = "decode_cache_not_updated",
        "the new keys and values are not appended to the cache",
        "write the grown keys and values back into cache (e.g. cache.keys = new matrix) before returning";
    // Sliding window.
    WINDOW_ONE_TOO_WIDE = "sliding_window_one_too_wide",
        "the window lets in window + 1 keys (j >= a_i − window)",
        "window counts the current token: keys a_i − window + 1 ..= a_i, so j + window > a_i";
    WINDOW_ONE_TOO_NARROW = "sliding_window_one_too_narrow",
        "the window lets in only window − 1 keys",
        "window counts the current token and the window − 1 before it: keys a_i − window + 1 ..= a_i";
    WINDOW_NOT_CAUSAL = "sliding_window_not_causal",
        "the window is a symmetric band: it also sees keys after the query",
        "a sliding window is causal too: j <= a_i, and only the past side is limited by the window";
    WINDOW_TOP_LEFT = "sliding_window_top_left",
        "the window is aligned top-left (query i at position i) instead of bottom-right",
        "with len_q < len_k query i sits at a_i = i + len_k − len_q: the last query ends at the last key";
    WINDOW_IGNORED = "sliding_window_ignored",
        "the window is ignored: a plain (aligned) causal mask",
        "keep only keys with a_i − window < j: the current token and the window − 1 before it";
    // Sinks.
    SINK_SCALED = "sink_scaled",
        "the sink logit is divided by sqrt(d_k) like the scores",
        "only q·kᵀ is scaled; the sink joins the softmax as it is";
    SINK_HAS_VALUE = "sink_has_value",
        "the sink was given a value (its weight leaks into the output)",
        "the sink has no value vector: its weight only shrinks the keys' weights, it adds nothing to the output";
    SINK_ADDED_TO_SCORES = "sink_added_to_scores",
        "the sink is added to every score (or dropped): softmax cancels it, plain attention comes back",
        "the sink is one more logit in each row's denominator: w_ij = exp(s_ij) / (exp(sink) + Σ_j' exp(s_ij'))";
    SINK_UNSTABLE = "sink_unstable_softmax",
        "the sink softmax is not stabilised: exp overflows at |sink| or |score| ~ 1e3 (NaN)",
        "subtract the row's maximum over the allowed scores and the sink from all of them before exp";
    SINK_RENORMALISED = "sink_weights_renormalised",
        "the returned weights are renormalised to sum to 1, leaving no room for the sink",
        "keep w_ij = exp(s_ij) / (exp(sink) + Σ exp(s_ij')) as it is: rows sum to 1 − (the sink's weight)";
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
    // Sinusoidal positions.
    SINUSOIDAL_HALVES = "sinusoidal_halves",
        "sin and cos in two halves [sin | cos] instead of interleaved",
        "the paper interleaves: PE[p, 2i] = sin(p·ω_i) and PE[p, 2i+1] = cos(p·ω_i), pair i in columns 2i and 2i+1";
    SINUSOIDAL_SIN_COS_SWAPPED = "sinusoidal_sin_cos_swapped",
        "cos in the even columns and sin in the odd ones",
        "even column 2i takes the sine, odd column 2i+1 the cosine: row 0 is [0, 1, 0, 1, ...]";
    SINUSOIDAL_EXPONENT_I_OVER_D = "sinusoidal_exponent_i_over_d",
        "frequencies ω_i = 10000^(−i/d_model) instead of 10000^(−2i/d_model)",
        "pair i of d_model/2 has ω_i = 10000^(−2i/d_model): the exponent runs from 0 towards −1, not −1/2";
    SINUSOIDAL_COLUMN_EXPONENT = "sinusoidal_column_exponent",
        "the frequency taken from the column index c (10000^(−c/d_model)): sin and cos of a pair get different angles",
        "both columns of pair i = c / 2 share ω_i = 10000^(−2i/d_model): use the pair index, not the column";
    SINUSOIDAL_POSITIONS_FROM_ONE = "sinusoidal_positions_from_one",
        "positions start at 1 instead of 0",
        "row p holds position p, starting at 0: the first row is [sin 0, cos 0, ...] = [0, 1, 0, 1, ...]";
    // ALiBi.
    ALIBI_SLOPES_POWER_OF_TWO_FORMULA = "alibi_slopes_power_of_two_formula",
        "slopes 2^(−8(h+1)/H) for an H that is not a power of two",
        "for H not a power of two take c = the largest power of two below H: slopes(c), then slopes(2c)[0::2] for the H − c heads left";
    ALIBI_SLOPES_SORTED = "alibi_slopes_sorted",
        "the slopes of a non-power-of-two H are sorted",
        "keep the authors' order: slopes(c) first, then the in-between slopes(2c)[0::2] (6 heads: 1/4, 1/16, 1/64, 1/256, 1/2, 1/8)";
    ALIBI_BIAS_SIGN = "alibi_bias_sign",
        "the bias is +m·(i − j): distant keys are rewarded instead of penalised",
        "subtract: score_ij − m_h·(i − j), so the further back a key, the lower its score";
    ALIBI_BIAS_SCALED = "alibi_bias_scaled",
        "the bias is added before the 1/sqrt(d_k) scale (and so divided by it)",
        "scale q·kᵀ by 1/sqrt(d_k) first, then add −m_h·(i − j) as it is";
    ALIBI_NO_CAUSAL_MASK = "alibi_no_causal_mask",
        "no causal mask: the bias alone does not hide the future (it even rewards it)",
        "ALiBi attention is causal: keys j > i get weight exactly 0; the bias only ranks the keys j <= i";
    // Linear attention.
    LINEAR_SOFTMAX_LEFT_IN = "linear_softmax_left_in",
        "a softmax over q·kᵀ/sqrt(d_k): ordinary attention, not linear attention",
        "no softmax and no scale: weights φ(q_i)·φ(k_j)ᵀ, normalised by their sum, with φ = elu + 1";
    LINEAR_NO_NORMALISER = "linear_no_normaliser",
        "the normaliser φ(q_i)·z_i + ε is missing: the weights do not sum to 1",
        "divide φ(q_i)·S_i by φ(q_i)·z_i + 1e-6, z_i = Σ_j φ(k_j) over the same keys as S_i";
    LINEAR_ELU_WITHOUT_ONE = "linear_elu_without_plus_one",
        "φ = elu(x) without the + 1: negative features, denominators near or below 0",
        "φ(x) = elu(x) + 1: x + 1 for x > 0, exp(x) for x <= 0, always positive";
    LINEAR_PHI_EXP = "linear_phi_exp",
        "φ = exp(x) everywhere instead of elu(x) + 1",
        "φ(x) = x + 1 for x > 0 (not exp(x)); only x <= 0 gives exp(x)";
    LINEAR_QUERIES_SCALED = "linear_queries_scaled",
        "the queries divided by sqrt(d_k) before φ: softmax attention's scale kept",
        "linear attention has no 1/sqrt(d_k): φ(q_i) of the query as it is";
    LINEAR_EXCLUSIVE_PREFIX = "linear_exclusive_prefix",
        "causal prefix sums exclude the current key (j < a_i): a position does not see itself",
        "add key a_i to S and z before query i reads them: the prefix is j <= i + l_k − l_q";
    LINEAR_CAUSAL_IGNORED = "linear_causal_ignored",
        "causal is ignored: every query sees every key",
        "with causal, query i may only use keys j <= i + l_k − l_q: running sums S_i, z_i, not the totals";
    LINEAR_EPS_MISSING = "linear_eps_missing",
        "no ε in the denominator (rows whose φ(q)·z is tiny blow up)",
        "divide by φ(q_i)·z_i + 1e-6: the ε is added once per row";
    LINEAR_EPS_PER_ENTRY = "linear_eps_in_the_wrong_place",
        "ε added to every entry of z (φ(q)·(z + ε)) instead of once to φ(q)·z",
        "the denominator is the number φ(q_i)·z_i, plus 1e-6 once";
    LINEAR_NAIVE_ELU = "linear_elu_plus_one_imprecise",
        "φ(x) computed as (exp(x) − 1) + 1 in f32: far below 0 its digits are lost",
        "compute φ(x <= 0) as exp(x) directly: (exp(x) − 1) + 1 keeps only the digits of 1";
    LINEAR_MATERIALISED = "linear_materialised_attention_matrix",
        "materialised the attention matrix: the call held the l_q × l_k weights φ(Q)·φ(K)ᵀ (the whole point of linear attention lost)",
        "sum the keys first: S = Σ φ(k_j)ᵀ·v_j (d_k × d_v) and z = Σ φ(k_j), running sums when causal; never build l_q × l_k";
    // Multi-head latent attention.
    MLA_CACHE_UP_PROJECTED = "mla_cache_up_projected",
        "the cache holds up-projected keys and values instead of the latent",
        "cache only c (d_c per token) and the rotary key (d_r): rebuild keys and values as c·k_up_h and c·v_up_h when attending";
    MLA_ROTARY_KEY_PER_HEAD = "mla_rotary_key_per_head",
        "one rotary key cached per head instead of one shared key",
        "the rotary key b is shared by all heads: cache it once per token ((p+s) × d_r)";
    MLA_LATENT_BEFORE_NORM = "mla_latent_cached_before_norm",
        "the latent is cached before RMSNorm",
        "cache c = RMSNorm(a) ⊙ kv_norm, normalised once, when the token arrives";
    MLA_NORM_MISSING = "mla_rmsnorm_missing",
        "the latent's RMSNorm is missing (c = a)",
        "c = a / sqrt(mean(a²) + 1e-6) ⊙ kv_norm, row by row";
    MLA_NORM_WITHOUT_GAIN = "mla_rmsnorm_without_gain",
        "RMSNorm without its gain kv_norm",
        "after dividing each row by sqrt(mean(a²) + 1e-6), multiply it elementwise by w.kv_norm";
    MLA_ROPE_ON_WHOLE_QUERY = "mla_rope_on_whole_query",
        "RoPE applied to each head's whole query, content part included",
        "rotate only q_h^R, the last d_r columns of head h (head_dim d_r); q_h^C stays as it is";
    MLA_ROPE_ON_LATENT = "mla_rope_on_latent",
        "RoPE applied to the latent",
        "the latent carries content only: rotate the rotary key b (and q^R), never c";
    MLA_SCALE_BY_SQRT_D_NOPE = "mla_scale_by_sqrt_d_nope",
        "scores scaled by 1/sqrt(d_n) instead of 1/sqrt(d_n + d_r)",
        "a head's query is d_n + d_r wide: divide the scores by sqrt(d_n + d_r)";
}
