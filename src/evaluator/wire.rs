//! The bytes that cross the socket between the judge and the evaluator.
//!
//! Both sides link this one module, so what one writes the other reads the
//! same way. Every value is written in a fixed little-endian layout:
//!
//! | value | bytes |
//! |---|---|
//! | `bool`, `u8` | one byte |
//! | `usize` | eight bytes (as `u64`) |
//! | `f32` | its four bits as they are: NaN, ±inf and -0 cross unchanged |
//! | matrix, mask | rows, cols, then the entries in nalgebra's (column-major) order |
//! | row or column vector | its length, then the entries |
//! | `Option<T>` | 0, or 1 followed by `T` |
//! | `Vec<T>` | the length, then each item |
//! | `String` | the length in bytes, then UTF-8 |
//! | tuple, weights struct | the fields in order |
//!
//! Reading checks every length against the bytes that are left, so a garbled
//! message is an [`WireError`], never a huge allocation or a panic.

use crate::layers::{
    AdditiveWeights, GatedWeights, GroupedQueryWeights, KvCache, Linear, MlaCache, MlaWeights, MultiHeadWeights, Rope,
    RopeStyle,
};
use nalgebra::{DMatrix, DVector, Dyn, RowDVector};
use std::fmt;

/// A message that does not read as the value expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable message: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// A value that can be sent to the other side.
pub trait Encode {
    /// Appends the value's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
}

/// A value that can be read back on the other side.
pub trait Decode: Sized {
    /// Reads one value from the front of `input`, advancing it.
    fn decode(input: &mut &[u8]) -> Result<Self, WireError>;
}

/// The bytes of one value.
pub fn to_bytes<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// Reads a whole message as one value; bytes left over are an error too.
pub fn from_bytes<T: Decode>(mut input: &[u8]) -> Result<T, WireError> {
    let value = T::decode(&mut input)?;
    match input.len() {
        0 => Ok(value),
        n => Err(WireError(format!("{n} bytes left over after the message"))),
    }
}

/// Takes the next `n` bytes.
fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], WireError> {
    if input.len() < n {
        return Err(WireError(format!("wanted {n} more bytes, {} left", input.len())));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

/// Reads a count of items of `item_bytes` bytes each, refusing one larger
/// than what is left to read.
fn count(input: &mut &[u8], item_bytes: usize) -> Result<usize, WireError> {
    let n = usize::decode(input)?;
    match n.checked_mul(item_bytes) {
        Some(bytes) if bytes <= input.len() => Ok(n),
        _ => Err(WireError(format!("a length of {n} does not fit the {} bytes left", input.len()))),
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out);
    }
}

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Decode for u8 {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(take(input, 1)?[0])
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        match u8::decode(input)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(WireError(format!("{other} is not a boolean"))),
        }
    }
}

impl Encode for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(*self as u64).to_le_bytes());
    }
}

impl Decode for usize {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let bytes: [u8; 8] = take(input, 8)?.try_into().expect("took 8 bytes");
        usize::try_from(u64::from_le_bytes(bytes)).map_err(|_| WireError("a size beyond usize".into()))
    }
}

impl Encode for f32 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }
}

impl Decode for f32 {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let bytes: [u8; 4] = take(input, 4)?.try_into().expect("took 4 bytes");
        Ok(f32::from_bits(u32::from_le_bytes(bytes)))
    }
}

impl Encode for str {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_str().encode(out);
    }
}

impl Decode for String {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let n = count(input, 1)?;
        String::from_utf8(take(input, n)?.to_vec()).map_err(|_| WireError("text that is not UTF-8".into()))
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(value) = self {
            value.encode(out);
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        if bool::decode(input)? { Ok(Some(T::decode(input)?)) } else { Ok(None) }
    }
}

impl<T: Encode> Encode for [T] {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        self.iter().for_each(|item| item.encode(out));
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_slice().encode(out);
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // Every item takes at least one byte: a bound on the count.
        let n = count(input, 1)?;
        (0..n).map(|_| T::decode(input)).collect()
    }
}

/// Entries of a matrix, of a vector or of a mask, read and written in bulk.
trait Entry: Encode + Decode + nalgebra::Scalar {
    /// Bytes per entry.
    const BYTES: usize;
    /// One entry from exactly `BYTES` bytes.
    fn from_chunk(chunk: &[u8]) -> Result<Self, WireError>;
}

impl Entry for f32 {
    const BYTES: usize = 4;
    fn from_chunk(chunk: &[u8]) -> Result<Self, WireError> {
        Ok(f32::from_bits(u32::from_le_bytes(chunk.try_into().expect("four bytes"))))
    }
}

impl Entry for bool {
    const BYTES: usize = 1;
    fn from_chunk(chunk: &[u8]) -> Result<Self, WireError> {
        bool::decode(&mut &chunk[..])
    }
}

/// Writes the entries of any nalgebra matrix or vector, in storage order.
fn encode_entries<'a, T: Entry>(entries: impl Iterator<Item = &'a T>, out: &mut Vec<u8>) {
    for entry in entries {
        entry.encode(out);
    }
}

