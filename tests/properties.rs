//! Property tests: laws every correct attention obeys, checked on random small
//! inputs (quickcheck, 100 cases per law).
//!
//! The generators below draw bounded shapes (lengths 1–5, 1–3 heads of width
//! 1–3) and bounded magnitudes, never NaN or inf: quickcheck's own `f32`
//! generator yields those, which would test nothing but NaN propagation. The
//! matrices of a case come from the library's own [`Sampler`]; a failing law
//! prints the case it failed on.

mod common;

use attn_quiz::nalgebra::DMatrix;
use attn_quiz::prelude::*;
use attn_quiz::reference::alibi::alibi_with_slopes;
use attn_quiz::reference::batched::{
    batched_multi_head_attention, batched_scaled_dot_product_attention, batched_self_attention,
};
use attn_quiz::reference::decoder::{DecoderAttention, decoder_attention_step};
use attn_quiz::reference::differential::{DifferentialWeights, differential_attention};
use attn_quiz::reference::kv_cache::empty_cache;
use attn_quiz::reference::mla::empty_mla_cache;
use attn_quiz::reference::mla_absorbed::mla_decode_step_absorbed;
use attn_quiz::reference::sliding_window::streaming_mask;
use attn_quiz::reference::{
    self, apply_rope, attention_with_sink, causal_mask, decode_step, luong_dot_attention, mla_decode_step,
    scaled_dot_product_attention, sinusoidal_positions, sliding_window_mask,
};
use attn_quiz::sample::Sampler;
use common::{Check, Failure, close, close_each, masked_entries_are_zero, position_of, within_tolerance};
use quickcheck::{Arbitrary, Gen, TestResult, Testable, quickcheck};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::fmt::Debug;
use std::ops::RangeInclusive;
use std::panic::{self, AssertUnwindSafe};

#[test]
fn softmax_rows_sum_to_one_or_are_all_zero() {
    quickcheck(Law(|s: &Scores| {
        let weights = reference::masked_softmax_rows(&s.scores, Some(&s.mask));
        rows_sum_to_one_or_are_all_zero(&weights, &s.mask)?;
        let all_allowed = Mask::from_element(s.mask.nrows(), s.mask.ncols(), true);
        rows_sum_to_one_or_are_all_zero(&reference::softmax_rows(&s.scores), &all_allowed)
    }));
}

#[test]
fn softmax_gives_masked_positions_exactly_zero() {
    quickcheck(Law(|s: &Scores| {
        let weights = reference::masked_softmax_rows(&s.scores, Some(&s.mask));
        masked_entries_are_zero("weights", &weights, Some(&s.mask))
    }));
}

#[test]
fn multi_head_attention_gives_masked_positions_exactly_zero() {
    quickcheck(Law(|a: &Attention| {
        let (_, heads) = reference::multi_head_attention(&a.query, &a.key, &a.value, &a.weights, a.mask.as_ref());
        let mut numbered = heads.iter().enumerate();
        numbered.try_for_each(|(h, w)| masked_entries_are_zero(&format!("head_weights[{h}]"), w, a.mask.as_ref()))
    }));
}

#[test]
fn softmax_of_logits_up_to_1e4_is_finite() {
    quickcheck(Law(|s: &HugeScores| {
        let HugeScores(s) = s;
        finite("softmax_rows", &reference::softmax_rows(&s.scores))?;
        finite("masked_softmax_rows", &reference::masked_softmax_rows(&s.scores, Some(&s.mask)))
    }));
}

#[test]
fn self_attention_is_permutation_equivariant() {
    quickcheck(Law(|p: &Permuted| {
        let Permuted { sequence: s, order } = p;
        let (output, heads) = reference::self_attention(&s.x, &s.weights, None);
        let (permuted_output, permuted_heads) = reference::self_attention(&s.x.select_rows(order), &s.weights, None);
        close("output of permuted x", &permuted_output, &output.select_rows(order))?;
        // Entry (i, j) of a permuted head is entry (order[i], order[j]) of the original.
        let expected_heads: Vec<Matrix> = heads.iter().map(|w| w.select_rows(order).select_columns(order)).collect();
        close_each("head_weights of permuted x", &permuted_heads, &expected_heads)
    }));
}

#[test]
fn causal_outputs_never_see_later_tokens() {
    quickcheck(Law(|(s, cut, seed): &(Sequence, usize, u64)| {
        // Rows [0, kept) stay, rows [kept, l) are replaced by fresh random tokens.
        let (l, d_model) = s.x.shape();
        let kept = 1 + cut % l;
        let mut changed = s.x.clone();
        changed.rows_mut(kept, l - kept).copy_from(&Sampler::new(*seed).matrix(l - kept, d_model));
        let mask = causal_mask(l);
        let (output, heads) = reference::self_attention(&s.x, &s.weights, Some(&mask));
        let (changed_output, changed_heads) = reference::self_attention(&changed, &s.weights, Some(&mask));
        close("earlier output rows", &changed_output.rows(0, kept).into_owned(), &output.rows(0, kept).into_owned())?;
        let earlier_rows = |heads: &[Matrix]| heads.iter().map(|w| w.rows(0, kept).into_owned()).collect::<Vec<_>>();
        close_each("earlier head_weights rows", &earlier_rows(&changed_heads), &earlier_rows(&heads))
    }));
}

#[test]
fn gqa_with_one_kv_head_per_query_head_is_mha() {
    quickcheck(Law(|p: &GroupedQuery| {
        let w = p.weights(p.num_heads);
        let mha = w.as_multi_head().expect("G = H");
        let gqa = reference::grouped_query_attention(&p.query, &p.key, &p.value, &w, p.mask.as_ref());
        let expected = reference::multi_head_attention(&p.query, &p.key, &p.value, &mha, p.mask.as_ref());
        same_multi_head(gqa, expected)
    }));
}

#[test]
fn mqa_is_mha_with_copies_of_the_one_kv_head() {
    quickcheck(Law(|p: &GroupedQuery| {
        let w = p.weights(1);
        let h = p.num_heads;
        let mha = MultiHeadWeights {
            q: w.q.clone(),
            k: repeat_heads(&w.k, h),
            v: repeat_heads(&w.v, h),
            o: w.o.clone(),
            num_heads: h,
        };
        let mqa = reference::grouped_query_attention(&p.query, &p.key, &p.value, &w, p.mask.as_ref());
        let expected = reference::multi_head_attention(&p.query, &p.key, &p.value, &mha, p.mask.as_ref());
        same_multi_head(mqa, expected)
    }));
}

#[test]
fn self_attention_is_sdpa_head_by_head_on_x() {
    quickcheck(Law(|s: &Sequence| {
        let expected = head_by_head(&s.x, &s.x, &s.weights, s.mask.as_ref());
        same_multi_head(reference::self_attention(&s.x, &s.weights, s.mask.as_ref()), expected)
    }));
}

#[test]
fn cross_attention_is_sdpa_head_by_head_of_x_against_memory() {
    quickcheck(Law(|a: &Attention| {
        let (x, memory) = (&a.query, &a.key);
        let expected = head_by_head(x, memory, &a.weights, a.mask.as_ref());
        same_multi_head(reference::cross_attention(x, memory, &a.weights, a.mask.as_ref()), expected)
    }));
}

#[test]
fn one_head_mha_is_sdpa_of_the_projections_then_projected() {
    quickcheck(Law(|a: &Attention| {
        let w = MultiHeadWeights { num_heads: 1, ..a.weights.clone() };
        let (q, k, v) = (w.q.forward(&a.query), w.k.forward(&a.key), w.v.forward(&a.value));
        let (attended, weights) = scaled_dot_product_attention(&q, &k, &v, a.mask.as_ref());
        let expected = (w.o.forward(&attended), vec![weights]);
        same_multi_head(reference::multi_head_attention(&a.query, &a.key, &a.value, &w, a.mask.as_ref()), expected)
    }));
}

#[test]
fn gate_saturated_open_is_plain_self_attention() {
    quickcheck(Law(|(s, gate_seed): &(Sequence, u64)| {
        // |x·W_g| ≤ 4·9 here, so sigmoid(x·W_g + 1000) is exactly 1.0 in f32.
        let width = s.weights.v.out_features();
        let gate_weight = Sampler::new(*gate_seed).matrix(s.x.ncols(), width);
        let gate = Linear::new(gate_weight, RowVector::from_element(width, 1e3));
        let gated = GatedWeights { attn: s.weights.clone(), gate };
        let expected = reference::self_attention(&s.x, &s.weights, s.mask.as_ref());
        same_multi_head(reference::gated_self_attention(&s.x, &gated, s.mask.as_ref()), expected)
    }));
}

