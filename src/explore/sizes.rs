//! The sizes a variant is run at: what the user asked for, the defaults for
//! the rest, and the limits that keep a run within a few seconds and a few
//! hundred megabytes.
//!
//! The defaults are the interview classic: a batch of N = 2 sequences of
//! L = 10 tokens, D = 512, H = 8 heads (d_k = 64), and for grouped-query
//! attention G = H/4 key/value heads.
//!
//! ```
//! use attn_quiz::explore::sizes::Sizes;
//! use attn_quiz::reference::catalog::find_variant;
//!
//! let config = Sizes::default().config(find_variant("mqa").unwrap());
//! assert_eq!((config.batch, config.len, config.d_model, config.heads, config.kv_heads), (2, 10, 512, 8, 1));
//! ```

use super::Error;
use crate::measure::Config;
use crate::reference::catalog::{Heads, VariantInfo};

/// Default batch size N.
pub const DEFAULT_BATCH: usize = 2;
/// Default query length L (and key/value length S).
pub const DEFAULT_LEN: usize = 10;
/// Default model width D.
pub const DEFAULT_D_MODEL: usize = 512;
/// Default number of query heads H.
pub const DEFAULT_HEADS: usize = 8;
/// Default seed of the random inputs and weights.
pub const DEFAULT_SEED: u64 = 0;
/// Default sliding window W (sliding_window, decoder): small enough to see it slide at L = 10.
pub const DEFAULT_WINDOW: usize = 4;
/// Default block sizes of flash attention.
pub const DEFAULT_BLOCK: usize = 4;
/// Default number of single-token decode calls after the prefill (kv_cache, decoder).
pub const DEFAULT_DECODE_STEPS: usize = 3;

/// Default latent width d_c of mla, in head widths: DeepSeek-V3's 512 = 4·128.
pub const DEFAULT_LATENT_HEADS: usize = 4;

/// Most decode calls after the prefill (each is traced as its own block of steps).
pub const MAX_DECODE_STEPS: usize = 64;
/// Most score tiles of one flash run (each is a traced step).
pub const MAX_TILES: usize = 1 << 14;

/// Largest model width D: the weights of one variant stay under ~350 MB.
pub const MAX_D_MODEL: usize = 4096;
/// Largest N·L·S·D, a measure of the work of one run.
pub const MAX_WORK: usize = 1 << 26;
/// Largest N·H·L·S, the attention weights a run keeps.
pub const MAX_ATTENTION: usize = 1 << 25;

