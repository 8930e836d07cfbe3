//! A band |a − j| < window: the future is inside it too.
use attn_quiz::prelude::*;

pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    Mask::from_fn(len_q, len_k, |i, j| {
        let a = i + len_k - len_q;
        (a as i64 - j as i64).abs() < window as i64
    })
}