#[test]
fn batched_sdpa_is_sdpa_of_each_element() {
    quickcheck(Law(|b: &Batch| {
        let (outputs, weights) = batched_scaled_dot_product_attention(&b.queries, &b.keys, &b.values, b.mask.as_ref());
        let each = b.map(|q, k, v| scaled_dot_product_attention(q, k, v, b.mask.as_ref()));
        let (expected_outputs, expected_weights): (Vec<Matrix>, Vec<Matrix>) = each.into_iter().unzip();
        close_each("outputs", &outputs, &expected_outputs)?;
        close_each("weights", &weights, &expected_weights)
    }));
}

#[test]
fn batched_mha_is_mha_of_each_element() {
    quickcheck(Law(|b: &Batch| {
        let batched = batched_multi_head_attention(&b.queries, &b.keys, &b.values, &b.weights, b.mask.as_ref());
        let each = b.map(|q, k, v| reference::multi_head_attention(q, k, v, &b.weights, b.mask.as_ref()));
        same_batch(batched, each)
    }));
}

#[test]
fn batched_self_attention_is_self_attention_of_each_element() {
    quickcheck(Law(|b: &Batch| {
        let batched = batched_self_attention(&b.queries, &b.weights, b.mask.as_ref());
        let each = b.queries.iter().map(|x| head_by_head(x, x, &b.weights, b.mask.as_ref())).collect();
        same_batch(batched, each)
    }));
}

#[test]
fn luong_general_with_identity_is_luong_dot() {
    quickcheck(Law(|a: &Attention| {
        let identity = Matrix::identity(a.query.ncols(), a.key.ncols());
        let (output, weights) =
            reference::luong_general_attention(&a.query, &a.key, &a.value, &identity, a.mask.as_ref());
        let (expected_output, expected_weights) = luong_dot_attention(&a.query, &a.key, &a.value, a.mask.as_ref());
        close("output", &output, &expected_output)?;
        close("weights", &weights, &expected_weights)
    }));
}

#[test]
fn sdpa_is_luong_dot_of_queries_divided_by_sqrt_d_k() {
    quickcheck(Law(|a: &Attention| {
        let scaled_query = &a.query / (a.query.ncols() as f32).sqrt();
        let (output, weights) = scaled_dot_product_attention(&a.query, &a.key, &a.value, a.mask.as_ref());
        let (expected_output, expected_weights) = luong_dot_attention(&scaled_query, &a.key, &a.value, a.mask.as_ref());
        close("output", &output, &expected_output)?;
        close("weights", &weights, &expected_weights)
    }));
}

#[test]
fn online_softmax_is_softmax_rows() {
    quickcheck(Law(|s: &Scores| {
        // Masked entries as −inf scores, so some rows are entirely −inf.
        let scores = s.scores.zip_map(&s.mask, |x, allowed| if allowed { x } else { f32::NEG_INFINITY });
        let online = reference::online_softmax_rows(&scores);
        close("online softmax", &online, &reference::softmax_rows(&scores))?;
        masked_entries_are_zero("online softmax", &online, Some(&s.mask))
    }));
}

#[test]
fn aligned_causal_mask_is_the_last_rows_of_the_square_causal_mask() {
    quickcheck(Law(|t: &Tiled| {
        let (l_q, l_k) = (t.q.nrows(), t.k.nrows());
        let l_k = l_k.max(l_q); // this law needs l_q ≤ l_k, causal case or not
        let expected = causal_mask(l_k).rows(l_k - l_q, l_q).into_owned();
        let actual = reference::aligned_causal_mask(l_q, l_k);
        if actual == expected { Ok(()) } else { Err(Failure(format!("aligned_causal_mask({l_q}, {l_k}) = {actual}"))) }
    }));
}

#[test]
fn flash_attention_is_sdpa_for_every_block_size() {
    quickcheck(Law(|t: &Tiled| {
        let (expected, _) = scaled_dot_product_attention(&t.q, &t.k, &t.v, t.mask().as_ref());
        t.block_pairs().try_for_each(|(block_q, block_k)| {
            let (output, _) = reference::flash_attention(&t.q, &t.k, &t.v, t.causal, block_q, block_k);
            close(&format!("output, blocks ({block_q}, {block_k})"), &output, &expected)
        })
    }));
}

#[test]
fn flash_lse_rebuilds_the_sdpa_weights() {
    quickcheck(Law(|t: &Tiled| {
        let mask = t.mask();
        let (_, expected) = scaled_dot_product_attention(&t.q, &t.k, &t.v, mask.as_ref());
        // The scaled scores, computed here, then exp(S − lse) where allowed.
        let scores = &t.q * t.k.transpose() / (t.q.ncols() as f32).sqrt();
        let allowed = |i: usize, j: usize| mask.as_ref().is_none_or(|m| m[(i, j)]);
        t.block_pairs().try_for_each(|(block_q, block_k)| {
            let (_, lse) = reference::flash_attention(&t.q, &t.k, &t.v, t.causal, block_q, block_k);
            let (l_q, l_k) = scores.shape();
            let weights =
                Matrix::from_fn(l_q, l_k, |i, j| if allowed(i, j) { (scores[(i, j)] - lse[i]).exp() } else { 0.0 });
            close(&format!("exp(S − lse), blocks ({block_q}, {block_k})"), &weights, &expected)
        })
    }));
}

#[test]
fn sdpa_backward_is_the_f64_finite_difference_gradient() {
    quickcheck(Law(|b: &Backward| {
        let (dq, dk, dv) = reference::sdpa_backward(&b.q, &b.k, &b.v, b.mask.as_ref(), &b.d_out);
        let (expected_dq, expected_dk, expected_dv) = finite_difference_gradients(b);
        close_to_scale("dq", &dq, &expected_dq)?;
        close_to_scale("dk", &dk, &expected_dk)?;
        close_to_scale("dv", &dv, &expected_dv)
    }));
}

#[test]
fn flash_backward_is_sdpa_backward_for_every_block_size() {
    quickcheck(Law(|t: &Tiled| {
        let (expected_dq, expected_dk, expected_dv) =
            reference::sdpa_backward(&t.q, &t.k, &t.v, t.mask().as_ref(), &t.d_out);
        t.block_pairs().try_for_each(|(block_q, block_k)| {
            let (out, lse) = reference::flash_attention(&t.q, &t.k, &t.v, t.causal, block_q, block_k);
            let (dq, dk, dv) =
                reference::flash_attention_backward(&t.q, &t.k, &t.v, &out, &lse, &t.d_out, t.causal, block_q, block_k);
            let blocks = format!("blocks ({block_q}, {block_k})");
            close_to_scale(&format!("dq, {blocks}"), &dq, &expected_dq)?;
            close_to_scale(&format!("dk, {blocks}"), &dk, &expected_dk)?;
            close_to_scale(&format!("dv, {blocks}"), &dv, &expected_dv)
        })
    }));
}

#[test]
fn rope_keeps_the_length_of_every_pair() {
    quickcheck(Law(|r: &Rotary| {
        let rotated = apply_rope(&r.x, &r.positions, r.head_dim, &r.rope);
        let half = r.head_dim / 2;
        for block in (0..r.x.ncols()).step_by(r.head_dim) {
            for i in 0..half {
                // The pairing, written out here rather than taken from the library.
                let (a, b) = match r.rope.style {
                    RopeStyle::Interleaved => (block + 2 * i, block + 2 * i + 1),
                    RopeStyle::HalfSplit => (block + i, block + i + half),
                };
                for row in 0..r.x.nrows() {
                    let before = r.x[(row, a)].hypot(r.x[(row, b)]);
                    let after = rotated[(row, a)].hypot(rotated[(row, b)]);
                    if !within_tolerance(after, before) {
                        return Err(Failure(format!("row {row}, pair ({a}, {b}): length {before} became {after}")));
                    }
                }
            }
        }
        Ok(())
    }));
}

#[test]
fn rope_scores_depend_only_on_the_offset() {
    quickcheck(Law(|p: &RotaryPair| {
        let score = |m: usize, n: usize| {
            let q = apply_rope(&p.q, &[m], p.head_dim, &p.rope);
            let k = apply_rope(&p.k, &[n], p.head_dim, &p.rope);
            q.dot(&k)
        };
        let (here, shifted) = (score(p.m, p.n), score(p.m + p.shift, p.n + p.shift));
        // Round-off of a dot product grows with |q|·|k|, not with the (possibly tiny) result.
        let tolerance = 1e-5 * (1.0 + p.q.norm() * p.k.norm());
        if (here - shifted).abs() <= tolerance {
            Ok(())
        } else {
            Err(Failure(format!("q at {} · k at {} = {here}, but shifted by {} it is {shifted}", p.m, p.n, p.shift)))
        }
    }));
}

