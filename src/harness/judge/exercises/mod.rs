//! The exercises of the SPEC, each as an [`Exercise`](super::exercise::Exercise).

pub(crate) mod additive;
pub(crate) mod causal_mask;
pub(crate) mod flash;
pub(crate) mod heads;
pub(crate) mod kv_cache;
pub(crate) mod multi_head;
pub(crate) mod rope;
pub(crate) mod sdpa;
pub(crate) mod sinks;
pub(crate) mod sliding_window;
pub(crate) mod softmax;

pub(crate) use additive::Additive;
pub(crate) use causal_mask::CausalMask;
pub(crate) use flash::{Flash, FlashBackward, SdpaBackward};
pub(crate) use kv_cache::DecodeStep;
pub(crate) use multi_head::{CrossAttention, Gated, Gqa, Mha, SelfAttention};
pub(crate) use rope::RopeExercise;
pub(crate) use sdpa::Sdpa;
pub(crate) use sinks::Sinks;
pub(crate) use sliding_window::SlidingWindow;
pub(crate) use softmax::Softmax;
