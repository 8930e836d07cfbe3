//! Query i at position i, as in a square mask.
use attn_quiz::prelude::*;

pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    Mask::from_fn(len_q, len_k, |i, j| {
        let a = i;
        j <= a && j + window > a
    })
}