#[test]
fn rope_pairings_agree_after_permuting_columns() {
    quickcheck(Law(|r: &Rotary| {
        // Column 2i of a head goes to i and 2i+1 to i + d/2: the interleaved pairs become half-split pairs.
        let (d, half) = (r.head_dim, r.head_dim / 2);
        let order: Vec<usize> = (0..r.x.ncols())
            .map(|c| {
                let (block, within) = (c - c % d, c % d);
                if within < half { block + 2 * within } else { block + 2 * (within - half) + 1 }
            })
            .collect();
        let interleaved = Rope { style: RopeStyle::Interleaved, ..r.rope };
        let half_split = Rope { style: RopeStyle::HalfSplit, ..r.rope };
        let expected = apply_rope(&r.x, &r.positions, d, &interleaved).select_columns(&order);
        close(
            "half-split of permuted x",
            &apply_rope(&r.x.select_columns(&order), &r.positions, d, &half_split),
            &expected,
        )
    }));
}

#[test]
fn any_split_into_decode_calls_is_one_call_on_an_empty_cache() {
    quickcheck(Law(|d: &Decode| {
        let w = d.weights(d.num_kv_heads);
        let mut whole_cache = empty_cache(&w);
        let (whole, whole_heads) = decode_step(&d.x, &mut whole_cache, &w, d.rope.as_ref());
        let (outputs, heads, cache) = decode_in_chunks(d, &w);
        calls_are_rows_of_one_call(&d.chunks, (&outputs, &heads), (&whole, &whole_heads))?;
        close("cached keys", &cache.keys, &whole_cache.keys)?;
        close("cached values", &cache.values, &whole_cache.values)
    }));
}

#[test]
fn decode_with_one_kv_head_per_query_head_is_causal_mha_of_the_projections() {
    quickcheck(Law(|d: &Decode| {
        let w = d.weights(d.num_heads);
        let (l, h, d_k) = (d.x.nrows(), w.num_heads, w.d_k());
        let (q, k, v) = (w.q.forward(&d.x), w.k.forward(&d.x), w.v.forward(&d.x));
        let block = |m: &Matrix, i: usize| m.columns(i * d_k, d_k).into_owned();
        let mask = causal_mask(l);
        let mut concat = Matrix::zeros(l, h * d_k);
        let mut expected_heads = Vec::new();
        for i in 0..h {
            let (out, weights) = scaled_dot_product_attention(&block(&q, i), &block(&k, i), &block(&v, i), Some(&mask));
            concat.columns_mut(i * d_k, d_k).copy_from(&out);
            expected_heads.push(weights);
        }
        let expected = w.o.forward(&concat);
        let decoder = Decode { rope: None, ..d.clone() };
        let (outputs, heads, cache) = decode_in_chunks(&decoder, &w);
        let mut start = 0;
        for (c, &s) in d.chunks.iter().enumerate() {
            close(&format!("outputs[{c}]"), &outputs[c], &expected.rows(start, s).into_owned())?;
            let rows: Vec<Matrix> =
                expected_heads.iter().map(|m| m.view((start, 0), (s, start + s)).into_owned()).collect();
            close_each(&format!("head_weights[{c}]"), &heads[c], &rows)?;
            start += s;
        }
        close("cached keys", &cache.keys, &k)?;
        close("cached values", &cache.values, &v)
    }));
}

#[test]
fn a_window_as_long_as_the_keys_is_the_aligned_causal_mask() {
    quickcheck(Law(|w: &WindowSizes| {
        let window = w.len_k + w.window; // ≥ len_k
        // The aligned causal mask is the last len_q rows of the square causal mask over the keys.
        let expected = causal_mask(w.len_k).rows(w.len_k - w.len_q, w.len_q).into_owned();
        same_mask(&sliding_window_mask(w.len_q, w.len_k, window), &expected)?;
        same_mask(&reference::aligned_causal_mask(w.len_q, w.len_k), &expected)
    }));
}

#[test]
fn a_window_row_sees_the_last_window_keys_up_to_its_position() {
    quickcheck(Law(|w: &WindowSizes| {
        let mask = sliding_window_mask(w.len_q, w.len_k, w.window);
        let streaming = streaming_mask(w.len_q, w.len_k, w.n_sink, w.window);
        for i in 0..w.len_q {
            let a = i + w.len_k - w.len_q;
            let visible: Vec<usize> = (0..w.len_k).filter(|&j| mask[(i, j)]).collect();
            let expected: Vec<usize> = (a + 1 - w.window.min(a + 1)..=a).collect();
            if visible != expected {
                return Err(Failure(format!("row {i} (position {a}) sees keys {visible:?}, expected {expected:?}")));
            }
            // Sinks plus window: the union of 0..n_sink and the window, never past a.
            let kept = (0..w.len_k).filter(|&j| streaming[(i, j)]).count();
            let expected_kept = (a + 1).min(w.n_sink + w.window);
            let first_kept = w.n_sink == 0 || streaming[(i, 0)];
            if kept != expected_kept || !streaming[(i, a)] || !first_kept {
                return Err(Failure(format!(
                    "streaming row {i} (position {a}) keeps {kept} keys, expected {expected_kept}"
                )));
            }
        }
        Ok(())
    }));
}

#[test]
fn a_sink_of_minus_infinity_is_plain_sdpa() {
    quickcheck(Law(|c: &SinkCase| {
        let (expected_output, expected_weights) = scaled_dot_product_attention(&c.q, &c.k, &c.v, c.mask.as_ref());
        for sink in [f32::NEG_INFINITY, -1e30] {
            let (output, weights) = attention_with_sink(&c.q, &c.k, &c.v, sink, c.mask.as_ref());
            close(&format!("output with sink {sink}"), &output, &expected_output)?;
            close(&format!("weights with sink {sink}"), &weights, &expected_weights)?;
        }
        Ok(())
    }));
}

#[test]
fn rows_with_a_sink_sum_to_what_the_sink_leaves() {
    quickcheck(Law(|c: &SinkCase| {
        let (output, weights) = attention_with_sink(&c.q, &c.k, &c.v, c.sink, c.mask.as_ref());
        finite("output", &output)?;
        finite("weights", &weights)?;
        masked_entries_are_zero("weights", &weights, c.mask.as_ref())?;
        let scores = &c.q * c.k.transpose() / (c.q.ncols() as f32).sqrt();
        for i in 0..weights.nrows() {
            let allowed: Vec<f64> = (0..weights.ncols())
                .filter(|&j| c.mask.as_ref().is_none_or(|m| m[(i, j)]))
                .map(|j| f64::from(scores[(i, j)]))
                .collect();
            // The keys' share 1 / (1 + exp(sink − lse)), from a log-sum-exp in f64.
            let max = allowed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + allowed.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
            let share = if allowed.is_empty() { 0.0 } else { 1.0 / (1.0 + (f64::from(c.sink) - lse).exp()) };
            let sum = weights.row(i).sum();
            if sum > 1.0 + 1e-6 || weights.row(i).iter().any(|&w| w < 0.0) || !within_tolerance(sum, share as f32) {
                return Err(Failure(format!(
                    "row {i} sums to {sum}; the sink leaves {share} (weights {})",
                    weights.row(i)
                )));
            }
            if allowed.is_empty() && output.row(i).iter().any(|&o| o != 0.0) {
                return Err(Failure(format!("row {i} is fully masked but its output is {}", output.row(i))));
            }
        }
        Ok(())
    }));
}

#[test]
fn a_sink_scales_each_row_of_sdpa_by_the_share_it_leaves() {
    quickcheck(Law(|c: &SinkCase| {
        let (output, weights) = attention_with_sink(&c.q, &c.k, &c.v, c.sink, c.mask.as_ref());
        let (plain_output, plain_weights) = scaled_dot_product_attention(&c.q, &c.k, &c.v, c.mask.as_ref());
        let share: Vec<f32> = weights.row_iter().map(|row| row.sum()).collect();
        let scale = |m: &Matrix| Matrix::from_fn(m.nrows(), m.ncols(), |i, j| share[i] * m[(i, j)]);
        close("weights", &weights, &scale(&plain_weights))?;
        close("output", &output, &scale(&plain_output))
    }));
}

#[test]
fn decoder_without_window_and_with_sinks_of_minus_infinity_is_decode_step() {
    quickcheck(Law(|d: &Decode| {
        // The decoder always rotates, so its heads need an even width.
        let d = &Decode { d_k: d.d_k + d.d_k % 2, ..d.clone() };
        let w = d.weights(d.num_kv_heads);
        let rope = d.rope.unwrap_or(Rope { base: 10_000.0, style: RopeStyle::HalfSplit });
        let layer =
            DecoderAttention { attn: w.clone(), sinks: vec![f32::NEG_INFINITY; w.num_heads], rope, window: None };
        let (mut cache, mut expected_cache) = (empty_cache(&w), empty_cache(&w));
        let mut start = 0;
        for (c, &s) in d.chunks.iter().enumerate() {
            let chunk = d.x.rows(start, s).into_owned();
            let actual = decoder_attention_step(&chunk, &mut cache, &layer);
            let expected = decode_step(&chunk, &mut expected_cache, &w, Some(&rope));
            same_multi_head(actual, expected).map_err(|Failure(why)| Failure(format!("chunk {c}: {why}")))?;
            start += s;
        }
        close("cached keys", &cache.keys, &expected_cache.keys)
    }));
}

