use attn_quiz::prelude::*;

pub fn causal_mask(len: usize) -> Mask {
    let mut mask = Mask::from_element(len, len, false);
    for i in 0..len {
        for j in 0..(i + 2).min(len) {
            mask[(i, j)] = true;
        }
    }
    mask
}
