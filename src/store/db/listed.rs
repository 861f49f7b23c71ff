//! The list row: what the TUI's list keeps of an account, packed into one column
//! (`accounts.list`) whenever the account is stored. Loading the whole list then reads one value
//! per account, not twenty columns and an account's worth of strings.
//!
//! Layout (version 1): the version byte, a flag byte ([`VERIFIED`] …), the creation time as
//! eight little-endian bytes when [`CREATED`] is set, the four counts as varints, the byte
//! lengths of the id, handle, name, bio, location and expanded profile link as varints, then
//! those six texts back to back in UTF-8 (checked in one pass when read). The row holds X's
//! text as sent; a [`ListedSlice`] holds it cleaned for a terminal ([`sanitized`]).

use crate::api::types::{parse_rfc3339, User};
use crate::text::sanitized;

/// The layout [`encode`] writes.
const VERSION: u8 = 1;
const VERIFIED: u8 = 1;
const PROTECTED: u8 = 2;
const DEFAULT_AVATAR: u8 = 4;
const HAS_PIN: u8 = 8;
const CREATED: u8 = 16;
/// Text fields of a list row: id, handle, name, bio, location, link.
const TEXTS: usize = 6;

/// The list row of `u`.
pub(super) fn encode(u: &User) -> Vec<u8> {
    let texts = [
        u.id.as_str(),
        &u.username,
        &u.name,
        u.description.as_deref().unwrap_or(""),
        u.location.as_deref().unwrap_or(""),
        u.expanded_url().unwrap_or(""),
    ];
    let mut out = Vec::with_capacity(48 + texts.iter().map(|t| t.len()).sum::<usize>());
    let created = u.created_at.as_deref().and_then(parse_rfc3339);
    let mut flags = 0;
    for (bit, on) in [
        (VERIFIED, u.verified == Some(true)),
        (PROTECTED, u.protected == Some(true)),
        (DEFAULT_AVATAR, u.default_avatar()),
        (HAS_PIN, u.pinned_tweet_id.is_some()),
        (CREATED, created.is_some()),
    ] {
        if on {
            flags |= bit;
        }
    }
    out.extend([VERSION, flags]);
    if let Some(t) = created {
        out.extend(t.to_le_bytes());
    }
    let m = u.public_metrics.unwrap_or_default();
    for n in [
        m.followers_count,
        m.following_count,
        m.tweet_count,
        m.listed_count,
    ] {
        put_varint(&mut out, n);
    }
    for t in texts {
        put_varint(&mut out, t.len() as u64);
    }
    for t in texts {
        out.extend_from_slice(t.as_bytes());
    }
    out
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint at the front of `b`, moving past it.
fn take_varint(b: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b.split_first()?;
        *b = rest;
        n |= u64::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return Some(n);
        }
    }
    None
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if b.len() < n {
        return None;
    }
    let (head, rest) = b.split_at(n);
    *b = rest;
    Some(head)
}

/// What one account of a [`ListedSlice`] holds beside its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Meta {
    /// Ends of its text fields in the slice's text.
    ends: [u32; TEXTS],
    counts: [u64; 4],
    created_at: Option<i64>,
    first_seen: i64,
    flags: u8,
}

/// Listed accounts as the list keeps them, newest block first: every account's text in one
/// buffer (no string per field), read with [`ListedSlice::iter`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedSlice {
    text: String,
    rows: Vec<Meta>,
}

/// One account of a [`ListedSlice`]; its text is cleaned for a terminal as
/// [`crate::text::sanitize`] does (not yet cut to any length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    /// Decimal id.
    pub id: &'a str,
    /// Handle without `@`.
    pub username: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Bio (`""` when none).
    pub bio: &'a str,
    /// Location (`""` when none).
    pub location: &'a str,
    /// Profile link as X expands it (`""` when none).
    pub url: &'a str,
    /// Followers, following, posts and lists.
    pub counts: [u64; 4],
    /// Creation time, Unix seconds.
    pub created_at: Option<i64>,
    /// When this profile first saw it in its list, Unix seconds.
    pub first_seen: i64,
    /// Verified.
    pub verified: bool,
    /// Protected.
    pub protected: bool,
    /// X's default avatar.
    pub default_avatar: bool,
    /// Has a pinned post.
    pub has_pin: bool,
}

