//! "The last window tokens before me": j >= a − window lets in window + 1 keys.
use attn_quiz::prelude::*;

pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    Mask::from_fn(len_q, len_k, |i, j| {
        let a = i + len_k - len_q;
        j <= a && j + window >= a
    })
}
