//! Loops in signed arithmetic: start = max(0, a − window + 1), end = a.
use attn_quiz::prelude::*;

pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    let mut mask = Mask::from_element(len_q, len_k, false);
    let offset = len_k as i64 - len_q as i64;
    for i in 0..len_q {
        let a = i as i64 + offset;
        let start = (a - window as i64 + 1).max(0);
        for j in start..=a {
            mask[(i, j as usize)] = true;
        }
    }
    mask
}
