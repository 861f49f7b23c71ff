//! The seeded world: every account's fields derived on demand from (seed, index).
//!
//! Index 0 is the signed-in account, `1..=users` are blocked at start (index 1 newest), the rest
//! are other accounts. Ids and handles are bijections of the index, so lookups by id or handle
//! need no tables: a 1M-account world costs nothing until asked.

mod profile;

pub use profile::{rfc3339, Metrics, Post, Profile};

use super::words;
use profile::pick;

/// splitmix64 finaliser: the cheap hash every derived field comes from.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An invertible affine map `x → a·x + b (mod m)`.
#[derive(Debug, Clone, Copy)]
struct Affine {
    m: u64,
    a: u64,
    b: u64,
    a_inv: u64,
}

impl Affine {
    /// `a` must be coprime with `m`.
    fn new(m: u64, a: u64, b: u64) -> Self {
        let a_inv = mod_inverse(a as i128, m as i128).expect("multiplier coprime with modulus");
        Self {
            m,
            a,
            b: b % m,
            a_inv: a_inv as u64,
        }
    }
    fn fwd(&self, x: u64) -> u64 {
        ((x as u128 * self.a as u128 + self.b as u128) % self.m as u128) as u64
    }
    fn inv(&self, y: u64) -> u64 {
        let d = (y as u128 + self.m as u128 - self.b as u128) % self.m as u128;
        ((d * self.a_inv as u128) % self.m as u128) as u64
    }
}

fn mod_inverse(a: i128, m: i128) -> Option<i128> {
    let (mut r0, mut r1, mut s0, mut s1) = (a.rem_euclid(m), m, 1i128, 0i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (s0, s1) = (s1, s0 - q * s1);
    }
    (r0 == 1).then(|| s0.rem_euclid(m))
}

/// Picks a multiplier coprime with 10^k (ends in 1, 3, 7 or 9).
fn decimal_multiplier(h: u64, m: u64) -> u64 {
    let a = (h % m).max(11);
    a - a % 10 + [1, 3, 7, 9][(h >> 60) as usize % 4]
}

const NEW_ID_BASE: u64 = 1_000_000_000_000_000_000;
const ID_SPACE: u64 = 8_000_000_000_000_000_000;
const OLD_SPACE: u64 = 1_000_000_000;

// Salts of the derived fields.
const S_OLD: u64 = 1;
const S_HANDLE: u64 = 2;
const S_NAME: u64 = 3;
const S_BIO: u64 = 4;
const S_PLACE: u64 = 5;
const S_URL: u64 = 6;
const S_TIME: u64 = 7;
const S_METRICS: u64 = 8;
const S_FLAGS: u64 = 9;
const S_PIN: u64 = 10;
const S_RECENT: u64 = 11;
const S_HOSTILE: u64 = 12;
const S_MUTE: u64 = 13;
const S_IMAGE: u64 = 14;
const S_FOLLOW: u64 = 15;

/// The immutable part of the emulated world.
#[derive(Debug, Clone)]
pub struct World {
    seed: u64,
    blocked: usize,
    total: usize,
    hostile: bool,
    handle_perm: Affine,
    id_perm: Affine,
    old_perm: Affine,
}

impl World {
    /// The world of `users` blocked accounts for `seed`.
    pub fn new(seed: u64, users: usize, hostile: bool) -> Self {
        let others = users / 10 + 1000;
        let total = 1 + users + others;
        let mut handle_mod = 10_000u64;
        while handle_mod < total as u64 {
            handle_mod *= 10;
        }
        let h = |salt| mix(seed ^ mix(salt));
        Self {
            seed,
            blocked: users,
            total,
            hostile,
            handle_perm: Affine::new(handle_mod, decimal_multiplier(h(101), handle_mod), h(102)),
            id_perm: Affine::new(ID_SPACE, decimal_multiplier(h(103), ID_SPACE), h(104)),
            old_perm: Affine::new(OLD_SPACE, decimal_multiplier(h(105), OLD_SPACE), h(106)),
        }
    }

    /// Number of accounts (the signed-in one included).
    pub fn total(&self) -> usize {
        self.total
    }

    /// Number of accounts blocked at start.
    pub fn initial_blocked(&self) -> usize {
        self.blocked
    }

    /// Index of the signed-in account.
    pub fn me(&self) -> u32 {
        0
    }

    fn h(&self, idx: u32, salt: u64) -> u64 {
        mix(self.seed ^ mix(idx as u64 ^ salt.rotate_left(40)))
    }

    fn old(&self, idx: u32) -> bool {
        self.h(idx, S_OLD).is_multiple_of(33)
    }

    /// Numeric id of an account.
    pub fn id_num(&self, idx: u32) -> u64 {
        if self.old(idx) {
            1 + self.old_perm.fwd(idx as u64)
        } else {
            NEW_ID_BASE + self.id_perm.fwd(idx as u64)
        }
    }

