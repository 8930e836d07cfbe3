//! The exercises of the SPEC, each as an [`Exercise`](super::exercise::Exercise).

pub(crate) mod additive;
pub(crate) mod alibi;
pub(crate) mod causal_mask;
pub(crate) mod flash;
pub(crate) mod heads;
pub(crate) mod kv_cache;
pub(crate) mod linear_attention;
pub(crate) mod mla;
pub(crate) mod multi_head;
pub(crate) mod rope;
pub(crate) mod sdpa;
pub(crate) mod sinks;
pub(crate) mod sinusoidal;
pub(crate) mod sliding_window;
pub(crate) mod softmax;

pub(crate) use additive::Additive;
pub(crate) use alibi::Alibi;
pub(crate) use causal_mask::CausalMask;
pub(crate) use flash::{Flash, FlashBackward, SdpaBackward};
pub(crate) use kv_cache::DecodeStep;
pub(crate) use linear_attention::LinearAttention;
pub(crate) use mla::Mla;
pub(crate) use multi_head::{CrossAttention, Gated, Gqa, Mha, SelfAttention};
pub(crate) use rope::RopeExercise;
pub(crate) use sdpa::Sdpa;
pub(crate) use sinks::Sinks;
pub(crate) use sinusoidal::Sinusoidal;
pub(crate) use sliding_window::SlidingWindow;
pub(crate) use softmax::Softmax;
