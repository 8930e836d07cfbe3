use attn_quiz::prelude::*;

pub fn causal_mask(len: usize) -> Mask {
    Mask::from_fn(len, len, |i, j| j < i)
}
