//! The solution corpus, judged in this process (through the same encoding as a
//! real check): every `correct_*` file passes, every
//! `mistake_<id>` file fails with mistake `<id>` named, and every
//! `mistakes_<id1>+<id2>` file (two mistakes in one file) fails with mistake
//! `<id1>` named and `<id2>`'s name after it (" and also: ...").
//!
//! Each file of `tests/solutions/<exercise>/` is a learner's file, included
//! here as a module. A test also checks that no file of the directory is left
//! out of the table below.

use attn_quiz::evaluator::Learner;
use attn_quiz::harness::judge::{DEFAULT_CASES, Judged, Outcome, judge_in_process, mistake_name};
use attn_quiz::harness::verdict::Mistake;
use std::collections::BTreeSet;
use std::path::Path;

// The judge measures the heap a learner's call holds (flash, flash_backward, linear_attention)
// only where the counting allocator is installed, as in a real evaluator.
#[global_allocator]
static HEAP: attn_quiz::evaluator::heap::CountingAllocator = attn_quiz::evaluator::heap::CountingAllocator;

/// Declares one module per corpus file and `corpus()`, the table of (path, learner).
macro_rules! corpus {
    ($($module:ident: $path:literal => $variant:ident($function:ident),)*) => {
        $(
            #[path = $path]
            mod $module;
        )*

        /// Every corpus file: its path under `tests/` and the learner's function.
        fn corpus() -> Vec<(&'static str, Learner)> {
            vec![$(($path, Learner::$variant($module::$function))),*]
        }
    };
}