#[test]
fn sinusoidal_pairs_lie_on_the_unit_circle() {
    quickcheck(Law(|c: &PositionPair| {
        let pe = sinusoidal_positions(c.p + c.k + 1, c.d_model);
        for p in 0..pe.nrows() {
            for i in 0..c.d_model / 2 {
                let length = pe[(p, 2 * i)].hypot(pe[(p, 2 * i + 1)]);
                if !within_tolerance(length, 1.0) {
                    return Err(Failure(format!("position {p}, pair {i}: length {length}, not 1")));
                }
            }
        }
        Ok(())
    }));
}

#[test]
fn sinusoidal_offset_by_k_rotates_every_pair_by_the_angle_of_position_k() {
    quickcheck(Law(|c: &PositionPair| {
        let pe = sinusoidal_positions(c.p + c.k + 1, c.d_model);
        // Pair i of PE(k) is (sin kω_i, cos kω_i): the rotation, read off without knowing ω_i.
        let rotated = Matrix::from_fn(1, c.d_model, |_, col| {
            let (pair, (sin_k, cos_k)) = (col - col % 2, (pe[(c.k, col - col % 2)], pe[(c.k, col - col % 2 + 1)]));
            let (sin_p, cos_p) = (pe[(c.p, pair)], pe[(c.p, pair + 1)]);
            // sin(a + b) = sin a·cos b + cos a·sin b;  cos(a + b) = cos a·cos b − sin a·sin b.
            if col % 2 == 0 { sin_p * cos_k + cos_p * sin_k } else { cos_p * cos_k - sin_p * sin_k }
        });
        close(&format!("PE({} + {})", c.p, c.k), &pe.rows(c.p + c.k, 1).into_owned(), &rotated)
    }));
}

#[test]
fn alibi_with_all_slopes_zero_is_causal_self_attention() {
    quickcheck(Law(|s: &Sequence| {
        let zero = vec![0.0; s.weights.num_heads];
        let expected = reference::multi_head_attention(&s.x, &s.x, &s.x, &s.weights, Some(&causal_mask(s.x.nrows())));
        same_multi_head(alibi_with_slopes(&s.x, &s.weights, &zero), expected)
    }));
}

#[test]
fn alibi_without_query_weights_decays_by_exp_of_minus_slope_per_token() {
    quickcheck(Law(|s: &Sequence| {
        // W_q = 0 and b_q = 0: every score is 0, and head h's row i is ∝ exp(−m_h·(i − j)), j ≤ i.
        let width = s.weights.q.out_features();
        let q = Linear::without_bias(Matrix::zeros(s.x.ncols(), width));
        let w = MultiHeadWeights { q, ..s.weights.clone() };
        let (_, heads) = reference::alibi_self_attention(&s.x, &w);
        let slopes = reference::alibi_slopes(w.num_heads);
        let l = s.x.nrows();
        let expected: Vec<Matrix> = slopes
            .iter()
            .map(|&m| {
                let m = f64::from(m);
                let total = |i: usize| (0..=i).map(|j| (-m * (i - j) as f64).exp()).sum::<f64>();
                Matrix::from_fn(l, l, |i, j| if j <= i { ((-m * (i - j) as f64).exp() / total(i)) as f32 } else { 0.0 })
            })
            .collect();
        close_each("head_weights", &heads, &expected)?;
        heads.iter().try_for_each(|w| masked_entries_are_zero("head_weights", w, Some(&causal_mask(l))))
    }));
}

#[test]
fn alibi_slopes_of_eight_and_of_six_heads() {
    let powers = |exponents: &[i32]| exponents.iter().map(|&e| 2f32.powi(-e)).collect::<Vec<f32>>();
    assert_eq!(reference::alibi_slopes(8), powers(&[1, 2, 3, 4, 5, 6, 7, 8]));
    // c = 4: 2^−2, 2^−4, 2^−6, 2^−8, then the first two of 8 heads' odd powers 2^−1, 2^−3.
    assert_eq!(reference::alibi_slopes(6), powers(&[2, 4, 6, 8, 1, 3]));
    assert_eq!(reference::alibi_slopes(1), powers(&[8]));
}

#[test]
fn alibi_slopes_follow_the_authors_rule_for_any_head_count() {
    quickcheck(Law(|n: &HeadCount| {
        let h = n.0;
        // c = the largest power of two ≤ H; heads past c take 2c heads' slopes at even indices,
        // 2^(−8(2t+1)/(2c)) for t = h − c.
        let c = (0..).map(|e| 1usize << e).take_while(|&p| p <= h).last().unwrap_or(1);
        let expected: Vec<f32> = (0..h)
            .map(|i| if i < c { -8.0 * (i + 1) as f64 / c as f64 } else { -4.0 * (2 * (i - c) + 1) as f64 / c as f64 })
            .map(|e| 2f64.powf(e) as f32)
            .collect();
        let slopes = reference::alibi_slopes(h);
        let as_column = |v: &[f32]| Matrix::from_column_slice(v.len(), 1, v);
        close(&format!("slopes of {h} heads"), &as_column(&slopes), &as_column(&expected))
    }));
}

#[test]
fn mla_any_split_into_decode_calls_is_one_call_on_an_empty_cache() {
    quickcheck(Law(|d: &LatentDecode| {
        let mut whole_cache = empty_mla_cache(&d.weights);
        let (whole, whole_heads) = mla_decode_step(&d.x, &mut whole_cache, &d.weights, &d.rope);
        let (outputs, heads, cache) = mla_in_chunks(d, mla_decode_step);
        calls_are_rows_of_one_call(&d.chunks, (&outputs, &heads), (&whole, &whole_heads))?;
        close("cached latent", &cache.latent, &whole_cache.latent)?;
        close("cached rope keys", &cache.rope_keys, &whole_cache.rope_keys)
    }));
}

#[test]
fn mla_absorbed_is_mla_naive() {
    quickcheck(Law(|d: &LatentDecode| {
        let (naive, naive_heads, naive_cache) = mla_in_chunks(d, mla_decode_step);
        let (absorbed, absorbed_heads, absorbed_cache) = mla_in_chunks(d, mla_decode_step_absorbed);
        for c in 0..d.chunks.len() {
            close_to_scale(&format!("outputs[{c}]"), &absorbed[c], &naive[c])?;
            close_each(&format!("head_weights[{c}]"), &absorbed_heads[c], &naive_heads[c])?;
        }
        close("cached latent", &absorbed_cache.latent, &naive_cache.latent)?;
        close("cached rope keys", &absorbed_cache.rope_keys, &naive_cache.rope_keys)
    }));
}

#[test]
fn linear_attention_is_its_explicit_weights_form() {
    quickcheck(Law(|c: &LinearCase| {
        // φ = elu + 1 and the (l_q × l_k) weights, written out here in f64.
        let phi = |x: f32| if x > 0.0 { f64::from(x) + 1.0 } else { f64::from(x).exp() };
        let (l_q, l_k) = (c.q.nrows(), c.k.nrows());
        let allowed = |i: usize, j: usize| !c.causal || j + l_q <= i + l_k;
        let weight = |i: usize, j: usize| {
            let dot: f64 = (0..c.q.ncols()).map(|t| phi(c.q[(i, t)]) * phi(c.k[(j, t)])).sum();
            if allowed(i, j) { dot } else { 0.0 }
        };
        let expected = Matrix::from_fn(l_q, c.v.ncols(), |i, col| {
            let total: f64 = (0..l_k).map(|j| weight(i, j)).sum();
            let weighted: f64 = (0..l_k).map(|j| weight(i, j) * f64::from(c.v[(j, col)])).sum();
            (weighted / (total + 1e-6)) as f32
        });
        close_to_scale("output", &reference::linear_attention(&c.q, &c.k, &c.v, c.causal), &expected)
    }));
}

#[test]
fn the_last_causal_linear_attention_row_is_non_causal_attention_of_that_query() {
    quickcheck(Law(|c: &LinearCase| {
        // The last query sits at l_k − 1 and sees every key.
        let l_q = c.q.nrows().min(c.k.nrows());
        let q = c.q.rows(0, l_q).into_owned();
        let causal = reference::linear_attention(&q, &c.k, &c.v, true);
        let last = q.rows(l_q - 1, 1).into_owned();
        let expected = reference::linear_attention(&last, &c.k, &c.v, false);
        close("last causal row", &causal.rows(l_q - 1, 1).into_owned(), &expected)
    }));
}

#[test]
fn non_causal_linear_attention_ignores_the_order_of_the_keys() {
    quickcheck(Law(|(c, seed): &(LinearCase, u64)| {
        let mut order: Vec<usize> = (0..c.k.nrows()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(*seed));
        let shuffled = reference::linear_attention(&c.q, &c.k.select_rows(&order), &c.v.select_rows(&order), false);
        close("output with shuffled keys", &shuffled, &reference::linear_attention(&c.q, &c.k, &c.v, false))
    }));
}

