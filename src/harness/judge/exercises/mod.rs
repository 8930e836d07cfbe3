//! The nine exercises of the SPEC, each as an [`Exercise`](super::exercise::Exercise).

pub(crate) mod additive;
pub(crate) mod causal_mask;
pub(crate) mod flash;
pub(crate) mod heads;
pub(crate) mod multi_head;
pub(crate) mod sdpa;
pub(crate) mod softmax;

pub(crate) use additive::Additive;
pub(crate) use causal_mask::CausalMask;
pub(crate) use flash::{Flash, FlashBackward, SdpaBackward};
pub(crate) use multi_head::{CrossAttention, Gated, Gqa, Mha, SelfAttention};
pub(crate) use sdpa::Sdpa;
pub(crate) use softmax::Softmax;
