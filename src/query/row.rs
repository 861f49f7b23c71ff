//! One account as the evaluator sees it, and how it is read from X's user object.

use std::borrow::Cow;

use super::Flag;
use crate::api::types::{parse_rfc3339, User};

/// Longest handle the TUI keeps (X's are at most 15 characters).
const HANDLE_CHARS: usize = 32;
/// Longest bio the TUI keeps (X allows 160 characters).
const BIO_CHARS: usize = 200;
/// Longest name, location or URL the TUI keeps.
const SHORT_CHARS: usize = 80;
/// Longest handle, name, bio, location and URL the TUI keeps, in that order.
const CAPS: [usize; 5] = [
    HANDLE_CHARS,
    SHORT_CHARS,
    BIO_CHARS,
    SHORT_CHARS,
    SHORT_CHARS,
];

/// The searchable fields and columns of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Handle without `@`.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// Bio.
    pub bio: String,
    /// Location.
    pub location: String,
    /// Profile link, expanded (not t.co).
    pub url: String,
    /// Followers.
    pub followers: u64,
    /// Following.
    pub following: u64,
    /// Posts.
    pub posts: u64,
    /// Lists the account is on.
    pub listed: u64,
    /// Creation time, Unix seconds.
    pub created_at: Option<i64>,
    /// First seen in the block list, Unix seconds.
    pub first_seen: Option<i64>,
    /// [`Flag::bit`]s that hold (verified, protected, default avatar, bio empty, kept, gone).
    pub flags: u8,
}

/// A row's fields, borrowed: what [`super::Index::push_ref`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef<'a> {
    /// Handle, name, bio, location and profile link (as [`Row`] names them), in that order.
    pub text: [&'a str; 5],
    /// Followers, following, posts and lists.
    pub counts: [u64; 4],
    /// Creation time, Unix seconds.
    pub created_at: Option<i64>,
    /// First seen in the block list, Unix seconds.
    pub first_seen: Option<i64>,
    /// [`Flag::bit`]s that hold.
    pub flags: u8,
}

/// A row of borrowed text already sanitized ([`crate::text::sanitize`]), each field cut to
/// what the TUI keeps as [`Row::capped`] does (copied only when cut).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanRow<'a> {
    text: [Cow<'a, str>; 5],
    counts: [u64; 4],
    created_at: Option<i64>,
    first_seen: Option<i64>,
    flags: u8,
}

/// What an account says of itself beside its text and numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnFlags {
    /// Verified.
    pub verified: bool,
    /// Protected.
    pub protected: bool,
    /// X's default avatar.
    pub default_avatar: bool,
}

impl<'a> CleanRow<'a> {
    /// The row of sanitized handle, name, bio, location and expanded profile link.
    pub fn new(
        text: [&'a str; 5],
        counts: [u64; 4],
        created_at: Option<i64>,
        first_seen: Option<i64>,
        own: OwnFlags,
    ) -> Self {
        let text = std::array::from_fn(|i| crate::text::capped(Cow::Borrowed(text[i]), CAPS[i]));
        let flags = own_flags(own, text[2].is_empty());
        Self {
            text,
            counts,
            created_at,
            first_seen,
            flags,
        }
    }

    /// The row's fields, borrowed.
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            text: std::array::from_fn(|i| &*self.text[i]),
            counts: self.counts,
            created_at: self.created_at,
            first_seen: self.first_seen,
            flags: self.flags,
        }
    }
}

/// The flags an account's own fields decide (the keep list and gone are set apart).
fn own_flags(own: OwnFlags, bio_empty: bool) -> u8 {
    let mut flags = 0;
    for (flag, on) in [
        (Flag::Verified, own.verified),
        (Flag::Protected, own.protected),
        (Flag::DefaultAvatar, own.default_avatar),
        (Flag::BioEmpty, bio_empty),
    ] {
        if on {
            flags |= flag.bit();
        }
    }
    flags
}

impl Row {
    /// The row of an X user object; `first_seen` from the local store. The text is sanitized
    /// as the TUI shows it (controls dropped, line breaks as spaces).
    pub fn from_user(u: &User, first_seen: Option<i64>) -> Self {
        let clean = crate::text::sanitize;
        let m = u.public_metrics.unwrap_or_default();
        let bio = clean(u.description.as_deref().unwrap_or(""));
        let own = OwnFlags {
            verified: u.verified == Some(true),
            protected: u.protected == Some(true),
            default_avatar: u.default_avatar(),
        };
        let flags = own_flags(own, bio.is_empty());
        Self {
            handle: clean(&u.username),
            name: clean(&u.name),
            bio,
            location: clean(u.location.as_deref().unwrap_or("")),
            url: clean(u.expanded_url().unwrap_or("")),
            followers: m.followers_count,
            following: m.following_count,
            posts: m.tweet_count,
            listed: m.listed_count,
            created_at: u.created_at.as_deref().and_then(parse_rfc3339),
            first_seen,
            flags,
        }
    }

    /// The row with each text cut to what the TUI keeps of it (an ellipsis marks a cut): X's
    /// own limits are lower, so only hostile data is ever cut. The TUI searches what it shows.
    pub fn capped(mut self) -> Self {
        let fields = [
            &mut self.handle,
            &mut self.name,
            &mut self.bio,
            &mut self.location,
            &mut self.url,
        ];
        for (field, max) in fields.into_iter().zip(CAPS) {
            *field = crate::text::cap(std::mem::take(field), max);
        }
        self
    }

    /// The row's fields, borrowed.
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            text: [
                &self.handle,
                &self.name,
                &self.bio,
                &self.location,
                &self.url,
            ],
            counts: [self.followers, self.following, self.posts, self.listed],
            created_at: self.created_at,
            first_seen: self.first_seen,
            flags: self.flags,
        }
    }

    /// Sets or clears one flag.
    pub fn set(&mut self, flag: Flag, on: bool) {
        if on {
            self.flags |= flag.bit();
        } else {
            self.flags &= !flag.bit();
        }
    }
}
