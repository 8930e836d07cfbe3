//! The exercise checker behind `attn-quiz check` (see issue 3).