corpus! {
    softmax_correct_log_sum_exp: "solutions/softmax/correct_log_sum_exp.rs" => Softmax(softmax_rows),
    softmax_correct_loops_f64: "solutions/softmax/correct_loops_f64.rs" => Softmax(softmax_rows),
    softmax_correct_reference: "solutions/softmax/correct_reference.rs" => Softmax(softmax_rows),
    softmax_mistake_global_max_subtraction: "solutions/softmax/mistake_global_max_subtraction.rs" => Softmax(softmax_rows),
    softmax_correct_textbook: "solutions/softmax/correct_textbook.rs" => Softmax(softmax_rows),
    softmax_mistake_no_max_subtraction: "solutions/softmax/mistake_no_max_subtraction.rs" => Softmax(softmax_rows),
    softmax_mistake_softmax_whole_matrix: "solutions/softmax/mistake_softmax_whole_matrix.rs" => Softmax(softmax_rows),
    softmax_mistake_softmax_wrong_axis: "solutions/softmax/mistake_softmax_wrong_axis.rs" => Softmax(softmax_rows),
    causal_mask_correct_loops: "solutions/causal_mask/correct_loops.rs" => CausalMask(causal_mask),
    causal_mask_correct_reference: "solutions/causal_mask/correct_reference.rs" => CausalMask(causal_mask),
    causal_mask_mistake_causal_mask_off_by_one: "solutions/causal_mask/mistake_causal_mask_off_by_one.rs" => CausalMask(causal_mask),
    causal_mask_mistake_causal_mask_strict: "solutions/causal_mask/mistake_causal_mask_strict.rs" => CausalMask(causal_mask),
    causal_mask_mistake_causal_mask_transposed: "solutions/causal_mask/mistake_causal_mask_transposed.rs" => CausalMask(causal_mask),
    causal_mask_mistake_inverted_mask: "solutions/causal_mask/mistake_inverted_mask.rs" => CausalMask(causal_mask),
    sdpa_correct_loops_f64: "solutions/sdpa/correct_loops_f64.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_correct_neg_1e9_fill: "solutions/sdpa/correct_neg_1e9_fill.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_correct_reference: "solutions/sdpa/correct_reference.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_inverted_mask: "solutions/sdpa/mistake_inverted_mask.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_mask_after_softmax: "solutions/sdpa/mistake_mask_after_softmax.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_mask_filled_with_zero: "solutions/sdpa/mistake_mask_filled_with_zero.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_mask_ignored: "solutions/sdpa/mistake_mask_ignored.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_nan_on_fully_masked_row: "solutions/sdpa/mistake_nan_on_fully_masked_row.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_no_scale: "solutions/sdpa/mistake_no_scale.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_scale_by_d_k: "solutions/sdpa/mistake_scale_by_d_k.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_scale_by_sqrt_d_v: "solutions/sdpa/mistake_scale_by_sqrt_d_v.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_softmax_whole_matrix: "solutions/sdpa/mistake_softmax_whole_matrix.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_softmax_wrong_axis: "solutions/sdpa/mistake_softmax_wrong_axis.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_uniform_on_fully_masked_row: "solutions/sdpa/mistake_uniform_on_fully_masked_row.rs" => Sdpa(scaled_dot_product_attention),
    mha_correct_loops_f64: "solutions/mha/correct_loops_f64.rs" => Mha(multi_head_attention),
    mha_correct_one_head_width: "solutions/mha/correct_one_head_width.rs" => Mha(multi_head_attention),
    mha_correct_head_dim_from_d_model: "solutions/mha/correct_head_dim_from_d_model.rs" => Mha(multi_head_attention),
    mha_correct_reference: "solutions/mha/correct_reference.rs" => Mha(multi_head_attention),
    mha_mistake_key_value_swapped: "solutions/mha/mistake_key_value_swapped.rs" => Mha(multi_head_attention),
    mha_mistake_missing_bias: "solutions/mha/mistake_missing_bias.rs" => Mha(multi_head_attention),
    mha_mistake_missing_output_projection: "solutions/mha/mistake_missing_output_projection.rs" => Mha(multi_head_attention),
    mha_mistake_per_head_block_projection: "solutions/mha/mistake_per_head_block_projection.rs" => Mha(multi_head_attention),
    mha_mistake_scale_by_sqrt_d_model: "solutions/mha/mistake_scale_by_sqrt_d_model.rs" => Mha(multi_head_attention),
    mha_mistake_strided_head_split: "solutions/mha/mistake_strided_head_split.rs" => Mha(multi_head_attention),
    self_attention_correct_neg_inf_fill: "solutions/self_attention/correct_neg_inf_fill.rs" => SelfAttention(self_attention),
    self_attention_correct_reference: "solutions/self_attention/correct_reference.rs" => SelfAttention(self_attention),
    self_attention_mistake_inverted_mask: "solutions/self_attention/mistake_inverted_mask.rs" => SelfAttention(self_attention),
    self_attention_mistake_missing_bias: "solutions/self_attention/mistake_missing_bias.rs" => SelfAttention(self_attention),
    self_attention_mistake_missing_output_projection: "solutions/self_attention/mistake_missing_output_projection.rs" => SelfAttention(self_attention),
    self_attention_mistake_scale_by_sqrt_d_model: "solutions/self_attention/mistake_scale_by_sqrt_d_model.rs" => SelfAttention(self_attention),
    self_attention_mistake_uniform_on_fully_masked_row: "solutions/self_attention/mistake_uniform_on_fully_masked_row.rs" => SelfAttention(self_attention),
    cross_attention_correct_per_head_weights: "solutions/cross_attention/correct_per_head_weights.rs" => CrossAttention(cross_attention),
    cross_attention_correct_reference: "solutions/cross_attention/correct_reference.rs" => CrossAttention(cross_attention),
    cross_attention_mistake_cross_keys_from_x: "solutions/cross_attention/mistake_cross_keys_from_x.rs" => CrossAttention(cross_attention),
    cross_attention_mistake_cross_queries_from_memory: "solutions/cross_attention/mistake_cross_queries_from_memory.rs" => CrossAttention(cross_attention),
    cross_attention_mistake_cross_values_from_x: "solutions/cross_attention/mistake_cross_values_from_x.rs" => CrossAttention(cross_attention),
    cross_attention_mistake_mask_ignored: "solutions/cross_attention/mistake_mask_ignored.rs" => CrossAttention(cross_attention),
    cross_attention_mistake_missing_bias: "solutions/cross_attention/mistake_missing_bias.rs" => CrossAttention(cross_attention),
    gated_correct_gate_per_head: "solutions/gated/correct_gate_per_head.rs" => Gated(gated_self_attention),
    gated_correct_reference: "solutions/gated/correct_reference.rs" => Gated(gated_self_attention),
    gated_mistake_gate_after_output_projection: "solutions/gated/mistake_gate_after_output_projection.rs" => Gated(gated_self_attention),
    gated_mistake_gate_from_attention_output: "solutions/gated/mistake_gate_from_attention_output.rs" => Gated(gated_self_attention),
    gated_mistake_gate_without_sigmoid: "solutions/gated/mistake_gate_without_sigmoid.rs" => Gated(gated_self_attention),
    gated_mistake_missing_bias: "solutions/gated/mistake_missing_bias.rs" => Gated(gated_self_attention),
    gated_mistake_missing_output_projection: "solutions/gated/mistake_missing_output_projection.rs" => Gated(gated_self_attention),
    gated_mistake_no_max_subtraction: "solutions/gated/mistake_no_max_subtraction.rs" => Gated(gated_self_attention),
    gqa_correct_reference: "solutions/gqa/correct_reference.rs" => Gqa(grouped_query_attention),
    gqa_mistake_d_k_from_input_width: "solutions/gqa/mistake_d_k_from_input_width.rs" => Gqa(grouped_query_attention),
    gqa_correct_proportional_index: "solutions/gqa/correct_proportional_index.rs" => Gqa(grouped_query_attention),
    gqa_correct_repeat_kv: "solutions/gqa/correct_repeat_kv.rs" => Gqa(grouped_query_attention),
    gqa_mistake_gqa_modulo_mapping: "solutions/gqa/mistake_gqa_modulo_mapping.rs" => Gqa(grouped_query_attention),
    gqa_mistake_missing_bias: "solutions/gqa/mistake_missing_bias.rs" => Gqa(grouped_query_attention),
    gqa_mistake_scale_by_sqrt_d_model: "solutions/gqa/mistake_scale_by_sqrt_d_model.rs" => Gqa(grouped_query_attention),
    gqa_mistake_strided_head_split: "solutions/gqa/mistake_strided_head_split.rs" => Gqa(grouped_query_attention),
    additive_correct_pairwise_f64: "solutions/additive/correct_pairwise_f64.rs" => Additive(additive_attention),
    additive_correct_reference: "solutions/additive/correct_reference.rs" => Additive(additive_attention),
    additive_mistake_additive_missing_tanh: "solutions/additive/mistake_additive_missing_tanh.rs" => Additive(additive_attention),
    additive_mistake_additive_scaled: "solutions/additive/mistake_additive_scaled.rs" => Additive(additive_attention),
    additive_mistake_additive_sum_of_tanh: "solutions/additive/mistake_additive_sum_of_tanh.rs" => Additive(additive_attention),
    additive_mistake_nan_on_fully_masked_row: "solutions/additive/mistake_nan_on_fully_masked_row.rs" => Additive(additive_attention),
    additive_mistake_values_from_keys: "solutions/additive/mistake_values_from_keys.rs" => Additive(additive_attention),
    additive_correct_neg_1e9_fill_f64: "solutions/additive/correct_neg_1e9_fill_f64.rs" => Additive(additive_attention),
    additive_mistake_additive_tanh_outside: "solutions/additive/mistake_additive_tanh_outside.rs" => Additive(additive_attention),
    cross_attention_mistake_inverted_mask: "solutions/cross_attention/mistake_inverted_mask.rs" => CrossAttention(cross_attention),
    gated_mistake_gate_ignored: "solutions/gated/mistake_gate_ignored.rs" => Gated(gated_self_attention),
    gated_mistake_gate_tanh_instead_of_sigmoid: "solutions/gated/mistake_gate_tanh_instead_of_sigmoid.rs" => Gated(gated_self_attention),
    gqa_mistake_gqa_only_first_kv_head: "solutions/gqa/mistake_gqa_only_first_kv_head.rs" => Gqa(grouped_query_attention),
    gqa_mistake_mask_after_softmax: "solutions/gqa/mistake_mask_after_softmax.rs" => Gqa(grouped_query_attention),
    mha_correct_neg_1e9_fill: "solutions/mha/correct_neg_1e9_fill.rs" => Mha(multi_head_attention),
    mha_mistake_heads_reshaped_without_transpose: "solutions/mha/mistake_heads_reshaped_without_transpose.rs" => Mha(multi_head_attention),
    mha_mistake_values_from_key_projection: "solutions/mha/mistake_values_from_key_projection.rs" => Mha(multi_head_attention),
    mha_mistake_weights_averaged_over_heads: "solutions/mha/mistake_weights_averaged_over_heads.rs" => Mha(multi_head_attention),
    mha_mistakes_scale_by_sqrt_d_model_and_nan_on_fully_masked_row: "solutions/mha/mistakes_scale_by_sqrt_d_model+nan_on_fully_masked_row.rs" => Mha(multi_head_attention),
    sdpa_correct_neg_inf_then_nan_to_zero: "solutions/sdpa/correct_neg_inf_then_nan_to_zero.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_mask_fill_too_small: "solutions/sdpa/mistake_mask_fill_too_small.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_max_over_masked_keys: "solutions/sdpa/mistake_max_over_masked_keys.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_relu_instead_of_softmax: "solutions/sdpa/mistake_relu_instead_of_softmax.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_renormalised_after_masking: "solutions/sdpa/mistake_renormalised_after_masking.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_returned_weights_unmasked: "solutions/sdpa/mistake_returned_weights_unmasked.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_scale_at_wrong_step: "solutions/sdpa/mistake_scale_at_wrong_step.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_scale_multiplied: "solutions/sdpa/mistake_scale_multiplied.rs" => Sdpa(scaled_dot_product_attention),
    sdpa_mistake_weights_not_normalised: "solutions/sdpa/mistake_weights_not_normalised.rs" => Sdpa(scaled_dot_product_attention),
    self_attention_mistake_renormalised_after_masking: "solutions/self_attention/mistake_renormalised_after_masking.rs" => SelfAttention(self_attention),
    self_attention_mistakes_per_head_block_projection_and_scale_by_sqrt_d_model: "solutions/self_attention/mistakes_per_head_block_projection+scale_by_sqrt_d_model.rs" => SelfAttention(self_attention),
    softmax_mistake_sigmoid_instead_of_softmax: "solutions/softmax/mistake_sigmoid_instead_of_softmax.rs" => Softmax(softmax_rows),
    softmax_mistake_weights_not_normalised: "solutions/softmax/mistake_weights_not_normalised.rs" => Softmax(softmax_rows),
    rope_correct_loops_f64: "solutions/rope/correct_loops_f64.rs" => Rope(apply_rope),
    rope_correct_rotate_half_f32: "solutions/rope/correct_rotate_half_f32.rs" => Rope(apply_rope),
    rope_mistake_rope_across_heads: "solutions/rope/mistake_rope_across_heads.rs" => Rope(apply_rope),
    rope_mistake_rope_negative_angle: "solutions/rope/mistake_rope_negative_angle.rs" => Rope(apply_rope),
    rope_mistake_rope_row_index_as_position: "solutions/rope/mistake_rope_row_index_as_position.rs" => Rope(apply_rope),
    rope_mistake_rope_theta_exponent_i_over_d: "solutions/rope/mistake_rope_theta_exponent_i_over_d.rs" => Rope(apply_rope),
    rope_mistake_rope_wrong_pairing: "solutions/rope/mistake_rope_wrong_pairing.rs" => Rope(apply_rope),
    kv_cache_correct_loops: "solutions/kv_cache/correct_loops.rs" => KvCache(decode_step),
    kv_cache_correct_mask_matrix: "solutions/kv_cache/correct_mask_matrix.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_attend_before_append: "solutions/kv_cache/mistake_decode_attend_before_append.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_cache_keys_before_rope: "solutions/kv_cache/mistake_decode_cache_keys_before_rope.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_cache_not_updated: "solutions/kv_cache/mistake_decode_cache_not_updated.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_cache_repeated_to_h_heads: "solutions/kv_cache/mistake_decode_cache_repeated_to_h_heads.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_no_causal_mask: "solutions/kv_cache/mistake_decode_no_causal_mask.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_positions_restart: "solutions/kv_cache/mistake_decode_positions_restart.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_rope_on_values: "solutions/kv_cache/mistake_decode_rope_on_values.rs" => KvCache(decode_step),
    kv_cache_mistake_decode_top_left_causal_mask: "solutions/kv_cache/mistake_decode_top_left_causal_mask.rs" => KvCache(decode_step),
    sliding_window_correct_from_fn: "solutions/sliding_window/correct_from_fn.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_correct_signed_loops: "solutions/sliding_window/correct_signed_loops.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_mistake_sliding_window_ignored: "solutions/sliding_window/mistake_sliding_window_ignored.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_mistake_sliding_window_not_causal: "solutions/sliding_window/mistake_sliding_window_not_causal.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_mistake_sliding_window_one_too_narrow: "solutions/sliding_window/mistake_sliding_window_one_too_narrow.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_mistake_sliding_window_one_too_wide: "solutions/sliding_window/mistake_sliding_window_one_too_wide.rs" => SlidingWindow(sliding_window_mask),
    sliding_window_mistake_sliding_window_top_left: "solutions/sliding_window/mistake_sliding_window_top_left.rs" => SlidingWindow(sliding_window_mask),
    sinks_correct_extra_column_f64: "solutions/sinks/correct_extra_column_f64.rs" => Sinks(attention_with_sink),
    sinks_correct_max_with_sink: "solutions/sinks/correct_max_with_sink.rs" => Sinks(attention_with_sink),
    sinks_mistake_mask_ignored: "solutions/sinks/mistake_mask_ignored.rs" => Sinks(attention_with_sink),
    sinks_mistake_sink_added_to_scores: "solutions/sinks/mistake_sink_added_to_scores.rs" => Sinks(attention_with_sink),
    sinks_mistake_sink_has_value: "solutions/sinks/mistake_sink_has_value.rs" => Sinks(attention_with_sink),
    sinks_mistake_sink_scaled: "solutions/sinks/mistake_sink_scaled.rs" => Sinks(attention_with_sink),
    sinks_mistake_sink_unstable_softmax: "solutions/sinks/mistake_sink_unstable_softmax.rs" => Sinks(attention_with_sink),
    sinks_mistake_sink_weights_renormalised: "solutions/sinks/mistake_sink_weights_renormalised.rs" => Sinks(attention_with_sink),
    flash_correct_loops: "solutions/flash/correct_loops.rs" => Flash(flash_attention),
    flash_correct_rows_f64: "solutions/flash/correct_rows_f64.rs" => Flash(flash_attention),
    flash_mistake_accumulator_not_rescaled: "solutions/flash/mistake_accumulator_not_rescaled.rs" => Flash(flash_attention),
    flash_mistake_causal_top_left: "solutions/flash/mistake_causal_top_left.rs" => Flash(flash_attention),
    flash_mistake_last_partial_block_dropped: "solutions/flash/mistake_last_partial_block_dropped.rs" => Flash(flash_attention),
    flash_mistake_lse_without_max: "solutions/flash/mistake_lse_without_max.rs" => Flash(flash_attention),
    flash_mistake_materialised_scores: "solutions/flash/mistake_materialised_scores.rs" => Flash(flash_attention),
    flash_mistake_no_scale: "solutions/flash/mistake_no_scale.rs" => Flash(flash_attention),
    flash_mistake_normalised_twice: "solutions/flash/mistake_normalised_twice.rs" => Flash(flash_attention),
    flash_mistake_rescale_inverted: "solutions/flash/mistake_rescale_inverted.rs" => Flash(flash_attention),
    flash_mistake_running_max_from_zero: "solutions/flash/mistake_running_max_from_zero.rs" => Flash(flash_attention),
    sdpa_backward_correct_f64_matrices: "solutions/sdpa_backward/correct_f64_matrices.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_correct_loops: "solutions/sdpa_backward/correct_loops.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_dk_from_ds: "solutions/sdpa_backward/mistake_dk_from_ds.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_gradient_missing_scale: "solutions/sdpa_backward/mistake_gradient_missing_scale.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_masked_entries_contribute: "solutions/sdpa_backward/mistake_masked_entries_contribute.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_nan_on_fully_masked_row: "solutions/sdpa_backward/mistake_nan_on_fully_masked_row.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_rowsum_of_dp: "solutions/sdpa_backward/mistake_rowsum_of_dp.rs" => SdpaBackward(sdpa_backward),
    sdpa_backward_mistake_softmax_backward_without_rowsum: "solutions/sdpa_backward/mistake_softmax_backward_without_rowsum.rs" => SdpaBackward(sdpa_backward),
    flash_backward_correct_rows_f64: "solutions/flash_backward/correct_rows_f64.rs" => FlashBackward(flash_attention_backward),
    flash_backward_correct_tiles: "solutions/flash_backward/correct_tiles.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_causal_top_left: "solutions/flash_backward/mistake_causal_top_left.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_dk_from_ds: "solutions/flash_backward/mistake_dk_from_ds.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_gradient_missing_scale: "solutions/flash_backward/mistake_gradient_missing_scale.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_masked_entries_contribute: "solutions/flash_backward/mistake_masked_entries_contribute.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_materialised_p: "solutions/flash_backward/mistake_materialised_p.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_p_without_lse: "solutions/flash_backward/mistake_p_without_lse.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_rowsum_of_dp: "solutions/flash_backward/mistake_rowsum_of_dp.rs" => FlashBackward(flash_attention_backward),
    flash_backward_mistake_softmax_backward_without_rowsum: "solutions/flash_backward/mistake_softmax_backward_without_rowsum.rs" => FlashBackward(flash_attention_backward),
    sinusoidal_correct_from_fn_f64: "solutions/sinusoidal/correct_from_fn_f64.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_correct_pair_loops_f32: "solutions/sinusoidal/correct_pair_loops_f32.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_mistake_sinusoidal_column_exponent: "solutions/sinusoidal/mistake_sinusoidal_column_exponent.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_mistake_sinusoidal_exponent_i_over_d: "solutions/sinusoidal/mistake_sinusoidal_exponent_i_over_d.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_mistake_sinusoidal_halves: "solutions/sinusoidal/mistake_sinusoidal_halves.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_mistake_sinusoidal_positions_from_one: "solutions/sinusoidal/mistake_sinusoidal_positions_from_one.rs" => Sinusoidal(sinusoidal_positions),
    sinusoidal_mistake_sinusoidal_sin_cos_swapped: "solutions/sinusoidal/mistake_sinusoidal_sin_cos_swapped.rs" => Sinusoidal(sinusoidal_positions),
    alibi_correct_official_bias_f64: "solutions/alibi/correct_official_bias_f64.rs" => Alibi(alibi_self_attention),
    alibi_correct_per_head: "solutions/alibi/correct_per_head.rs" => Alibi(alibi_self_attention),
    alibi_mistake_alibi_bias_scaled: "solutions/alibi/mistake_alibi_bias_scaled.rs" => Alibi(alibi_self_attention),
    alibi_mistake_alibi_bias_sign: "solutions/alibi/mistake_alibi_bias_sign.rs" => Alibi(alibi_self_attention),
    alibi_mistake_alibi_no_causal_mask: "solutions/alibi/mistake_alibi_no_causal_mask.rs" => Alibi(alibi_self_attention),
    alibi_mistake_alibi_slopes_power_of_two_formula: "solutions/alibi/mistake_alibi_slopes_power_of_two_formula.rs" => Alibi(alibi_self_attention),
    alibi_mistake_alibi_slopes_sorted: "solutions/alibi/mistake_alibi_slopes_sorted.rs" => Alibi(alibi_self_attention),
    linear_attention_correct_running_sums: "solutions/linear_attention/correct_running_sums.rs" => LinearAttention(linear_attention),
    linear_attention_correct_state_matrices_f64: "solutions/linear_attention/correct_state_matrices_f64.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_causal_top_left: "solutions/linear_attention/mistake_causal_top_left.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_causal_ignored: "solutions/linear_attention/mistake_linear_causal_ignored.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_elu_plus_one_imprecise: "solutions/linear_attention/mistake_linear_elu_plus_one_imprecise.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_elu_without_plus_one: "solutions/linear_attention/mistake_linear_elu_without_plus_one.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_eps_in_the_wrong_place: "solutions/linear_attention/mistake_linear_eps_in_the_wrong_place.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_eps_missing: "solutions/linear_attention/mistake_linear_eps_missing.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_exclusive_prefix: "solutions/linear_attention/mistake_linear_exclusive_prefix.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_materialised_attention_matrix: "solutions/linear_attention/mistake_linear_materialised_attention_matrix.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_no_normaliser: "solutions/linear_attention/mistake_linear_no_normaliser.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_phi_exp: "solutions/linear_attention/mistake_linear_phi_exp.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_queries_scaled: "solutions/linear_attention/mistake_linear_queries_scaled.rs" => LinearAttention(linear_attention),
    linear_attention_mistake_linear_softmax_left_in: "solutions/linear_attention/mistake_linear_softmax_left_in.rs" => LinearAttention(linear_attention),
    mla_correct_absorbed_f64: "solutions/mla/correct_absorbed_f64.rs" => Mla(mla_decode_step),
    mla_correct_naive: "solutions/mla/correct_naive.rs" => Mla(mla_decode_step),
    mla_mistake_decode_positions_restart: "solutions/mla/mistake_decode_positions_restart.rs" => Mla(mla_decode_step),
    mla_mistake_decode_top_left_causal_mask: "solutions/mla/mistake_decode_top_left_causal_mask.rs" => Mla(mla_decode_step),
    mla_mistake_mla_cache_up_projected: "solutions/mla/mistake_mla_cache_up_projected.rs" => Mla(mla_decode_step),
    mla_mistake_mla_latent_cached_before_norm: "solutions/mla/mistake_mla_latent_cached_before_norm.rs" => Mla(mla_decode_step),
    mla_mistake_mla_rmsnorm_missing: "solutions/mla/mistake_mla_rmsnorm_missing.rs" => Mla(mla_decode_step),
    mla_mistake_mla_rmsnorm_without_gain: "solutions/mla/mistake_mla_rmsnorm_without_gain.rs" => Mla(mla_decode_step),
    mla_mistake_mla_rope_on_latent: "solutions/mla/mistake_mla_rope_on_latent.rs" => Mla(mla_decode_step),
    mla_mistake_mla_rope_on_whole_query: "solutions/mla/mistake_mla_rope_on_whole_query.rs" => Mla(mla_decode_step),
    mla_mistake_mla_rotary_key_per_head: "solutions/mla/mistake_mla_rotary_key_per_head.rs" => Mla(mla_decode_step),
    mla_mistake_mla_scale_by_sqrt_d_nope: "solutions/mla/mistake_mla_scale_by_sqrt_d_nope.rs" => Mla(mla_decode_step),
}

