//! FNV-1a, the one hash the crate computes itself: the same in every build and on every
//! machine (std's hasher is seeded and may change between Rust versions), for what is kept in
//! files or must not move between builds: translations' fingerprints, the steps' tie-breaking
//! order, the classifier's feature buckets.

/// An FNV-1a state over 64 bits.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a {
    const OFFSET: u64 = 0xcbf29ce484222325;
    const PRIME: u64 = 0x100000001b3;

    pub const fn new() -> Self {
        Fnv1a(Self::OFFSET)
    }

    /// Mixes in one unit: a byte, or a whole character's code point (the classifier's
    /// n-grams hash characters, not their UTF-8 bytes, and its kept models depend on it).
    pub fn unit(&mut self, unit: u64) {
        self.0 ^= unit;
        self.0 = self.0.wrapping_mul(Self::PRIME);
    }

    /// Mixes in every byte of `bytes`.
    pub fn bytes(&mut self, bytes: impl IntoIterator<Item = u8>) {
        for b in bytes {
            self.unit(u64::from(b));
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_values() {
        // The FNV-1a test vectors (64-bit): "" and "a".
        assert_eq!(Fnv1a::new().finish(), 0xcbf29ce484222325);
        let mut h = Fnv1a::new();
        h.bytes(*b"a");
        assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn a_character_is_one_unit_whatever_its_bytes() {
        // "ø" is two bytes in UTF-8 but one unit here, as the classifier's n-grams hash it.
        let mut by_char = Fnv1a::new();
        by_char.unit(u64::from('ø'));
        let mut by_bytes = Fnv1a::new();
        by_bytes.bytes("ø".bytes());
        assert_ne!(by_char.finish(), by_bytes.finish());
    }
}