    /// Id string of an account.
    pub fn id(&self, idx: u32) -> String {
        self.id_num(idx).to_string()
    }

    /// The account with this id string, if any.
    pub fn index_of_id(&self, id: &str) -> Option<u32> {
        let n: u64 = id.parse().ok()?;
        let idx = if n >= NEW_ID_BASE {
            let v = n - NEW_ID_BASE;
            if v >= ID_SPACE {
                return None;
            }
            self.id_perm.inv(v)
        } else {
            if n == 0 || n > OLD_SPACE {
                return None;
            }
            self.old_perm.inv(n - 1)
        };
        let idx = u32::try_from(idx).ok()?;
        ((idx as usize) < self.total && self.id(idx) == id).then_some(idx)
    }

    /// Handle of an account: a word-based prefix and the permuted index in decimal.
    pub fn username(&self, idx: u32) -> String {
        let suffix = self.handle_perm.fwd(idx as u64).to_string();
        let room = 15 - suffix.len();
        let h = self.h(idx, S_HANDLE);
        // The same picks as the display name, so handles look like their owners' names.
        let n = self.h(idx, S_NAME);
        let first = pick(&words::FIRST, n >> 8);
        let last = pick(&words::LAST, n >> 16);
        let word = pick(&words::WORDS, n >> 24);
        let word2 = pick(&words::WORDS, h >> 32);
        let brand = n % 10 == 7;
        let mut prefix = match if brand { 6 } else { h % 12 } {
            0 | 1 => first.to_lowercase(),
            2 | 3 => format!("{}_{}", first.to_lowercase(), last.to_lowercase()),
            4 | 5 => format!("{first}{last}"),
            6 if brand => format!("{word}{}", pick(&words::WORDS, n >> 40)),
            6 => format!("{word}{word2}"),
            7 => format!("{word}_{}", first.to_lowercase()),
            8 | 9 => format!("{}{}", &first[..1].to_lowercase(), last.to_lowercase()),
            10 => format!("{}_{}", last.to_lowercase(), &first[..1].to_lowercase()),
            _ => format!("the{}", last.to_lowercase()),
        };
        prefix.truncate(room);
        prefix + &suffix
    }

    /// The account with this handle (case-insensitive), if any.
    pub fn index_of_username(&self, name: &str) -> Option<u32> {
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits == name.len() || digits > 19 {
            return None;
        }
        let n: u64 = name[name.len() - digits..].parse().ok()?;
        if n >= self.handle_perm.m {
            return None;
        }
        let idx = u32::try_from(self.handle_perm.inv(n)).ok()?;
        ((idx as usize) < self.total && self.username(idx).eq_ignore_ascii_case(name))
            .then_some(idx)
    }

    /// Blocked at start? (index 1 is the newest block.)
    pub fn initially_blocked(&self, idx: u32) -> bool {
        idx >= 1 && idx as usize <= self.blocked
    }

    /// Muted at start? (about one in nine of the other accounts.)
    pub fn initially_muted(&self, idx: u32) -> bool {
        idx as usize > self.blocked && !self.suspended(idx) && self.h(idx, S_MUTE).is_multiple_of(9)
    }

    /// Accounts the signed-in account follows (some of the accounts it does not block: X drops
    /// follows both ways on a block).
    pub fn i_follow(&self, idx: u32) -> bool {
        idx as usize > self.blocked && !self.suspended(idx) && self.h(idx, S_FOLLOW) % 5 == 1
    }

    /// Accounts that follow the signed-in account (some of those it does not block).
    pub fn follows_me(&self, idx: u32) -> bool {
        idx as usize > self.blocked && !self.suspended(idx) && self.h(idx, S_FOLLOW) % 7 < 2
    }

    /// Suspended accounts (a few of the other accounts): lookups answer "suspended".
    pub fn suspended(&self, idx: u32) -> bool {
        idx as usize > self.blocked && self.h(idx, S_FLAGS) % 97 == 3
    }

    fn hostile_text(&self, idx: u32, salt: u64) -> Option<&'static str> {
        if !self.hostile {
            return None;
        }
        let h = self.h(idx, S_HOSTILE ^ (salt << 16));
        (h.is_multiple_of(4)).then(|| pick(&words::HOSTILE, h >> 8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_handles_are_unique_and_reversible() {
        let w = World::new(7, 3000, false);
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for i in 0..w.total() as u32 {
            let id = w.id(i);
            let name = w.username(i);
            assert!(id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()));
            assert!(
                name.len() <= 15 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            );
            assert_eq!(w.index_of_id(&id), Some(i));
            assert_eq!(w.index_of_username(&name.to_uppercase()), Some(i));
            assert!(ids.insert(id));
            assert!(names.insert(name.to_lowercase()));
        }
        assert_eq!(w.index_of_id("0"), None);
        assert_eq!(w.index_of_username("nobody_here"), None);
    }
}
