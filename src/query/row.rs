//! One account as the evaluator sees it, and how it is read from X's user object.

use super::Flag;
use crate::api::types::User;

/// Longest handle the TUI keeps (X's are at most 15 characters).
const HANDLE_CHARS: usize = 32;
/// Longest bio the TUI keeps (X allows 160 characters).
const BIO_CHARS: usize = 200;
/// Longest name, location or URL the TUI keeps.
const SHORT_CHARS: usize = 80;

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

impl Row {
    /// The row of an X user object; `first_seen` from the local store. The text is sanitized
    /// as the TUI shows it (controls dropped, line breaks as spaces).
    pub fn from_user(u: &User, first_seen: Option<i64>) -> Self {
        let clean = crate::text::sanitize;
        let m = u.public_metrics.unwrap_or_default();
        let bio = clean(u.description.as_deref().unwrap_or(""));
        let mut flags = 0;
        for (flag, on) in [
            (Flag::Verified, u.verified == Some(true)),
            (Flag::Protected, u.protected == Some(true)),
            (Flag::DefaultAvatar, default_avatar(u)),
            (Flag::BioEmpty, bio.is_empty()),
        ] {
            if on {
                flags |= flag.bit();
            }
        }
        Self {
            handle: clean(&u.username),
            name: clean(&u.name),
            bio,
            location: clean(u.location.as_deref().unwrap_or("")),
            url: clean(expanded_url(u).unwrap_or("")),
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
        use crate::text::cap;
        for (field, max) in [
            (&mut self.handle, HANDLE_CHARS),
            (&mut self.name, SHORT_CHARS),
            (&mut self.bio, BIO_CHARS),
            (&mut self.location, SHORT_CHARS),
            (&mut self.url, SHORT_CHARS),
        ] {
            *field = cap(std::mem::take(field), max);
        }
        self
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

/// The profile link as X expands it (`entities.url.urls[0].expanded_url`), else `url` as sent.
pub fn expanded_url(u: &User) -> Option<&str> {
    u.extra
        .get("entities")
        .and_then(|e| e.get("url"))
        .and_then(|e| e.get("urls"))
        .and_then(|urls| urls.get(0))
        .and_then(|url| url.get("expanded_url"))
        .and_then(|v| v.as_str())
        .or(u.url.as_deref())
}

/// True when the avatar is X's default picture (the egg and its successors).
pub fn default_avatar(u: &User) -> bool {
    u.profile_image_url
        .as_deref()
        .is_some_and(|p| p.contains("default_profile_images"))
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}
