//! The interview quiz behind `attn-quiz run` (see issue 4).
