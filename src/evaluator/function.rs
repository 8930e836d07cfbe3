//! The learner's function, one variant per exercise, and how one call's
//! arguments are unpacked for it and its results packed for the judge.

use super::heap;
use super::wire::{Decode, Encode, WireError, from_bytes, to_bytes};
use crate::layers::{
    AdditiveWeights, GatedWeights, GroupedQueryWeights, KvCache, MlaCache, MlaWeights, MultiHeadWeights, Rope,
};
use crate::prelude::{DVector, Mask, Matrix};

/// A learner's function, one variant per exercise of the SPEC, with exactly
/// the SPEC's signature (the generated program names it here, so a wrong
/// signature is a compile error at that line).
#[derive(Debug, Clone, Copy)]
#[allow(clippy::type_complexity)] // the variants spell out the SPEC's signatures on purpose
pub enum Learner {
    /// `softmax_rows(scores)`.
    Softmax(fn(&Matrix) -> Matrix),
    /// `causal_mask(len)`.
    CausalMask(fn(usize) -> Mask),
    /// `scaled_dot_product_attention(q, k, v, mask)`.
    Sdpa(fn(&Matrix, &Matrix, &Matrix, Option<&Mask>) -> (Matrix, Matrix)),
    /// `multi_head_attention(query, key, value, w, mask)`.
    Mha(fn(&Matrix, &Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `self_attention(x, w, mask)`.
    SelfAttention(fn(&Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `cross_attention(x, memory, w, mask)`.
    CrossAttention(fn(&Matrix, &Matrix, &MultiHeadWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `gated_self_attention(x, w, mask)`.
    Gated(fn(&Matrix, &GatedWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `grouped_query_attention(query, key, value, w, mask)`.
    Gqa(fn(&Matrix, &Matrix, &Matrix, &GroupedQueryWeights, Option<&Mask>) -> (Matrix, Vec<Matrix>)),
    /// `additive_attention(q, k, v, w, mask)`.
    Additive(fn(&Matrix, &Matrix, &Matrix, &AdditiveWeights, Option<&Mask>) -> (Matrix, Matrix)),
    /// `apply_rope(x, positions, head_dim, rope)`.
    Rope(fn(&Matrix, &[usize], usize, &Rope) -> Matrix),
    /// `decode_step(x, cache, w, rope)`, called once per chunk on one cache:
    /// the arguments are (chunks, initial cache, w, rope), the results
    /// (every call's (output, weights), the cache after the last call).
    KvCache(fn(&Matrix, &mut KvCache, &GroupedQueryWeights, Option<&Rope>) -> (Matrix, Vec<Matrix>)),
    /// `sliding_window_mask(len_q, len_k, window)`.
    SlidingWindow(fn(usize, usize, usize) -> Mask),
    /// `attention_with_sink(q, k, v, sink, mask)`.
    Sinks(fn(&Matrix, &Matrix, &Matrix, f32, Option<&Mask>) -> (Matrix, Matrix)),
    /// `flash_attention(q, k, v, causal, block_q, block_k)`.
    Flash(fn(&Matrix, &Matrix, &Matrix, bool, usize, usize) -> (Matrix, DVector<f32>)),
    /// `sdpa_backward(q, k, v, mask, d_out)`.
    SdpaBackward(fn(&Matrix, &Matrix, &Matrix, Option<&Mask>, &Matrix) -> (Matrix, Matrix, Matrix)),
    /// `flash_attention_backward(q, k, v, out, lse, d_out, causal, block_q, block_k)`.
    FlashBackward(
        fn(&Matrix, &Matrix, &Matrix, &Matrix, &DVector<f32>, &Matrix, bool, usize, usize) -> (Matrix, Matrix, Matrix),
    ),
    /// `sinusoidal_positions(len, d_model)`.
    Sinusoidal(fn(usize, usize) -> Matrix),
    /// `alibi_self_attention(x, w)`.
    Alibi(fn(&Matrix, &MultiHeadWeights) -> (Matrix, Vec<Matrix>)),
    /// `linear_attention(q, k, v, causal)`.
    LinearAttention(fn(&Matrix, &Matrix, &Matrix, bool) -> Matrix),
    /// `mla_decode_step(x, cache, w, rope)`, called once per chunk on one
    /// cache: the arguments are (chunks, initial cache, w, rope), the results
    /// (every call's (output, weights), the cache after the last call).
    Mla(fn(&Matrix, &mut MlaCache, &MlaWeights, &Rope) -> (Matrix, Vec<Matrix>)),
}

impl Learner {
    /// The exercise name: `softmax`, `causal_mask`, `sdpa`, `mha`,
    /// `self_attention`, `cross_attention`, `gated`, `gqa`, `additive`,
    /// `rope`, `kv_cache`, `sliding_window` or `sinks`.
    /// `flash`, `sdpa_backward`, `flash_backward`, `sinusoidal`, `alibi`,
    /// `linear_attention` or `mla`.
    pub fn exercise(&self) -> &'static str {
        match self {
            Learner::Softmax(_) => "softmax",
            Learner::CausalMask(_) => "causal_mask",
            Learner::Sdpa(_) => "sdpa",
            Learner::Mha(_) => "mha",
            Learner::SelfAttention(_) => "self_attention",
            Learner::CrossAttention(_) => "cross_attention",
            Learner::Gated(_) => "gated",
            Learner::Gqa(_) => "gqa",
            Learner::Additive(_) => "additive",
            Learner::Rope(_) => "rope",
            Learner::KvCache(_) => "kv_cache",
            Learner::SlidingWindow(_) => "sliding_window",
            Learner::Sinks(_) => "sinks",
            Learner::Flash(_) => "flash",
            Learner::SdpaBackward(_) => "sdpa_backward",
            Learner::FlashBackward(_) => "flash_backward",
            Learner::Sinusoidal(_) => "sinusoidal",
            Learner::Alibi(_) => "alibi",
            Learner::LinearAttention(_) => "linear_attention",
            Learner::Mla(_) => "mla",
        }
    }

    /// Unpacks the arguments (in signature order), calls the function and
    /// packs what it returned, with the most heap the call held at once
    /// (see [`heap::measure`]). A panic of the function unwinds out of here.
    pub fn call(&self, arguments: &[u8]) -> Result<(Vec<u8>, Option<usize>), WireError> {
        match *self {
            Learner::Softmax(f) => with(arguments, |scores: Matrix| f(&scores)),
            Learner::CausalMask(f) => with(arguments, |(len,): (usize,)| f(len)),
            Learner::Sdpa(f) => {
                with(arguments, |(q, k, v, mask): (Matrix, Matrix, Matrix, Option<Mask>)| f(&q, &k, &v, mask.as_ref()))
            }
            Learner::Mha(f) => with(
                arguments,
                |(query, key, value, w, mask): (Matrix, Matrix, Matrix, MultiHeadWeights, Option<Mask>)| {
                    f(&query, &key, &value, &w, mask.as_ref())
                },
            ),
            Learner::SelfAttention(f) => {
                with(arguments, |(x, w, mask): (Matrix, MultiHeadWeights, Option<Mask>)| f(&x, &w, mask.as_ref()))
            }
            Learner::CrossAttention(f) => {
                with(arguments, |(x, memory, w, mask): (Matrix, Matrix, MultiHeadWeights, Option<Mask>)| {
                    f(&x, &memory, &w, mask.as_ref())
                })
            }
            Learner::Gated(f) => {
                with(arguments, |(x, w, mask): (Matrix, GatedWeights, Option<Mask>)| f(&x, &w, mask.as_ref()))
            }
            Learner::Gqa(f) => with(
                arguments,
                |(query, key, value, w, mask): (Matrix, Matrix, Matrix, GroupedQueryWeights, Option<Mask>)| {
                    f(&query, &key, &value, &w, mask.as_ref())
                },
            ),
            Learner::Additive(f) => {
                with(arguments, |(q, k, v, w, mask): (Matrix, Matrix, Matrix, AdditiveWeights, Option<Mask>)| {
                    f(&q, &k, &v, &w, mask.as_ref())
                })
            }
            Learner::Rope(f) => with(arguments, |(x, positions, head_dim, rope): (Matrix, Vec<usize>, usize, Rope)| {
                f(&x, &positions, head_dim, &rope)
            }),
            Learner::KvCache(f) => with(
                arguments,
                |(chunks, mut cache, w, rope): (Vec<Matrix>, KvCache, GroupedQueryWeights, Option<Rope>)| {
                    // One call per chunk, all on the same cache, in order.
                    let calls: Vec<(Matrix, Vec<Matrix>)> =
                        chunks.iter().map(|x| f(x, &mut cache, &w, rope.as_ref())).collect();
                    (calls, cache)
                },
            ),
            Learner::SlidingWindow(f) => {
                with(arguments, |(len_q, len_k, window): (usize, usize, usize)| f(len_q, len_k, window))
            }
            Learner::Sinks(f) => {
                with(arguments, |(q, k, v, sink, mask): (Matrix, Matrix, Matrix, f32, Option<Mask>)| {
                    f(&q, &k, &v, sink, mask.as_ref())
                })
            }
            Learner::Flash(f) => {
                with(arguments, |(q, k, v, causal, block_q, block_k): (Matrix, Matrix, Matrix, bool, usize, usize)| {
                    f(&q, &k, &v, causal, block_q, block_k)
                })
            }
            Learner::SdpaBackward(f) => {
                with(arguments, |(q, k, v, mask, d_out): (Matrix, Matrix, Matrix, Option<Mask>, Matrix)| {
                    f(&q, &k, &v, mask.as_ref(), &d_out)
                })
            }
            Learner::FlashBackward(f) => with(arguments, |arguments: FlashBackwardArguments| {
                let (q, k, v, out, lse, d_out, causal, block_q, block_k) = arguments;
                f(&q, &k, &v, &out, &lse, &d_out, causal, block_q, block_k)
            }),
            Learner::Sinusoidal(f) => with(arguments, |(len, d_model): (usize, usize)| f(len, d_model)),
            Learner::Alibi(f) => with(arguments, |(x, w): (Matrix, MultiHeadWeights)| f(&x, &w)),
            Learner::LinearAttention(f) => {
                with(arguments, |(q, k, v, causal): (Matrix, Matrix, Matrix, bool)| f(&q, &k, &v, causal))
            }
            Learner::Mla(f) => {
                with(arguments, |(chunks, mut cache, w, rope): (Vec<Matrix>, MlaCache, MlaWeights, Rope)| {
                    // One call per chunk, all on the same cache, in order.
                    let calls: Vec<(Matrix, Vec<Matrix>)> =
                        chunks.iter().map(|x| f(x, &mut cache, &w, &rope)).collect();
                    (calls, cache)
                })
            }
        }
    }
}

/// The arguments of `flash_attention_backward`, in signature order.
type FlashBackwardArguments = (Matrix, Matrix, Matrix, Matrix, DVector<f32>, Matrix, bool, usize, usize);

/// Decodes the arguments as `A`, runs `f` on them measuring its heap, and
/// encodes its result.
fn with<A: Decode, R: Encode>(arguments: &[u8], f: impl FnOnce(A) -> R) -> Result<(Vec<u8>, Option<usize>), WireError> {
    let arguments = from_bytes(arguments)?;
    let (returned, peak) = heap::measure(|| f(arguments));
    Ok((to_bytes(&returned), peak))
}
