//! # Exercise: the sliding-window mask
//!
//! Local attention (Mistral, gpt-oss, Gemma 2): each query sees only the last
//! `window` keys, itself included, and never the future.
//!
//! ```text
//! a_i = i + len_k − len_q                  (query i's position, bottom-right aligned)
//! mask[(i, j)] = a_i − window < j ≤ a_i     (window keys in all)
//! ```
//!
//! Shape: (len_q × len_k), `true` = query i may attend to key j.
//! len_q ≤ len_k and window ≥ 1 (the judge asks nothing else).
//!
//! Conventions:
//! - `window` counts the current token: window 1 is the diagonal a_i alone,
//!   window 3 is keys a_i − 2, a_i − 1, a_i (Hugging Face, Mistral, gpt-oss;
//!   flash-attn writes it `window_size = (window − 1, 0)`).
//! - Aligned causality: with len_q < len_k (new queries over a cache) the
//!   last query sits at the last key. With len_q = len_k, a_i = i.
//! - A window ≥ len_k is the plain aligned causal mask.
//!
//! Pitfalls:
//! - Off by one: `j >= a_i − window` lets in window + 1 keys.
//! - A window is causal too: |a_i − j| < window also lets in the future.
//! - Top-left alignment (a_i = i) slides the window to the wrong keys when
//!   len_q < len_k.
//! - Unsigned arithmetic: a_i − window can be negative; compare
//!   `j + window > a_i` instead.
//!
//! Check your answer:  `attn-quiz check exercises/sliding_window.rs`
//! Stuck?              `attn-quiz hint sliding_window` (one hint at a time)

use attn_quiz::prelude::*;

/// The sliding-window causal mask: query i may attend to key j iff a_i − window < j ≤ a_i.
pub fn sliding_window_mask(len_q: usize, len_k: usize, window: usize) -> Mask {
    todo!("causal, aligned bottom-right, and at most `window` keys back, the current one included")
}