#[test]
fn differential_attention_with_lambda_zero_is_scaled_rms_norm_of_the_first_map() {
    quickcheck(Law(|c: &DifferentialCase| {
        // exp(0) − exp(ln(1 + λ_init)) + λ_init = 0: the second map drops out.
        let mut w = c.weights.clone();
        let d = w.lambda_q1.len();
        w.lambda_q1 = RowVector::zeros(d);
        w.lambda_q2 = RowVector::from_fn(d, |_, t| if t == 0 { (1.0 + w.lambda_init).ln() } else { 0.0 });
        w.lambda_k2 = RowVector::from_fn(d, |_, t| if t == 0 { 1.0 } else { 0.0 });
        let (h, a) = (w.attn.num_heads, &w.attn);
        let (q, k, v) = (a.q.forward(&c.x), a.k.forward(&c.x), a.v.forward(&c.x));
        let d_v = v.ncols() / h;
        let mut concat = Matrix::zeros(c.x.nrows(), h * d_v);
        let mut expected_maps = Vec::new();
        for i in 0..h {
            // Head i's first map: its first d query and key columns, its d_v value columns.
            let (q1, k1) = (q.columns(2 * i * d, d).into_owned(), k.columns(2 * i * d, d).into_owned());
            let (out, weights) = sdpa_f64(&q1, &k1, &v.columns(i * d_v, d_v).into_owned(), c.mask.as_ref());
            // RMSNorm with ε = 1e-5 and the gain, then × (1 − λ_init).
            let normed = Matrix::from_fn(out.nrows(), d_v, |r, col| {
                let rms = (out.row(r).norm_squared() / d_v as f32 + 1e-5).sqrt();
                out[(r, col)] / rms * w.norm[col] * (1.0 - w.lambda_init)
            });
            concat.columns_mut(i * d_v, d_v).copy_from(&normed);
            expected_maps.push(weights);
        }
        let (output, maps) = differential_attention(&c.x, &w, c.mask.as_ref());
        close_each("maps", &maps, &expected_maps)?;
        close_to_scale("output", &output, &a.o.forward(&concat))
    }));
}

// ---------------------------------------------------------------------------
// Running a law
// ---------------------------------------------------------------------------

/// A law that must hold for every case of type `A`; `quickcheck(Law(law))`
/// checks it on 100 random cases (`QUICKCHECK_TESTS` sets another count).
///
/// quickcheck's own runner for functions prints a failing case only once a
/// shrunk copy of it fails too, and these generators do not shrink, so this
/// one puts the case into the failure message itself.
struct Law<A>(fn(&A) -> Check);

impl<A: Arbitrary + Debug> Testable for Law<A> {
    fn result(&self, g: &mut Gen) -> TestResult {
        let case = A::arbitrary(g);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| (self.0)(&case)));
        let why = match outcome {
            Ok(Ok(())) => return TestResult::passed(),
            Ok(Err(Failure(why))) => why,
            Err(_) => "the law panicked (message above)".to_string(),
        };
        TestResult::error(format!("{why}\nfailing case: {case:?}"))
    }
}

// ---------------------------------------------------------------------------
// Checks shared by several laws
// ---------------------------------------------------------------------------

/// Checks that every entry of `m` is finite (no NaN, no ±inf).
fn finite(what: &str, m: &Matrix) -> Check {
    match m.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => {
            let (row, col) = position_of(index, m.nrows());
            Err(Failure(format!("{what}[{row}, {col}] is {}", m[index])))
        }
    }
}

/// Checks that each row of `weights` sums to 1 where the mask allows a key,
/// and is all zero where it allows none.
fn rows_sum_to_one_or_are_all_zero(weights: &Matrix, mask: &Mask) -> Check {
    for (i, row) in weights.row_iter().enumerate() {
        let attends = mask.row(i).iter().any(|&allowed| allowed);
        let sum = row.sum();
        if attends && !within_tolerance(sum, 1.0) {
            return Err(Failure(format!("row {i} of the weights sums to {sum}, not 1")));
        }
        if !attends && row.iter().any(|&w| w != 0.0) {
            return Err(Failure(format!("row {i} is fully masked but its weights are {row}")));
        }
    }
    Ok(())
}

/// Checks that two multi-head results (output, per-head weights) agree.
fn same_multi_head(actual: (Matrix, Vec<Matrix>), expected: (Matrix, Vec<Matrix>)) -> Check {
    close("output", &actual.0, &expected.0)?;
    close_each("head_weights", &actual.1, &expected.1)
}

/// Multi-head attention written out head by head from its definition: column
/// block h of each projection, one SDPA per head, the outputs concatenated in
/// head order, then `w.o`. It shares no code with the reference's head split.
fn head_by_head(query: &Matrix, memory: &Matrix, w: &MultiHeadWeights, mask: Option<&Mask>) -> (Matrix, Vec<Matrix>) {
    let (q, k, v) = (w.q.forward(query), w.k.forward(memory), w.v.forward(memory));
    let d_k = q.ncols() / w.num_heads;
    let mut concatenated = Matrix::zeros(query.nrows(), v.ncols());
    let mut weights = Vec::new();
    for h in 0..w.num_heads {
        let block = |m: &Matrix| m.columns(h * d_k, d_k).into_owned();
        let (attended, p) = scaled_dot_product_attention(&block(&q), &block(&k), &block(&v), mask);
        concatenated.columns_mut(h * d_k, d_k).copy_from(&attended);
        weights.push(p);
    }
    (w.o.forward(&concatenated), weights)
}

/// [`close`] with the absolute part of the tolerance scaled by
/// `max(1, max|expected|)`: a gradient entry is a sum of products, and its f32
/// round-off follows the size of the whole matrix, not of that entry.
fn close_to_scale(what: &str, actual: &Matrix, expected: &Matrix) -> Check {
    let scale = expected.amax().max(1.0);
    close(&format!("{what} (divided by {scale})"), &(actual / scale), &(expected / scale))
}

/// Step of the central differences; in f64 its truncation error (~h²) and
/// round-off (~1e-16 / h) are both far below f32 round-off.
const FINITE_DIFFERENCE_STEP: f64 = 1e-5;

/// ∂L/∂q, ∂L/∂k, ∂L/∂v of `L = Σ output ⊙ d_out` by central differences of
/// [`attention_loss_f64`], one entry at a time.
fn finite_difference_gradients(b: &Backward) -> (Matrix, Matrix, Matrix) {
    let wide = |m: &Matrix| m.map(f64::from);
    let (q, k, v, d_out) = (wide(&b.q), wide(&b.k), wide(&b.v), wide(&b.d_out));
    let loss =
        |q: &DMatrix<f64>, k: &DMatrix<f64>, v: &DMatrix<f64>| attention_loss_f64(q, k, v, b.mask.as_ref(), &d_out);
    let gradient = |x: &DMatrix<f64>, loss_at: &dyn Fn(&DMatrix<f64>) -> f64| {
        Matrix::from_fn(x.nrows(), x.ncols(), |r, c| {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus[(r, c)] += FINITE_DIFFERENCE_STEP;
            minus[(r, c)] -= FINITE_DIFFERENCE_STEP;
            ((loss_at(&plus) - loss_at(&minus)) / (2.0 * FINITE_DIFFERENCE_STEP)) as f32
        })
    };
    (gradient(&q, &|x| loss(x, &k, &v)), gradient(&k, &|x| loss(&q, x, &v)), gradient(&v, &|x| loss(&q, &k, x)))
}