/// Sizes as given on the command line; `None` means "not given, use the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sizes {
    /// `--batch`: N.
    pub batch: Option<usize>,
    /// `--len`: L.
    pub len: Option<usize>,
    /// `--kv-len`: S (default L).
    pub kv_len: Option<usize>,
    /// `--d-model`: D.
    pub d_model: Option<usize>,
    /// `--heads`: H.
    pub heads: Option<usize>,
    /// `--kv-heads`: G (default [`default_kv_heads`]).
    pub kv_heads: Option<usize>,
    /// `--causal`: apply a causal mask.
    pub causal: bool,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--window`: W (default [`DEFAULT_WINDOW`]).
    pub window: Option<usize>,
    /// `--prefill`: tokens of the first call (default L − [`DEFAULT_DECODE_STEPS`], at least 1).
    pub prefill: Option<usize>,
    /// `--block-q` (default [`DEFAULT_BLOCK`]).
    pub block_q: Option<usize>,
    /// `--block-k` (default [`DEFAULT_BLOCK`]).
    pub block_k: Option<usize>,
    /// `--latent`: MLA's latent width d_c (default [`default_latent`]).
    pub latent: Option<usize>,
    /// `--rope-dim`: MLA's rotary width d_r (default [`default_rope_dim`]).
    pub rope_dim: Option<usize>,
    /// `--absorbed`: run MLA in its absorbed form.
    pub absorbed: bool,
}

impl Sizes {
    /// The configuration `variant` runs with: the sizes given, the defaults for
    /// the rest, and the head counts its layout fixes (G = H for multi-head,
    /// G = 1 for multi-query, H = G = 1 for single-head variants).
    pub fn config(&self, variant: &VariantInfo) -> Config {
        let len = self.len.unwrap_or(DEFAULT_LEN);
        let heads = match variant.heads {
            Heads::Single => 1,
            _ => self.heads.unwrap_or(DEFAULT_HEADS),
        };
        let kv_heads = match variant.heads {
            Heads::Single | Heads::SharedKv => 1,
            Heads::OneKvPerQuery => heads,
            Heads::Grouped => self.kv_heads.unwrap_or_else(|| default_kv_heads(heads)),
        };
        Config {
            batch: self.batch.unwrap_or(DEFAULT_BATCH),
            len,
            kv_len: self.kv_len.unwrap_or(len),
            d_model: self.d_model(),
            heads,
            kv_heads,
            causal: self.causal,
            seed: self.seed.unwrap_or(DEFAULT_SEED),
            window: self.window.unwrap_or(DEFAULT_WINDOW),
            prefill: self.prefill.unwrap_or_else(|| len.saturating_sub(DEFAULT_DECODE_STEPS).max(1)),
            block_q: self.block_q.unwrap_or(DEFAULT_BLOCK),
            block_k: self.block_k.unwrap_or(DEFAULT_BLOCK),
            latent: self.latent.unwrap_or_else(|| default_latent(self.d_model(), heads)),
            rope_dim: self.rope_dim.unwrap_or_else(|| default_rope_dim(self.d_model(), heads)),
            absorbed: self.absorbed,
        }
    }

    /// The model width D, given or default.
    pub fn d_model(&self) -> usize {
        self.d_model.unwrap_or(DEFAULT_D_MODEL)
    }

    /// Checks that every size given means something for `variant`.
    ///
    /// # Errors
    /// [`Error::FlagDoesNotApply`] for `--kv-len` on a self-attention variant,
    /// `--heads` on a single-head one, `--kv-heads` on one whose G is fixed,
    /// `--causal` on one that is always causal, `--window`, `--prefill` and
    /// `--block-q/-k` on a variant without a window, a cache or tiles;
    /// [`Error::OutOfRange`] for a prefill outside 1..=L.
    pub fn check_applies_to(&self, variant: &'static VariantInfo) -> Result<(), Error> {
        let refuse = |flag, reason| Err(Error::FlagDoesNotApply { flag, variant: variant.name, reason });
        let measured = variant.measured_as;
        if self.causal && measured.is_always_causal() {
            return refuse("--causal", "it is always causal (each query sees keys up to its own position)");
        }
        if self.window.is_some() && !measured.has_window() {
            return refuse("--window", "it has no sliding window (sliding_window and decoder have one)");
        }
        if self.prefill.is_some() && !measured.uses_cache() {
            return refuse("--prefill", "it runs in one call, without a KV cache (kv_cache and decoder decode)");
        }
        if self.block_q.is_some() && measured != crate::measure::Variant::Flash {
            return refuse("--block-q", "only flash works in tiles");
        }
        if self.block_k.is_some() && measured != crate::measure::Variant::Flash {
            return refuse("--block-k", "only flash works in tiles");
        }
        let is_mla = measured == crate::measure::Variant::Mla;
        if self.latent.is_some() && !is_mla {
            return refuse("--latent", "only mla caches a latent");
        }
        if self.rope_dim.is_some() && !is_mla {
            return refuse("--rope-dim", "only mla has a decoupled rotary part");
        }
        if self.absorbed && !is_mla {
            return refuse("--absorbed", "only mla has an absorbed form");
        }
        if let Some(rope_dim) = self.rope_dim.filter(|d| *d == 0 || d % 2 == 1) {
            return Err(Error::OutOfRange { flag: "--rope-dim", value: rope_dim, range: "2, 4, 6, ...".into() });
        }
        if self.latent == Some(0) {
            return Err(Error::OutOfRange { flag: "--latent", value: 0, range: "1 up".into() });
        }
        let len = self.len.unwrap_or(DEFAULT_LEN);
        if let Some(prefill) = self.prefill.filter(|p| !(1..=len).contains(p)) {
            return Err(Error::OutOfRange { flag: "--prefill", value: prefill, range: format!("1 to L = {len}") });
        }
        if self.kv_len.is_some() && variant.measured_as.is_self_attention() {
            return refuse("--kv-len", "keys and values come from the queries' own sequence, of length --len");
        }
        if self.heads.is_some() && variant.heads == Heads::Single {
            return refuse("--heads", "it is a single attention, without heads");
        }
        match (self.kv_heads, variant.heads) {
            (None, _) | (Some(_), Heads::Grouped) => Ok(()),
            (Some(_), Heads::Single) => refuse("--kv-heads", "it is a single attention, without heads"),
            (Some(_), Heads::OneKvPerQuery) => refuse("--kv-heads", "every query head has its own key/value head"),
            (Some(_), Heads::SharedKv) => refuse("--kv-heads", "all query heads share one key/value head"),
        }
    }
}

/// Checks that a run at `config` stays within [`MAX_D_MODEL`], [`MAX_WORK`]
/// and [`MAX_ATTENTION`].
///
/// # Errors
/// [`Error::TooLarge`] naming the size that is too large.
pub fn check_limits(config: &Config) -> Result<(), Error> {
    let Config { batch, len, kv_len, d_model, heads, .. } = *config;
    let product = |sizes: [usize; 4]| sizes.into_iter().fold(1, usize::saturating_mul);
    let checks = [
        ("--d-model", d_model, MAX_D_MODEL),
        ("N·L·S·D", product([batch, len, kv_len, d_model]), MAX_WORK),
        ("N·H·L·S", product([batch, heads, len, kv_len]), MAX_ATTENTION),
    ];
    match checks.into_iter().find(|&(_, value, limit)| value > limit) {
        Some((what, _, limit)) => Err(Error::TooLarge { what, limit }),
        None => Ok(()),
    }
}

/// Checks the limits that depend on the variant: at most [`MAX_DECODE_STEPS`]
/// decode calls for the KV-cache variants, at most [`MAX_TILES`] tiles for flash.
///
/// # Errors
/// [`Error::TooLarge`] naming the count that is too large.
pub fn check_variant_limits(variant: crate::measure::Variant, config: &Config) -> Result<(), Error> {
    let tiles = |len: usize, block: usize| len.div_ceil(block.max(1));
    if variant.uses_cache() && config.len.saturating_sub(config.prefill) > MAX_DECODE_STEPS {
        return Err(Error::TooLarge { what: "the decode steps L − prefill", limit: MAX_DECODE_STEPS });
    }
    if variant == crate::measure::Variant::Mla && config.latent.max(config.rope_dim) > MAX_D_MODEL {
        return Err(Error::TooLarge { what: "--latent and --rope-dim", limit: MAX_D_MODEL });
    }
    if variant == crate::measure::Variant::Flash
        && tiles(config.len, config.block_q).saturating_mul(tiles(config.kv_len, config.block_k)) > MAX_TILES
    {
        return Err(Error::TooLarge { what: "the number of tiles ⌈L/block_q⌉·⌈S/block_k⌉", limit: MAX_TILES });
    }
    Ok(())
}

/// The default latent width of mla: [`DEFAULT_LATENT_HEADS`] head widths, 4·D/H (at least 1).
pub fn default_latent(d_model: usize, heads: usize) -> usize {
    (DEFAULT_LATENT_HEADS * d_model / heads.max(1)).max(1)
}

/// The default rotary width of mla: half a head width, D/(2H), rounded down
/// to an even number and at least 2 (DeepSeek-V3: 64 for heads of 128).
pub fn default_rope_dim(d_model: usize, heads: usize) -> usize {
    (d_model / heads.max(1) / 2 / 2 * 2).max(2)
}

/// The default number of key/value heads for H query heads: the largest
/// divisor of H that is at most H/4 (at least 1), e.g. 8 -> 2, 12 -> 3, 6 -> 1.
pub fn default_kv_heads(heads: usize) -> usize {
    (1..=heads / 4).rev().find(|g| heads.is_multiple_of(*g)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::catalog::find_variant;

    fn variant(name: &str) -> &'static VariantInfo {
        find_variant(name).unwrap()
    }

    #[test]
    fn default_kv_heads_divide_the_heads() {
        let pairs: Vec<(usize, usize)> = [1, 2, 4, 6, 8, 9, 12, 18, 32].map(|h| (h, default_kv_heads(h))).to_vec();
        assert_eq!(pairs, [(1, 1), (2, 1), (4, 1), (6, 1), (8, 2), (9, 1), (12, 3), (18, 3), (32, 8)]);
    }

    #[test]
    fn the_head_layout_fixes_the_head_counts() {
        let sizes = Sizes { heads: Some(4), kv_heads: Some(2), ..Sizes::default() };
        let heads = |name| {
            let config = sizes.config(variant(name));
            (config.heads, config.kv_heads)
        };
        assert_eq!(heads("sdpa"), (1, 1));
        assert_eq!(heads("mha"), (4, 4));
        assert_eq!(heads("gqa"), (4, 2));
        assert_eq!(heads("mqa"), (4, 1));
    }

    #[test]
    fn flags_a_variant_has_no_use_for_are_refused() {
        let refused = |sizes: Sizes, name| sizes.check_applies_to(variant(name)).is_err();
        assert!(refused(Sizes { kv_len: Some(5), ..Sizes::default() }, "self_attention"));
        assert!(refused(Sizes { kv_len: Some(5), ..Sizes::default() }, "gated"));
        assert!(!refused(Sizes { kv_len: Some(5), ..Sizes::default() }, "cross_attention"));
        assert!(refused(Sizes { heads: Some(2), ..Sizes::default() }, "additive"));
        assert!(refused(Sizes { kv_heads: Some(2), ..Sizes::default() }, "mha"));
        assert!(refused(Sizes { kv_heads: Some(2), ..Sizes::default() }, "mqa"));
        assert!(!refused(Sizes { kv_heads: Some(2), ..Sizes::default() }, "gqa"));
    }

    #[test]
    fn mla_defaults_follow_deepseek_proportions() {
        // d_c = 4 head widths, d_r = half a head width, even and at least 2.
        assert_eq!((default_latent(512, 8), default_rope_dim(512, 8)), (256, 32));
        assert_eq!((default_latent(16384, 128), default_rope_dim(16384, 128)), (512, 64));
        assert_eq!((default_latent(12, 2), default_rope_dim(12, 2)), (24, 2));
        assert_eq!(default_rope_dim(4, 4), 2);
        let refused = |sizes: Sizes, name| sizes.check_applies_to(variant(name)).is_err();
        assert!(refused(Sizes { latent: Some(8), ..Sizes::default() }, "kv_cache"));
        assert!(refused(Sizes { absorbed: true, ..Sizes::default() }, "alibi"));
        assert!(refused(Sizes { rope_dim: Some(5), ..Sizes::default() }, "mla"));
        assert!(!refused(Sizes { latent: Some(8), rope_dim: Some(4), absorbed: true, ..Sizes::default() }, "mla"));
    }

    #[test]
    fn huge_sizes_are_refused_without_overflow() {
        let config = |d_model, len| Config { d_model, len, kv_len: len, ..Sizes::default().config(variant("mha")) };
        assert!(check_limits(&config(512, 10)).is_ok());
        assert!(matches!(check_limits(&config(8192, 10)), Err(Error::TooLarge { what: "--d-model", .. })));
        assert!(matches!(check_limits(&config(512, usize::MAX)), Err(Error::TooLarge { what: "N·L·S·D", .. })));
        assert!(matches!(check_limits(&config(8, 2048)), Err(Error::TooLarge { what: "N·H·L·S", .. })));
    }
}
