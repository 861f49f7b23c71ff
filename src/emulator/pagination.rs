//! Ordered block/mute lists and their opaque, stable pagination tokens.
//!
//! Every block (or mute) gets an increasing sequence number; lists are served by sequence
//! descending (newest first) and a token carries a sequence cursor. Accounts that stay in the
//! list while someone pages are therefore never duplicated or skipped.

use std::collections::BTreeMap;

use super::world::mix;

/// A list of accounts ordered by the sequence number of the action that added them.
#[derive(Debug, Clone)]
pub struct SeqList {
    by_seq: BTreeMap<u64, u32>,
    seq_of: Vec<u64>,
}

impl SeqList {
    /// An empty list over `total` accounts.
    pub fn new(total: usize) -> Self {
        Self {
            by_seq: BTreeMap::new(),
            seq_of: vec![0; total],
        }
    }

    /// A list built from `(seq, index)` pairs.
    pub fn from_pairs(total: usize, pairs: impl Iterator<Item = (u64, u32)>) -> Self {
        let mut seq_of = vec![0; total];
        let by_seq: BTreeMap<u64, u32> = pairs.inspect(|&(s, i)| seq_of[i as usize] = s).collect();
        Self { by_seq, seq_of }
    }

    /// Number of accounts in the list.
    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    /// Is the list empty?
    pub fn is_empty(&self) -> bool {
        self.by_seq.is_empty()
    }

    /// Is the account in the list?
    pub fn contains(&self, idx: u32) -> bool {
        self.seq_of[idx as usize] != 0
    }

    /// Adds an account with sequence `seq`; false if it was already there.
    pub fn insert(&mut self, idx: u32, seq: u64) -> bool {
        if self.contains(idx) {
            return false;
        }
        self.seq_of[idx as usize] = seq;
        self.by_seq.insert(seq, idx);
        true
    }

    /// Removes an account; false if it was not there.
    pub fn remove(&mut self, idx: u32) -> bool {
        let seq = std::mem::take(&mut self.seq_of[idx as usize]);
        seq != 0 && self.by_seq.remove(&seq).is_some()
    }

    /// All accounts, newest first.
    pub fn indices_desc(&self) -> Vec<u32> {
        self.by_seq.values().rev().copied().collect()
    }

    /// Up to `n` entries older than `before` (all when `None`), newest first.
    pub fn older(&self, before: Option<u64>, n: usize) -> Vec<(u64, u32)> {
        let range = match before {
            Some(b) => self.by_seq.range(..b),
            None => self.by_seq.range(..),
        };
        range.rev().take(n).map(|(&s, &i)| (s, i)).collect()
    }

    /// Up to `n` entries newer than `after`, closest to it, returned newest first.
    pub fn newer(&self, after: u64, n: usize) -> Vec<(u64, u32)> {
        let mut v: Vec<_> = self
            .by_seq
            .range(after + 1..)
            .take(n)
            .map(|(&s, &i)| (s, i))
            .collect();
        v.reverse();
        v
    }

    /// Any entry older than `seq`?
    pub fn has_older(&self, seq: u64) -> bool {
        self.by_seq.range(..seq).next().is_some()
    }

    /// Any entry newer than `seq`?
    pub fn has_newer(&self, seq: u64) -> bool {
        self.by_seq.range(seq + 1..).next().is_some()
    }
}

/// Where a token points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Entries older than this sequence number.
    Before(u64),
    /// Entries newer than this sequence number.
    After(u64),
}

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Encodes a cursor of list `kind` as lower-case base32 (23 characters).
pub fn encode(secret: u64, kind: u8, cursor: Cursor) -> String {
    let (dir, seq) = match cursor {
        Cursor::Before(s) => (0u8, s),
        Cursor::After(s) => (1u8, s),
    };
    let mut bytes = vec![kind, dir];
    bytes.extend_from_slice(&seq.to_be_bytes());
    let check = checksum(secret, kind, dir, seq);
    whiten(secret, check, &mut bytes);
    bytes.extend_from_slice(&check.to_be_bytes());
    base32(&bytes)
}

/// Decodes a token of list `kind`; `None` if it is not one this world issued.
pub fn decode(secret: u64, kind: u8, token: &str) -> Option<Cursor> {
    let mut bytes = unbase32(token)?;
    if bytes.len() != 14 || token.len() != 23 {
        return None;
    }
    let check = u32::from_be_bytes(bytes[10..14].try_into().ok()?);
    whiten(secret, check, &mut bytes[..10]);
    if bytes[0] != kind {
        return None;
    }
    let seq = u64::from_be_bytes(bytes[2..10].try_into().ok()?);
    if check != checksum(secret, kind, bytes[1], seq) {
        return None;
    }
    match bytes[1] {
        0 => Some(Cursor::Before(seq)),
        1 => Some(Cursor::After(seq)),
        _ => None,
    }
}

/// XORs the payload with a keystream drawn from the checksum, so tokens look random.
fn whiten(secret: u64, check: u32, bytes: &mut [u8]) {
    let a = mix(secret ^ check as u64).to_be_bytes();
    let b = mix(!secret ^ check as u64).to_be_bytes();
    for (x, k) in bytes.iter_mut().zip(a.iter().chain(b.iter())) {
        *x ^= k;
    }
}

fn checksum(secret: u64, kind: u8, dir: u8, seq: u64) -> u32 {
    (mix(secret ^ mix(seq ^ ((kind as u64) << 56) ^ ((dir as u64) << 48))) >> 32) as u32
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = buf << 8 | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[(buf >> bits & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[(buf << (5 - bits) & 31) as usize] as char);
    }
    out
}

fn unbase32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        buf = (buf << 5 | v) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let t = encode(9, 0, Cursor::Before(12345));
        assert!(t.len() >= 16);
        assert!(t.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(decode(9, 0, &t), Some(Cursor::Before(12345)));
        assert_eq!(decode(9, 1, &t), None);
        assert_eq!(decode(8, 0, &t), None);
        let t2 = encode(9, 1, Cursor::After(7));
        assert_eq!(decode(9, 1, &t2), Some(Cursor::After(7)));
        let mut bad = t.clone().into_bytes();
        bad[5] = if bad[5] == b'a' { b'b' } else { b'a' };
        assert_eq!(decode(9, 0, std::str::from_utf8(&bad).unwrap()), None);
        assert_eq!(decode(9, 0, "NOT-A-TOKEN"), None);
    }

    #[test]
    fn seq_list_pages() {
        let mut l = SeqList::from_pairs(10, (1..=5u32).map(|i| (6 - i as u64, i)));
        assert_eq!(l.indices_desc(), vec![1, 2, 3, 4, 5]);
        assert_eq!(l.older(None, 2), vec![(5, 1), (4, 2)]);
        assert_eq!(l.older(Some(4), 2), vec![(3, 3), (2, 4)]);
        assert_eq!(l.newer(3, 1), vec![(4, 2)]);
        assert!(l.remove(2));
        assert!(!l.remove(2));
        assert!(l.insert(7, 9));
        assert_eq!(l.indices_desc(), vec![7, 1, 3, 4, 5]);
    }
}