/// What a corpus file must get.
#[derive(Debug)]
enum Expected<'a> {
    /// To pass.
    Pass,
    /// To fail with this mistake named.
    Mistake(&'a str),
    /// To fail with the first mistake named (its id) and the second one too (its name).
    Mistakes(&'a str, &'a str),
}

impl Expected<'_> {
    /// Whether `mistake` is what was expected.
    fn named(&self, mistake: &Mistake) -> bool {
        match *self {
            Expected::Pass => false,
            Expected::Mistake(id) => mistake.id == id && !mistake.name.contains(" and also: "),
            Expected::Mistakes(first, second) => {
                let second = mistake_name(second).unwrap_or_else(|| panic!("no mistake has the id {second}"));
                mistake.id == first && mistake.name.contains(&format!(" and also: {second}"))
            }
        }
    }
}

/// What the corpus file at `path` must get, from its name.
fn expectation(path: &str) -> Expected<'_> {
    let stem = Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if let Some(ids) = stem.strip_prefix("mistakes_") {
        let (first, second) = ids.split_once('+').unwrap_or_else(|| panic!("{path}: mistakes_<id1>+<id2>.rs"));
        return Expected::Mistakes(first, second);
    }
    match stem.strip_prefix("mistake_") {
        Some(id) => Expected::Mistake(id),
        None if stem.starts_with("correct_") => Expected::Pass,
        None => panic!("{path}: corpus files are named correct_<style>.rs, mistake_<id>.rs or mistakes_<id>+<id>.rs"),
    }
}