/// `Σ output ⊙ d_out` for one-head attention, written here with loops in
/// f64 and nothing from the library: a masked key is left out of its row's
/// softmax, and a row with no allowed key has output 0.
fn attention_loss_f64(
    q: &DMatrix<f64>,
    k: &DMatrix<f64>,
    v: &DMatrix<f64>,
    mask: Option<&Mask>,
    d_out: &DMatrix<f64>,
) -> f64 {
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut loss = 0.0;
    for i in 0..q.nrows() {
        let keys: Vec<usize> = (0..k.nrows()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let scores: Vec<f64> = keys.iter().map(|&j| q.row(i).dot(&k.row(j)) * scale).collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let total: f64 = exps.iter().sum();
        for (&j, e) in keys.iter().zip(&exps) {
            loss += e / total * v.row(j).dot(&d_out.row(i));
        }
    }
    loss
}

/// Checks that the calls of a split decode (chunk sizes `chunks`) return
/// the rows of one call on the whole sequence: call c's output is its rows
/// of the whole output, and its weights the same rows over the keys seen so far.
fn calls_are_rows_of_one_call(
    chunks: &[usize],
    (outputs, heads): (&[Matrix], &[Vec<Matrix>]),
    (whole, whole_heads): (&Matrix, &[Matrix]),
) -> Check {
    let mut start = 0;
    for (c, &s) in chunks.iter().enumerate() {
        close(&format!("outputs[{c}]"), &outputs[c], &whole.rows(start, s).into_owned())?;
        let expected: Vec<Matrix> =
            whole_heads.iter().map(|m| m.view((start, 0), (s, start + s)).into_owned()).collect();
        close_each(&format!("head_weights[{c}]"), &heads[c], &expected)?;
        start += s;
    }
    Ok(())
}

/// Checks a batched multi-head result against the per-element results.
fn same_batch(batched: (Vec<Matrix>, Vec<Vec<Matrix>>), each: Vec<(Matrix, Vec<Matrix>)>) -> Check {
    let (outputs, heads) = batched;
    if outputs.len() != each.len() || heads.len() != each.len() {
        return Err(Failure(format!(
            "batch of {} gave {} outputs and {} weights",
            each.len(),
            outputs.len(),
            heads.len()
        )));
    }
    let mut elements = outputs.into_iter().zip(heads).zip(each).enumerate();
    elements.try_for_each(|(n, ((output, heads), (expected_output, expected_heads)))| {
        close(&format!("outputs[{n}]"), &output, &expected_output)?;
        close_each(&format!("weights[{n}]"), &heads, &expected_heads)
    })
}

/// Checks that two masks are equal entry for entry.
fn same_mask(actual: &Mask, expected: &Mask) -> Check {
    if actual == expected { Ok(()) } else { Err(Failure(format!("mask\n{actual}differs from\n{expected}"))) }
}

/// Feeds `d.x` to [`decode_step`] chunk by chunk from an empty cache: each
/// call's output and head weights, and the cache at the end.
fn decode_in_chunks(d: &Decode, w: &GroupedQueryWeights) -> (Vec<Matrix>, Vec<Vec<Matrix>>, KvCache) {
    let mut cache = empty_cache(w);
    let mut start = 0;
    let (mut outputs, mut heads) = (Vec::new(), Vec::new());
    for &s in &d.chunks {
        let (output, weights) = decode_step(&d.x.rows(start, s).into_owned(), &mut cache, w, d.rope.as_ref());
        outputs.push(output);
        heads.push(weights);
        start += s;
    }
    (outputs, heads, cache)
}

/// The signature both MLA forms share.
type MlaStep = fn(&Matrix, &mut MlaCache, &MlaWeights, &Rope) -> (Matrix, Vec<Matrix>);

/// Feeds `d.x` to an MLA decode step chunk by chunk from an empty cache: each
/// call's output and head weights, and the cache at the end.
fn mla_in_chunks(d: &LatentDecode, step: MlaStep) -> (Vec<Matrix>, Vec<Vec<Matrix>>, MlaCache) {
    let mut cache = empty_mla_cache(&d.weights);
    let mut start = 0;
    let (mut outputs, mut heads) = (Vec::new(), Vec::new());
    for &s in &d.chunks {
        let (output, weights) = step(&d.x.rows(start, s).into_owned(), &mut cache, &d.weights, &d.rope);
        outputs.push(output);
        heads.push(weights);
        start += s;
    }
    (outputs, heads, cache)
}

/// One-head softmax attention written here in f64 loops, nothing from the
/// library: scores q·kᵀ/sqrt(d_k), a masked key left out, a row with no
/// allowed key all zero. Returns (output, weights).
fn sdpa_f64(q: &Matrix, k: &Matrix, v: &Matrix, mask: Option<&Mask>) -> (Matrix, Matrix) {
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut weights = Matrix::zeros(q.nrows(), k.nrows());
    for i in 0..q.nrows() {
        let keys: Vec<usize> = (0..k.nrows()).filter(|&j| mask.is_none_or(|m| m[(i, j)])).collect();
        let score = |j: usize| (0..q.ncols()).map(|t| f64::from(q[(i, t)]) * f64::from(k[(j, t)])).sum::<f64>() * scale;
        let max = keys.iter().map(|&j| score(j)).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = keys.iter().map(|&j| (score(j) - max).exp()).sum();
        for &j in &keys {
            weights[(i, j)] = ((score(j) - max).exp() / total) as f32;
        }
    }
    let output = &weights * v;
    (output, weights)
}

/// A projection whose H column blocks are all copies of `one_head`'s columns
/// (and its bias likewise): (in × d) -> (in × H·d).
fn repeat_heads(one_head: &Linear, times: usize) -> Linear {
    let (rows, d) = one_head.weight.shape();
    let weight = Matrix::from_fn(rows, times * d, |r, c| one_head.weight[(r, c % d)]);
    let bias = RowVector::from_fn(times * d, |_, c| one_head.bias[c % d]);
    Linear::new(weight, bias)
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Sequence lengths the generators draw from.
const LENGTHS: RangeInclusive<usize> = 1..=5;
/// Head counts the generators draw from.
const HEADS: RangeInclusive<usize> = 1..=3;
/// Per-head widths d_k the generators draw from.
const HEAD_WIDTHS: RangeInclusive<usize> = 1..=3;
/// Model widths D for grouped-query attention, where D need not be H·d_k.
const MODEL_WIDTHS: RangeInclusive<usize> = 1..=6;
/// Input magnitudes: entries are uniform in ±scale (weights are scaled by 1/sqrt(in)).
const INPUT_SCALES: [f32; 3] = [0.5, 1.0, 4.0];
/// Score magnitudes for the softmax laws; 1e4 is far past exp's overflow at about 88.
const SCORE_SCALES: [f32; 3] = [1.0, 30.0, 1e4];

/// A number in `range` (quickcheck's own integers span their whole type).
fn pick(g: &mut Gen, range: RangeInclusive<usize>) -> usize {
    range.start() + usize::arbitrary(g) % (range.end() - range.start() + 1)
}

/// One of `choices`.
fn pick_from<T: Copy>(g: &mut Gen, choices: &[T]) -> T {
    *g.choose(choices).expect("choices are not empty")
}

/// Where the matrices of one case come from: a seeded sampler and an input magnitude.
struct Source {
    sampler: Sampler,
    scale: f32,
}

impl Source {
    /// A source with a random seed and a random magnitude from `scales`.
    fn new(g: &mut Gen, scales: &[f32]) -> Self {
        Source { sampler: Sampler::new(u64::arbitrary(g)), scale: pick_from(g, scales) }
    }

    /// A (rows × cols) matrix with entries in ±scale.
    fn matrix(&mut self, rows: usize, cols: usize) -> Matrix {
        self.sampler.matrix(rows, cols) * self.scale
    }

    /// A random mask (about 30% of entries masked, so short rows are often
    /// fully masked).
    fn mask(&mut self, rows: usize, cols: usize) -> Mask {
        self.sampler.mask(rows, cols, 0.7)
    }

    /// No mask half of the time, otherwise a random one.
    fn maybe_mask(&mut self, g: &mut Gen, rows: usize, cols: usize) -> Option<Mask> {
        bool::arbitrary(g).then(|| self.mask(rows, cols))
    }
}

/// A score matrix (l_q × l_k) and a mask for it.
#[derive(Clone, Debug)]
struct Scores {
    scores: Matrix,
    mask: Mask,
}

impl Scores {
    /// Scores of magnitude up to one of `scales`.
    fn generate(g: &mut Gen, scales: &[f32]) -> Self {
        let (l_q, l_k) = (pick(g, LENGTHS), pick(g, LENGTHS));
        let mut source = Source::new(g, scales);
        Scores { scores: source.matrix(l_q, l_k), mask: source.mask(l_q, l_k) }
    }
}

impl Arbitrary for Scores {
    fn arbitrary(g: &mut Gen) -> Self {
        Scores::generate(g, &SCORE_SCALES)
    }
}

/// Scores of magnitude up to 1e4.
#[derive(Clone, Debug)]
struct HugeScores(Scores);

impl Arbitrary for HugeScores {
    fn arbitrary(g: &mut Gen) -> Self {
        HugeScores(Scores::generate(g, &[1e4]))
    }
}

/// A multi-head attention problem: queries (l_q × D), keys and values
/// (l_k × D), weights with H heads of width d_k (D = H·d_k), maybe a mask.
#[derive(Clone, Debug)]
struct Attention {
    query: Matrix,
    key: Matrix,
    value: Matrix,
    mask: Option<Mask>,
    weights: MultiHeadWeights,
}

impl Arbitrary for Attention {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l_q, l_k, heads) = (pick(g, LENGTHS), pick(g, LENGTHS), pick(g, HEADS));
        let d_model = heads * pick(g, HEAD_WIDTHS);
        let mut source = Source::new(g, &INPUT_SCALES);
        Attention {
            query: source.matrix(l_q, d_model),
            key: source.matrix(l_k, d_model),
            value: source.matrix(l_k, d_model),
            mask: source.maybe_mask(g, l_q, l_k),
            weights: source.sampler.multi_head_weights(d_model, heads),
        }
    }
}

