//! Reading tools behind `attn-quiz show`, `trace` and `compare`.
//!
//! - [`source`]: the annotated reference source, comments told apart from code.
//! - [`sizes`]: the sizes a variant is run at, with their defaults and limits.
//! - [`trace`]: every step of one run with the shape it produced, and its costs.
//! - [`compare`]: one table of all variants.
//! - [`table`]: aligned plain-text tables.
//!
//! Everything here reads the reference's own tables
//! ([`catalog`](crate::reference::catalog)) and measurements
//! ([`measure`](crate::measure)): nothing is a copy that could drift from the code.

pub mod compare;
pub mod sizes;
pub mod source;
pub mod table;
pub mod trace;

use crate::error::ShapeError;
use crate::measure::{self, Config, Measurement};
use crate::reference::catalog::{self, VariantInfo};

/// What can go wrong in a reading tool; every message is meant for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No module or variant has this name.
    #[error("unknown {what} `{name}`; choose one of: {choices}")]
    Unknown {
        /// "variant" or "module or variant".
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names, comma-separated.
        choices: String,
    },
    /// A flag was given that the variant has no use for.
    #[error("{flag} does not apply to {variant}: {reason}")]
    FlagDoesNotApply {
        /// The flag, e.g. `--kv-heads`.
        flag: &'static str,
        /// The variant's name.
        variant: &'static str,
        /// Why, in words.
        reason: &'static str,
    },
    /// A flag's value is outside the range it can take.
    #[error("{flag} {value} is impossible: it must be from {range}")]
    OutOfRange {
        /// The flag, e.g. `--prefill`.
        flag: &'static str,
        /// The value given.
        value: usize,
        /// The values allowed, in words.
        range: String,
    },
    /// The sizes are too large to run here.
    #[error("too large to run: {what} must be at most {}", with_thousands(*limit as u64))]
    TooLarge {
        /// Which size or product of sizes.
        what: &'static str,
        /// The largest value allowed.
        limit: usize,
    },
    /// The reference rejected the sizes.
    #[error("cannot run {variant} at these sizes: {reason}")]
    Shape {
        /// The variant's name.
        variant: &'static str,
        /// The reference's reason.
        reason: ShapeError,
    },
}

/// The runnable variant called `name` (a name or an alias).
///
/// # Errors
/// [`Error::Unknown`], listing the variants, if there is none.
pub fn variant(name: &str) -> Result<&'static VariantInfo, Error> {
    catalog::find_variant(name).ok_or_else(|| Error::Unknown {
        what: "variant",
        name: name.to_string(),
        choices: variant_names(),
    })
}

/// The names of the runnable variants, comma-separated.
pub fn variant_names() -> String {
    catalog::VARIANTS.iter().map(|v| v.name).collect::<Vec<_>>().join(", ")
}

/// Runs `variant` at `config` and measures it, if the sizes are within the
/// [limits](sizes::check_limits).
///
/// # Errors
/// [`Error::TooLarge`], or [`Error::Shape`] with the reference's reason.
pub fn measure_at(variant: &'static VariantInfo, config: &Config) -> Result<Measurement, Error> {
    sizes::check_limits(config)?;
    sizes::check_variant_limits(variant.measured_as, config)?;
    measure::measure(variant.measured_as, config).map_err(|reason| Error::Shape { variant: variant.name, reason })
}

/// Writes `n` with a comma between groups of three digits: `1050624` -> `1,050,624`.
pub fn with_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_from_the_right() {
        assert_eq!(with_thousands(0), "0");
        assert_eq!(with_thousands(999), "999");
        assert_eq!(with_thousands(1000), "1,000");
        assert_eq!(with_thousands(1_050_624), "1,050,624");
        assert_eq!(with_thousands(12_345_678_901), "12,345,678,901");
    }

    #[test]
    fn unknown_variants_list_the_known_ones() {
        let message = variant("softmax").unwrap_err().to_string();
        assert!(message.starts_with("unknown variant `softmax`; choose one of: sdpa, mha,"), "{message}");
        assert_eq!(variant("MQA").unwrap().name, "mqa");
    }
}
