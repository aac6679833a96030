//! Tables of fixed-width records, serialised as one byte string.
//!
//! Why: serde visits every element of a `Vec` one by one, and postcard decodes each number
//! as a varint; for the situation matcher's ~40,000 numbers that was a quarter of a
//! search's instructions. A table of fixed-width little-endian records is read back with a
//! plain loop over byte chunks, and a damaged one is rejected, not misread.

use serde::de::Visitor;
use serde::{Deserializer, Serializer};
use std::marker::PhantomData;

/// A record with a fixed-width little-endian encoding.
pub trait Fixed: Sized {
    const SIZE: usize;
    fn write(&self, out: &mut Vec<u8>);
    /// The record in `bytes` (exactly [`Fixed::SIZE`] of them), if they hold a valid one.
    fn read(bytes: &[u8]) -> Option<Self>;
}

/// The `u32` at `at` in `bytes`.
pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// The `u64` at `at` in `bytes`.
pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

impl Fixed for u32 {
    const SIZE: usize = 4;
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(bytes: &[u8]) -> Option<Self> {
        Some(u32_at(bytes, 0))
    }
}

/// `#[serde(with = "crate::fixed::table")]` for a `Vec<T: Fixed>`.
pub mod table {
    use super::*;

    pub fn serialize<S: Serializer, T: Fixed>(items: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(items.len() * T::SIZE);
        for item in items {
            item.write(&mut bytes);
        }
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Fixed>(d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_bytes(TableVisitor(PhantomData))
    }

    struct TableVisitor<T>(PhantomData<T>);

    impl<T: Fixed> Visitor<'_> for TableVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a table of {}-byte records", T::SIZE)
        }

        fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<T>, E> {
            if !bytes.len().is_multiple_of(T::SIZE) {
                return Err(E::custom("table length is not a whole number of records"));
            }
            bytes
                .chunks_exact(T::SIZE)
                .map(T::read)
                .collect::<Option<Vec<T>>>()
                .ok_or_else(|| E::custom("invalid record in table"))
        }
    }
}

/// `#[serde(with = "crate::fixed::bytes")]` for a `Vec<u8>`, as one byte string.
pub mod bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_bytes(BytesVisitor)
    }

    struct BytesVisitor;

    impl Visitor<'_> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a byte string")
        }

        fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
            Ok(bytes.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Tables {
        #[serde(with = "table")]
        numbers: Vec<u32>,
        #[serde(with = "bytes")]
        text: Vec<u8>,
    }

    #[test]
    fn tables_round_trip_through_postcard() {
        let t = Tables {
            numbers: vec![0, 1, 300, u32::MAX],
            text: "ลูกค้า مشتری kunde".as_bytes().to_vec(),
        };
        let encoded = postcard::to_stdvec(&t).unwrap();
        assert_eq!(postcard::from_bytes::<Tables>(&encoded).unwrap(), t);
    }

    #[test]
    fn a_table_cut_mid_record_is_rejected() {
        let mut encoded = postcard::to_stdvec(&Tables {
            numbers: vec![7, 8],
            text: Vec::new(),
        })
        .unwrap();
        // The table's length prefix is its first byte: claim 7 bytes instead of 8.
        encoded[0] = 7;
        encoded.remove(1);
        assert!(postcard::from_bytes::<Tables>(&encoded).is_err());
    }
}