/// A self-attention problem: one sequence x (l × D), weights, maybe a mask (l × l).
#[derive(Clone, Debug)]
struct Sequence {
    x: Matrix,
    mask: Option<Mask>,
    weights: MultiHeadWeights,
}

impl Arbitrary for Sequence {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l, heads) = (pick(g, LENGTHS), pick(g, HEADS));
        let d_model = heads * pick(g, HEAD_WIDTHS);
        let mut source = Source::new(g, &INPUT_SCALES);
        Sequence {
            x: source.matrix(l, d_model),
            mask: source.maybe_mask(g, l, l),
            weights: source.sampler.multi_head_weights(d_model, heads),
        }
    }
}

/// A sequence and an order to shuffle its rows into.
#[derive(Clone, Debug)]
struct Permuted {
    sequence: Sequence,
    order: Vec<usize>,
}

impl Arbitrary for Permuted {
    fn arbitrary(g: &mut Gen) -> Self {
        let sequence = Sequence::arbitrary(g);
        let mut order: Vec<usize> = (0..sequence.x.nrows()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(u64::arbitrary(g)));
        Permuted { sequence, order }
    }
}

/// A grouped-query problem: inputs of width D (not necessarily H·d_k), H query
/// heads of width d_k, and a seed for weights with any number G of KV heads.
#[derive(Clone, Debug)]
struct GroupedQuery {
    query: Matrix,
    key: Matrix,
    value: Matrix,
    mask: Option<Mask>,
    num_heads: usize,
    d_k: usize,
    weight_seed: u64,
}

impl GroupedQuery {
    /// Weights with G = `num_kv_heads` key/value heads.
    fn weights(&self, num_kv_heads: usize) -> GroupedQueryWeights {
        let d_model = self.query.ncols();
        Sampler::new(self.weight_seed).grouped_query_weights(d_model, self.num_heads, num_kv_heads, self.d_k)
    }
}

impl Arbitrary for GroupedQuery {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l_q, l_k, d_model) = (pick(g, LENGTHS), pick(g, LENGTHS), pick(g, MODEL_WIDTHS));
        let (num_heads, d_k) = (pick(g, HEADS), pick(g, HEAD_WIDTHS));
        let mut source = Source::new(g, &INPUT_SCALES);
        GroupedQuery {
            query: source.matrix(l_q, d_model),
            key: source.matrix(l_k, d_model),
            value: source.matrix(l_k, d_model),
            mask: source.maybe_mask(g, l_q, l_k),
            num_heads,
            d_k,
            weight_seed: u64::arbitrary(g),
        }
    }
}

/// A batch of N (0–3) problems of the same shape: queries, keys, values all
/// (l × D), one mask (l × l) or none, one set of weights.
#[derive(Clone, Debug)]
struct Batch {
    queries: Vec<Matrix>,
    keys: Vec<Matrix>,
    values: Vec<Matrix>,
    mask: Option<Mask>,
    weights: MultiHeadWeights,
}

impl Batch {
    /// `f` applied to each batch element (query, key, value).
    fn map<T>(&self, f: impl Fn(&Matrix, &Matrix, &Matrix) -> T) -> Vec<T> {
        self.queries.iter().zip(&self.keys).zip(&self.values).map(|((q, k), v)| f(q, k, v)).collect()
    }
}

impl Arbitrary for Batch {
    fn arbitrary(g: &mut Gen) -> Self {
        let (n, l, heads) = (pick(g, 0..=3), pick(g, LENGTHS), pick(g, HEADS));
        let d_model = heads * pick(g, HEAD_WIDTHS);
        let mut source = Source::new(g, &INPUT_SCALES);
        let batch = |source: &mut Source| (0..n).map(|_| source.matrix(l, d_model)).collect();
        Batch {
            queries: batch(&mut source),
            keys: batch(&mut source),
            values: batch(&mut source),
            mask: source.maybe_mask(g, l, l),
            weights: source.sampler.multi_head_weights(d_model, heads),
        }
    }
}

/// Even per-head widths for RoPE.
const ROPE_HEAD_WIDTHS: [usize; 4] = [2, 4, 6, 8];
/// RoPE bases: 1 turns every pair by 1 rad per position; the others are real models'.
const ROPE_BASES: [f32; 4] = [1.0, 100.0, 10_000.0, 500_000.0];
/// The largest position drawn: θ_0 = 1, so angles stay below the SPEC's ~50 rad.
const MAX_POSITION: usize = 40;
/// Sink logits, from "takes nothing" to "takes everything".
const SINKS: [f32; 7] = [-1e3, -3.0, -0.5, 0.0, 1.0, 4.0, 1e3];

/// A random RoPE setting.
fn rope_setting(g: &mut Gen) -> Rope {
    let style = if bool::arbitrary(g) { RopeStyle::Interleaved } else { RopeStyle::HalfSplit };
    Rope { base: pick_from(g, &ROPE_BASES), style }
}

/// Rows to rotate: x (l × n·head_dim), one position per row (any order, repeats allowed).
#[derive(Clone, Debug)]
struct Rotary {
    x: Matrix,
    positions: Vec<usize>,
    head_dim: usize,
    rope: Rope,
}

impl Arbitrary for Rotary {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l, heads, head_dim) = (pick(g, LENGTHS), pick(g, HEADS), pick_from(g, &ROPE_HEAD_WIDTHS));
        let positions = (0..l).map(|_| pick(g, 0..=MAX_POSITION)).collect();
        let mut source = Source::new(g, &INPUT_SCALES);
        Rotary { x: source.matrix(l, heads * head_dim), positions, head_dim, rope: rope_setting(g) }
    }
}

/// One query row and one key row (1 × n·head_dim), their positions m and n,
/// and a shift applied to both.
#[derive(Clone, Debug)]
struct RotaryPair {
    q: Matrix,
    k: Matrix,
    m: usize,
    n: usize,
    shift: usize,
    head_dim: usize,
    rope: Rope,
}

impl Arbitrary for RotaryPair {
    fn arbitrary(g: &mut Gen) -> Self {
        let (heads, head_dim) = (pick(g, HEADS), pick_from(g, &ROPE_HEAD_WIDTHS));
        let (m, n, shift) =
            (pick(g, 0..=MAX_POSITION / 2), pick(g, 0..=MAX_POSITION / 2), pick(g, 0..=MAX_POSITION / 2));
        let mut source = Source::new(g, &INPUT_SCALES);
        let (q, k) = (source.matrix(1, heads * head_dim), source.matrix(1, heads * head_dim));
        RotaryPair { q, k, m, n, shift, head_dim, rope: rope_setting(g) }
    }
}

/// A sequence x (L × D) to decode in `chunks` (sizes summing to L), with H
/// query heads of width d_k (even when there is RoPE), G dividing H, and a
/// seed for weights with any G.
#[derive(Clone, Debug)]
struct Decode {
    x: Matrix,
    chunks: Vec<usize>,
    num_heads: usize,
    num_kv_heads: usize,
    d_k: usize,
    rope: Option<Rope>,
    weight_seed: u64,
}

impl Decode {
    /// Weights with G = `num_kv_heads` key/value heads.
    fn weights(&self, num_kv_heads: usize) -> GroupedQueryWeights {
        let d_model = self.x.ncols();
        Sampler::new(self.weight_seed).grouped_query_weights(d_model, self.num_heads, num_kv_heads, self.d_k)
    }
}

impl Arbitrary for Decode {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l, d_model, num_heads) = (pick(g, 1..=6), pick(g, MODEL_WIDTHS), pick(g, 1..=4));
        let divisors: Vec<usize> = (1..=num_heads).filter(|k| num_heads.is_multiple_of(*k)).collect();
        let rope = bool::arbitrary(g).then(|| rope_setting(g));
        let d_k = if rope.is_some() { pick_from(g, &[2, 4]) } else { pick(g, HEAD_WIDTHS) };
        let mut chunks = Vec::new();
        while chunks.iter().sum::<usize>() < l {
            chunks.push(pick(g, 1..=l - chunks.iter().sum::<usize>()));
        }
        let mut source = Source::new(g, &INPUT_SCALES);
        Decode {
            x: source.matrix(l, d_model),
            chunks,
            num_heads,
            num_kv_heads: pick_from(g, &divisors),
            d_k,
            rope,
            weight_seed: u64::arbitrary(g),
        }
    }
}

/// Sizes of a windowed mask: len_q ≤ len_k, window ≥ 1, and a number of sinks.
#[derive(Clone, Debug)]
struct WindowSizes {
    len_q: usize,
    len_k: usize,
    window: usize,
    n_sink: usize,
}

impl Arbitrary for WindowSizes {
    fn arbitrary(g: &mut Gen) -> Self {
        let len_k = pick(g, 1..=8);
        WindowSizes { len_q: pick(g, 1..=len_k), len_k, window: pick(g, 1..=10), n_sink: pick(g, 0..=3) }
    }
}

