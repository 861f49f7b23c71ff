//! One loaded account, stored compactly with its display strings sanitized once on arrival.

use crate::api::types::{Tweet, User};
use crate::api::Write;
use crate::text::SafeText;

/// Longest bio kept (X allows 160 characters; hostile data may send more).
const BIO_CHARS: usize = 200;
/// Longest pinned-post text kept.
const POST_CHARS: usize = 300;
/// Longest name, location or URL kept.
const SHORT_CHARS: usize = 80;

/// Where an account stands after actions taken in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    /// Blocked (as loaded).
    #[default]
    Blocked,
    /// An action on it is queued or in flight.
    Pending,
    /// Unblocked in this session.
    Unblocked,
    /// Muted in this session (still blocked unless unblocked too).
    Muted,
}

impl Standing {
    /// Where an account standing at `self` stands once `w` went through.
    pub fn after(self, w: Write) -> Self {
        match w {
            Write::Unblock => Self::Unblocked,
            Write::Block => Self::Blocked,
            Write::Mute => Self::Muted,
            // A pending unmute was asked for a muted account.
            Write::Unmute if matches!(self, Self::Muted | Self::Pending) => Self::Blocked,
            Write::Unmute => self,
        }
    }

    /// Where an account stood before `w` was asked for (it failed or was cancelled).
    pub fn before(w: Write) -> Self {
        match w {
            Write::Block => Self::Unblocked,
            Write::Unblock | Write::Mute => Self::Blocked,
            Write::Unmute => Self::Muted,
        }
    }
}

/// A blocked account as the TUI keeps it: sanitized text, parsed dates, counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Numeric id string as the API sent it (digits only are kept as-is; anything else sanitized).
    pub id: SafeText,
    /// Handle without `@`.
    pub handle: SafeText,
    /// Display name.
    pub name: SafeText,
    /// Bio, single line (wrapped at render time).
    pub bio: SafeText,
    /// Free-text location.
    pub location: SafeText,
    /// Profile link.
    pub url: SafeText,
    /// Pinned post text, once loaded on demand (`P`).
    pub pinned: Option<SafeText>,
    /// X lists a pinned post for the account (its text is not loaded until asked for).
    pub has_pin: bool,
    /// `created_at` as Unix seconds.
    pub created_at: Option<i64>,
    /// When this account was first seen locally (Unix seconds).
    pub first_seen: i64,
    /// Followers.
    pub followers: u64,
    /// Following.
    pub following: u64,
    /// Posts.
    pub posts: u64,
    /// Verified flag.
    pub verified: bool,
    /// Protected account.
    pub protected: bool,
    /// Standing after this session's actions.
    pub standing: Standing,
}

impl Account {
    /// Builds the account from an API user, sanitizing every string once.
    pub fn from_user(user: &User, pinned: Option<&Tweet>, first_seen: i64) -> Self {
        let metrics = user.public_metrics.unwrap_or_default();
        Self {
            id: SafeText::new_capped(&user.id, 24),
            handle: SafeText::new_capped(&user.username, 32),
            name: SafeText::new_capped(&user.name, SHORT_CHARS),
            bio: SafeText::new_capped(user.description.as_deref().unwrap_or(""), BIO_CHARS),
            location: SafeText::new_capped(user.location.as_deref().unwrap_or(""), SHORT_CHARS),
            url: SafeText::new_capped(crate::query::expanded_url(user).unwrap_or(""), SHORT_CHARS),
            pinned: pinned.map(|t| SafeText::new_capped(&t.text, POST_CHARS)),
            has_pin: user.pinned_tweet_id.is_some(),
            created_at: user.created_at.as_deref().and_then(parse_rfc3339),
            first_seen,
            followers: metrics.followers_count,
            following: metrics.following_count,
            posts: metrics.tweet_count,
            verified: user.verified.unwrap_or(false),
            protected: user.protected.unwrap_or(false),
            standing: Standing::Blocked,
        }
    }

    /// Sets the pinned post's text as looked up (`None`: X has none for the account).
    pub fn set_pinned(&mut self, text: Option<&str>) {
        self.has_pin = text.is_some();
        self.pinned = text.map(|t| SafeText::new_capped(t, POST_CHARS));
    }

    /// The profile URL to open: `https://x.com/<handle>` when the handle is a valid X handle,
    /// otherwise the id-based form (never an arbitrary string from the API).
    pub fn profile_url(&self) -> String {
        if is_valid_handle(self.handle.as_str()) {
            format!("https://x.com/{}", self.handle)
        } else {
            format!("https://x.com/i/user/{}", digits_only(self.id.as_str()))
        }
    }

    /// Bytes owned by this account (struct plus heap strings).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.id.heap_bytes()
            + self.handle.heap_bytes()
            + self.name.heap_bytes()
            + self.bio.heap_bytes()
            + self.location.heap_bytes()
            + self.url.heap_bytes()
            + self.pinned.as_ref().map_or(0, SafeText::heap_bytes)
    }
}

/// True for an X handle: 1–15 of `[A-Za-z0-9_]`.
pub fn is_valid_handle(handle: &str) -> bool {
    (1..=15).contains(&handle.len())
        && handle
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Parses an RFC 3339 timestamp into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_moves_the_standing_and_a_failed_one_puts_it_back() {
        use Standing::*;
        assert_eq!(Pending.after(Write::Unblock), Unblocked);
        assert_eq!(Pending.after(Write::Block), Blocked);
        assert_eq!(Pending.after(Write::Mute), Muted);
        assert_eq!(Muted.after(Write::Unmute), Blocked);
        assert_eq!(Unblocked.after(Write::Unmute), Unblocked);
        for w in Write::ALL {
            // Undoing a write leaves the account where it stood before the write.
            assert_eq!(
                Standing::before(w).after(w).after(w.inverse()),
                Standing::before(w)
            );
        }
    }

    fn user() -> User {
        User {
            id: "42".into(),
            name: "A\x1b[31mB\u{202E}".into(),
            username: "evil\nhandle".into(),
            created_at: Some("2020-01-02T03:04:05.000Z".into()),
            description: Some("line1\nline2".into()),
            ..Default::default()
        }
    }

    #[test]
    fn sanitizes_and_parses_once() {
        let a = Account::from_user(&user(), None, 7);
        assert_eq!(a.name.as_str(), "AB");
        assert_eq!(a.bio.as_str(), "line1 line2");
        assert_eq!(a.created_at, Some(1_577_934_245));
        assert_eq!(a.first_seen, 7);
    }

    #[test]
    fn profile_url_never_uses_an_invalid_handle() {
        let a = Account::from_user(&user(), None, 0);
        assert_eq!(a.profile_url(), "https://x.com/i/user/42");
        let mut u = user();
        u.username = "jack".into();
        assert_eq!(
            Account::from_user(&u, None, 0).profile_url(),
            "https://x.com/jack"
        );
    }
}