impl ListedSlice {
    /// An empty slice with room for `n` accounts.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n * 96),
            rows: Vec::with_capacity(n),
        }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds `u`, first seen at `first_seen`.
    pub fn push_user(&mut self, u: &User, first_seen: i64) {
        let added = self.push_encoded(&encode(u), first_seen);
        debug_assert!(added, "a fresh list row reads back");
    }

    /// Adds the account of list row `row`; false (nothing added) when `row` is not a list row
    /// this build reads (another layout, or damaged).
    pub(super) fn push_encoded(&mut self, mut row: &[u8], first_seen: i64) -> bool {
        let start = self.text.len();
        let meta = self.decode(&mut row, first_seen);
        match meta {
            Some(meta) if row.is_empty() => {
                self.rows.push(meta);
                true
            }
            _ => {
                self.text.truncate(start);
                false
            }
        }
    }

    fn decode(&mut self, b: &mut &[u8], first_seen: i64) -> Option<Meta> {
        let [version, flags] = take(b, 2)? else {
            return None;
        };
        if *version != VERSION {
            return None;
        }
        let created_at = match flags & CREATED {
            0 => None,
            _ => Some(i64::from_le_bytes(take(b, 8)?.try_into().ok()?)),
        };
        let mut counts = [0; 4];
        for c in &mut counts {
            *c = take_varint(b)?;
        }
        let mut lens = [0; TEXTS];
        for n in &mut lens {
            *n = usize::try_from(take_varint(b)?).ok()?;
        }
        let total = lens.iter().try_fold(0usize, |sum, &n| sum.checked_add(n))?;
        let mut text = std::str::from_utf8(take(b, total)?).ok()?;
        let mut ends = [0; TEXTS];
        for (end, n) in ends.iter_mut().zip(lens) {
            if !text.is_char_boundary(n) {
                return None;
            }
            let (field, rest) = text.split_at(n);
            self.text.push_str(&sanitized(field));
            *end = u32::try_from(self.text.len()).ok()?;
            text = rest;
        }
        Some(Meta {
            ends,
            counts,
            created_at,
            first_seen,
            flags: *flags,
        })
    }

    /// The accounts in order.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_>> + '_ {
        let mut from = 0;
        self.rows.iter().map(move |m| {
            let mut field = m.ends.iter().map(|&end| {
                let s = &self.text[from..end as usize];
                from = end as usize;
                s
            });
            let mut next = || field.next().unwrap_or_default();
            Listed {
                id: next(),
                username: next(),
                name: next(),
                bio: next(),
                location: next(),
                url: next(),
                counts: m.counts,
                created_at: m.created_at,
                first_seen: m.first_seen,
                verified: m.flags & VERIFIED != 0,
                protected: m.flags & PROTECTED != 0,
                default_avatar: m.flags & DEFAULT_AVATAR != 0,
                has_pin: m.flags & HAS_PIN != 0,
            }
        })
    }

    /// The ids in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|l| l.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::PublicMetrics;

    fn user() -> User {
        serde_json::from_str(
            r#"{"id":"2244994945","name":"Dev \u202e👩‍👩‍👧","username":"XDevelopers",
                "created_at":"2013-12-14T04:35:55.000Z","description":"Bio\nline",
                "location":"127.0.0.1","url":"https://t.co/3ZX3TNiZCY",
                "entities":{"url":{"urls":[{"expanded_url":"https://developer.x.com"}]}},
                "profile_image_url":"https://abs.twimg.com/sticky/default_profile_images/a.png",
                "public_metrics":{"followers_count":600000,"following_count":2,
                    "tweet_count":3000,"listed_count":1},
                "verified":true,"protected":false,"pinned_tweet_id":"1"}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_list_row_reads_back_as_the_account_the_list_shows() {
        let mut s = ListedSlice::default();
        s.push_user(&user(), 1_700_000_000);
        s.push_user(
            &User {
                id: "7".into(),
                ..User::default()
            },
            5,
        );
        let all: Vec<Listed> = s.iter().collect();
        assert_eq!(
            all[0],
            Listed {
                id: "2244994945",
                username: "XDevelopers",
                name: "Dev 👩‍👩‍👧",
                bio: "Bio line",
                location: "127.0.0.1",
                url: "https://developer.x.com",
                counts: [600_000, 2, 3000, 1],
                created_at: Some(1_386_995_755),
                first_seen: 1_700_000_000,
                verified: true,
                protected: false,
                default_avatar: true,
                has_pin: true,
            }
        );
        assert_eq!(
            (all[1].id, all[1].name, all[1].created_at, all[1].has_pin),
            ("7", "", None, false)
        );
        assert_eq!(s.ids().collect::<Vec<_>>(), ["2244994945", "7"]);
    }

    #[test]
    fn a_damaged_or_foreign_row_adds_nothing() {
        let good = encode(&User {
            public_metrics: Some(PublicMetrics {
                followers_count: u64::MAX,
                ..PublicMetrics::default()
            }),
            ..user()
        });
        let mut s = ListedSlice::default();
        for n in 0..good.len() {
            assert!(!s.push_encoded(&good[..n], 0), "cut at {n}");
        }
        let mut longer = good.clone();
        longer.push(0);
        let mut other = good.clone();
        other[0] = 2;
        let mut not_utf8 = good.clone();
        let at = not_utf8.len() - 1;
        not_utf8[at] = 0xFF;
        for bad in [&longer, &other, &not_utf8] {
            assert!(!s.push_encoded(bad, 0));
        }
        assert_eq!(s, ListedSlice::default(), "nothing half-added");
        assert!(s.push_encoded(&good, 0));
        assert_eq!(s.iter().next().unwrap().counts[0], u64::MAX);
    }
}