/// One head with a sink: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v), maybe a mask.
#[derive(Clone, Debug)]
struct SinkCase {
    q: Matrix,
    k: Matrix,
    v: Matrix,
    mask: Option<Mask>,
    sink: f32,
}

impl Arbitrary for SinkCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l_q, l_k, d_k, d_v) = (pick(g, LENGTHS), pick(g, LENGTHS), pick(g, HEAD_WIDTHS), pick(g, HEAD_WIDTHS));
        let mut source = Source::new(g, &INPUT_SCALES);
        SinkCase {
            q: source.matrix(l_q, d_k),
            k: source.matrix(l_k, d_k),
            v: source.matrix(l_k, d_v),
            mask: source.maybe_mask(g, l_q, l_k),
            sink: pick_from(g, &SINKS),
        }
    }
}

/// Lengths for the flash laws: up to 7, so that blocks of 2–6 rarely divide them.
const TILED_LENGTHS: RangeInclusive<usize> = 1..=7;

/// One-head attention for the flash laws: q (l_q × d_k), k (l_k × d_k),
/// v (l_k × d_v), an upstream gradient d_out (l_q × d_v), and whether it is
/// (aligned) causal, in which case l_q ≤ l_k, often l_q < l_k.
#[derive(Clone, Debug)]
struct Tiled {
    q: Matrix,
    k: Matrix,
    v: Matrix,
    d_out: Matrix,
    causal: bool,
}

impl Tiled {
    /// The mask SDPA needs to compute the same thing: aligned causal or none.
    fn mask(&self) -> Option<Mask> {
        self.causal.then(|| reference::aligned_causal_mask(self.q.nrows(), self.k.nrows()))
    }

    /// Every (block_q, block_k) from 1 to one past the lengths: size 1, sizes
    /// that do not divide the lengths, and sizes larger than them.
    fn block_pairs(&self) -> impl Iterator<Item = (usize, usize)> {
        let (l_q, l_k) = (self.q.nrows(), self.k.nrows());
        (1..=l_q + 1).flat_map(move |block_q| (1..=l_k + 1).map(move |block_k| (block_q, block_k)))
    }
}

impl Arbitrary for Tiled {
    fn arbitrary(g: &mut Gen) -> Self {
        let causal = bool::arbitrary(g);
        let l_k = pick(g, TILED_LENGTHS);
        let l_q = if causal { pick(g, 1..=l_k) } else { pick(g, TILED_LENGTHS) };
        let (d_k, d_v) = (pick(g, HEAD_WIDTHS), pick(g, HEAD_WIDTHS));
        let mut source = Source::new(g, &INPUT_SCALES);
        Tiled {
            q: source.matrix(l_q, d_k),
            k: source.matrix(l_k, d_k),
            v: source.matrix(l_k, d_v),
            d_out: source.matrix(l_q, d_v),
            causal,
        }
    }
}

/// One-head attention for the backward law: q (l_q × d_k), k (l_k × d_k),
/// v (l_k × d_v), maybe a random mask (often with fully masked rows), d_out (l_q × d_v).
#[derive(Clone, Debug)]
struct Backward {
    q: Matrix,
    k: Matrix,
    v: Matrix,
    mask: Option<Mask>,
    d_out: Matrix,
}

impl Arbitrary for Backward {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l_q, l_k) = (pick(g, LENGTHS), pick(g, LENGTHS));
        let (d_k, d_v) = (pick(g, HEAD_WIDTHS), pick(g, HEAD_WIDTHS));
        let mut source = Source::new(g, &INPUT_SCALES);
        Backward {
            q: source.matrix(l_q, d_k),
            k: source.matrix(l_k, d_k),
            v: source.matrix(l_k, d_v),
            mask: source.maybe_mask(g, l_q, l_k),
            d_out: source.matrix(l_q, d_v),
        }
    }
}

/// A position p, an offset k and an even model width for the sinusoidal laws
/// (p + k ≤ 40, so angles stay below the SPEC's ~50 rad).
#[derive(Clone, Debug)]
struct PositionPair {
    p: usize,
    k: usize,
    d_model: usize,
}

impl Arbitrary for PositionPair {
    fn arbitrary(g: &mut Gen) -> Self {
        let p = pick(g, 0..=MAX_POSITION / 2);
        PositionPair { p, k: pick(g, 0..=MAX_POSITION / 2), d_model: 2 * pick(g, 1..=8) }
    }
}

/// A head count for the ALiBi slope rule, 1–64.
#[derive(Clone, Debug)]
struct HeadCount(usize);

impl Arbitrary for HeadCount {
    fn arbitrary(g: &mut Gen) -> Self {
        HeadCount(pick(g, 1..=64))
    }
}

/// A sequence x (L × D) to decode with multi-head latent attention in
/// `chunks`: H heads, latent width d_c, content d_n, rotary d_r (even) and
/// value d_v per head.
#[derive(Clone, Debug)]
struct LatentDecode {
    x: Matrix,
    chunks: Vec<usize>,
    weights: MlaWeights,
    rope: Rope,
}

impl Arbitrary for LatentDecode {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l, d_model, h) = (pick(g, 1..=6), pick(g, MODEL_WIDTHS), pick(g, 1..=3));
        let (d_c, d_n, d_r, d_v) = (pick(g, 1..=5), pick(g, 1..=3), pick_from(g, &[2, 4]), pick(g, 1..=3));
        let mut chunks = Vec::new();
        while chunks.iter().sum::<usize>() < l {
            chunks.push(pick(g, 1..=l - chunks.iter().sum::<usize>()));
        }
        let rope = rope_setting(g);
        let mut source = Source::new(g, &INPUT_SCALES);
        let x = source.matrix(l, d_model);
        let s = &mut source.sampler;
        let weights = MlaWeights {
            q: s.linear(d_model, h * (d_n + d_r)),
            kv_down: s.linear(d_model, d_c + d_r),
            kv_norm: s.row(d_c).map(|g| 1.0 + 0.5 * g),
            k_up: s.matrix(d_c, h * d_n),
            v_up: s.matrix(d_c, h * d_v),
            o: s.linear(h * d_v, d_model),
            num_heads: h,
            rope_dim: d_r,
        };
        LatentDecode { x, chunks, weights, rope }
    }
}

/// Scales for linear attention's inputs: 20 puts some φ(x) = exp(x) far below 1.
const LINEAR_SCALES: [f32; 4] = [0.5, 1.0, 4.0, 20.0];

/// One head of linear attention: q (l_q × d_k), k (l_k × d_k), v (l_k × d_v),
/// and whether it is causal (then l_q ≤ l_k).
#[derive(Clone, Debug)]
struct LinearCase {
    q: Matrix,
    k: Matrix,
    v: Matrix,
    causal: bool,
}

impl Arbitrary for LinearCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let causal = bool::arbitrary(g);
        let l_k = pick(g, LENGTHS);
        let l_q = if causal { pick(g, 1..=l_k) } else { pick(g, LENGTHS) };
        let (d_k, d_v) = (pick(g, HEAD_WIDTHS), pick(g, HEAD_WIDTHS));
        let mut source = Source::new(g, &LINEAR_SCALES);
        LinearCase { q: source.matrix(l_q, d_k), k: source.matrix(l_k, d_k), v: source.matrix(l_k, d_v), causal }
    }
}

/// Differential self-attention: x (l × D), H heads with query/key halves of
/// width d and values of width d_v, random λ vectors and λ_init, maybe a mask.
#[derive(Clone, Debug)]
struct DifferentialCase {
    x: Matrix,
    mask: Option<Mask>,
    weights: DifferentialWeights,
}

impl Arbitrary for DifferentialCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let (l, d_model, h) = (pick(g, LENGTHS), pick(g, MODEL_WIDTHS), pick(g, HEADS));
        let (d, d_v) = (pick(g, HEAD_WIDTHS), pick(g, HEAD_WIDTHS));
        let lambda_init = DifferentialWeights::lambda_init_at(pick(g, 0..=11));
        let mut source = Source::new(g, &INPUT_SCALES);
        let (x, mask) = (source.matrix(l, d_model), source.maybe_mask(g, l, l));
        let s = &mut source.sampler;
        let attn = MultiHeadWeights {
            q: s.linear(d_model, h * 2 * d),
            k: s.linear(d_model, h * 2 * d),
            v: s.linear(d_model, h * d_v),
            o: s.linear(h * d_v, d_model),
            num_heads: h,
        };
        let mut lambda = || s.row(d) * 0.3;
        let (lambda_q1, lambda_k1, lambda_q2, lambda_k2) = (lambda(), lambda(), lambda(), lambda());
        let norm = s.row(d_v).map(|g| 1.0 + 0.5 * g);
        let weights = DifferentialWeights { attn, lambda_q1, lambda_k1, lambda_q2, lambda_k2, lambda_init, norm };
        DifferentialCase { x, mask, weights }
    }
}