/// Reads `n` entries.
fn decode_entries<T: Entry>(input: &mut &[u8], n: usize) -> Result<Vec<T>, WireError> {
    let bytes = n.checked_mul(T::BYTES).ok_or_else(|| WireError(format!("{n} entries")))?;
    take(input, bytes)?.chunks_exact(T::BYTES).map(T::from_chunk).collect()
}

impl<T: Entry> Encode for DMatrix<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.nrows().encode(out);
        self.ncols().encode(out);
        encode_entries(self.iter(), out);
    }
}

impl<T: Entry> Decode for DMatrix<T> {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let rows = usize::decode(input)?;
        let cols = usize::decode(input)?;
        let entries = rows.checked_mul(cols).ok_or_else(|| WireError(format!("a {rows}×{cols} matrix")))?;
        let data = decode_entries(input, entries)?;
        Ok(DMatrix::from_vec_generic(Dyn(rows), Dyn(cols), data))
    }
}

impl<T: Entry> Encode for RowDVector<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        encode_entries(self.iter(), out);
    }
}

impl<T: Entry> Decode for RowDVector<T> {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let n = usize::decode(input)?;
        Ok(RowDVector::from_vec(decode_entries(input, n)?))
    }
}

impl<T: Entry> Encode for DVector<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        encode_entries(self.iter(), out);
    }
}

impl<T: Entry> Decode for DVector<T> {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        let n = usize::decode(input)?;
        Ok(DVector::from_vec(decode_entries(input, n)?))
    }
}

/// Encodes and decodes tuples and structs as their fields in order.
macro_rules! fields_in_order {
    ($(($($name:ident),+))*) => {$(
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
        }
        impl<$($name: Decode),+> Decode for ($($name,)+) {
            fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
                Ok(($($name::decode(input)?,)+))
            }
        }
    )*};
    ($($type:ident { $($field:ident),+ })*) => {$(
        impl Encode for $type {
            fn encode(&self, out: &mut Vec<u8>) {
                $(self.$field.encode(out);)+
            }
        }
        impl Decode for $type {
            fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
                Ok($type { $($field: Decode::decode(input)?),+ })
            }
        }
    )*};
}

fields_in_order! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
}

fields_in_order! {
    Linear { weight, bias }
    MultiHeadWeights { q, k, v, o, num_heads }
    GatedWeights { attn, gate }
    GroupedQueryWeights { q, k, v, o, num_heads, num_kv_heads }
    AdditiveWeights { w_q, w_k, v_a }
    Rope { base, style }
    KvCache { keys, values }
    MlaWeights { q, kv_down, kv_norm, k_up, v_up, o, num_heads, rope_dim }
    MlaCache { latent, rope_keys }
}

impl Encode for RopeStyle {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(match self {
            RopeStyle::Interleaved => 0,
            RopeStyle::HalfSplit => 1,
        });
    }
}

impl Decode for RopeStyle {
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        match u8::decode(input)? {
            0 => Ok(RopeStyle::Interleaved),
            1 => Ok(RopeStyle::HalfSplit),
            other => Err(WireError(format!("{other} is not a RoPE style"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_cross_bit_for_bit() {
        let m = DMatrix::from_row_slice(2, 3, &[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 1e-42, 3.5]);
        let back: DMatrix<f32> = from_bytes(&to_bytes(&m)).unwrap();
        assert_eq!(back.shape(), (2, 3));
        let bits = |m: &DMatrix<f32>| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&m));
    }

    #[test]
    fn structs_and_tuples_round_trip() {
        let linear = Linear::new(DMatrix::from_row_slice(1, 2, &[1.0, 2.0]), RowDVector::from_row_slice(&[0.5, -1.0]));
        let w = MultiHeadWeights { q: linear.clone(), k: linear.clone(), v: linear.clone(), o: linear, num_heads: 2 };
        let mask = Some(DMatrix::from_row_slice(1, 2, &[true, false]));
        let message = (w.clone(), mask.clone(), vec![3usize, 4], Rope { base: 1e4, style: RopeStyle::HalfSplit });
        let back: (MultiHeadWeights, Option<DMatrix<bool>>, Vec<usize>, Rope) =
            from_bytes(&to_bytes(&message)).unwrap();
        assert_eq!(back, message);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic_or_an_allocation() {
        // A matrix claiming 2^62 rows in a handful of bytes.
        let mut huge = to_bytes(&(1usize << 62));
        huge.extend(to_bytes(&4usize));
        assert!(from_bytes::<DMatrix<f32>>(&huge).is_err());
        assert!(from_bytes::<Vec<u8>>(&to_bytes(&usize::MAX)).is_err());
        assert!(from_bytes::<bool>(&[7]).is_err());
        assert!(from_bytes::<f32>(&[1, 2]).is_err());
        assert!(from_bytes::<u8>(&[1, 2]).unwrap_err().0.contains("left over"));
        assert!(from_bytes::<String>(&to_bytes(&(2usize, 0xffu8, 0xfeu8))).is_err());
    }
}