/// The check of one corpus file, with a fixed seed.
fn check_file(learner: Learner, seed: u64) -> Judged {
    judge_in_process(learner, seed, DEFAULT_CASES)
}

#[test]
fn correct_files_pass_and_mistakes_are_named() {
    let mut wrong = Vec::new();
    for (path, learner) in corpus() {
        let exercise = path.split('/').nth(1).unwrap_or_default();
        assert_eq!(learner.exercise(), exercise, "{path} is in the wrong folder");
        for seed in [1, 2] {
            let verdict = check_file(learner, seed);
            let outcome = &verdict.outcome;
            let expected = expectation(path);
            let ok = match (&expected, outcome) {
                (Expected::Pass, Outcome::Passed) => true,
                (expected, Outcome::Failed(f)) => f.mistake.as_ref().is_some_and(|m| expected.named(m)),
                _ => false,
            };
            if !ok {
                wrong.push(format!("{path} (seed {seed}): {outcome:#?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} corpus files judged wrongly:\n{}", wrong.len(), wrong.join("\n\n"));
}

#[test]
fn every_corpus_file_is_in_the_table() {
    let listed: BTreeSet<String> = corpus().into_iter().map(|(path, _)| path.to_string()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut on_disk = BTreeSet::new();
    for exercise in std::fs::read_dir(root.join("solutions")).unwrap() {
        let exercise = exercise.unwrap().path();
        for file in std::fs::read_dir(&exercise).unwrap() {
            let file = file.unwrap().path();
            on_disk.insert(file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
    assert_eq!(on_disk, listed);
}
