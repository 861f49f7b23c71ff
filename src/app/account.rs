//! The loaded accounts: their text and numbers live once in the query index (lower-cased and
//! packed, with case patches), the rest beside it in [`Accounts`]; [`Account`] is one account
//! put back together for display, with every string sanitized once on arrival.

use std::collections::HashMap;

use crate::api::types::{Tweet, User};
use crate::api::Write;
use crate::query::{Count, Flag, Index, Row};
use crate::text::SafeText;

/// Longest pinned-post text kept.
const POST_CHARS: usize = 300;
/// Longest id kept (X's are at most 19 digits).
const ID_CHARS: usize = 24;

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
    /// Builds the account from an API user, sanitizing every string once (and capping it as
    /// the list keeps it: [`Row::capped`]).
    pub fn from_user(user: &User, pinned: Option<&Tweet>, first_seen: i64) -> Self {
        let row = Row::from_user(user, Some(first_seen)).capped();
        let mut one = Accounts::default();
        let mut index = Index::default();
        index.push(&row);
        one.push(&user.id, pinned, user.pinned_tweet_id.is_some());
        let mut a = one.view(0, &index);
        a.first_seen = first_seen;
        a
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
}

/// Standing and pinned-post flag of one loaded account (two bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    standing: Standing,
    has_pin: bool,
}

/// What the loaded accounts hold beside the query index: ids, standing this session, pinned
/// posts. Account `i` here is account `i` of the index.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// Numeric ids (`u64::MAX` for an id that is not a plain number, kept in `odd_ids`).
    ids: Vec<u64>,
    odd_ids: HashMap<u32, SafeText>,
    slots: Vec<Slot>,
    pinned: HashMap<u32, SafeText>,
}

/// The id as a number when it is exactly one (no sign, no leading zero).
pub(crate) fn numeric_id(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    let canonical =
        !b.is_empty() && b.iter().all(u8::is_ascii_digit) && (b[0] != b'0' || b.len() == 1);
    id.parse::<u64>()
        .ok()
        .filter(|n| canonical && *n != u64::MAX)
}

impl Accounts {
    /// Number of loaded accounts.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when none is loaded.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds one account (its text and numbers go to the index); returns its index.
    pub fn push(&mut self, id: &str, pinned: Option<&Tweet>, has_pin: bool) -> u32 {
        self.push_numbered(id, numeric_id(id), pinned, has_pin)
    }

    /// [`Accounts::push`] of an id already read as a number (`num`, from [`numeric_id`]).
    pub(crate) fn push_numbered(
        &mut self,
        id: &str,
        num: Option<u64>,
        pinned: Option<&Tweet>,
        has_pin: bool,
    ) -> u32 {
        let i = self.slots.len() as u32;
        match num {
            Some(n) => self.ids.push(n),
            None => {
                self.ids.push(u64::MAX);
                self.odd_ids.insert(i, SafeText::new_capped(id, ID_CHARS));
            }
        }
        if let Some(t) = pinned {
            self.pinned
                .insert(i, SafeText::new_capped(&t.text, POST_CHARS));
        }
        self.slots.push(Slot {
            standing: Standing::Blocked,
            has_pin: has_pin || pinned.is_some(),
        });
        i
    }

    /// The id of account `i`.
    pub fn id(&self, i: u32) -> String {
        match self.ids[i as usize] {
            u64::MAX => self
                .odd_ids
                .get(&i)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            n => n.to_string(),
        }
    }

    /// The id of account `i` when it is a plain number.
    pub fn numeric(&self, i: u32) -> Option<u64> {
        Some(self.ids[i as usize]).filter(|&n| n != u64::MAX)
    }

    /// Where account `i` stands after this session's actions.
    pub fn standing(&self, i: u32) -> Standing {
        self.slots[i as usize].standing
    }

    /// Sets where account `i` stands.
    pub fn set_standing(&mut self, i: u32, standing: Standing) {
        self.slots[i as usize].standing = standing;
    }

    /// Sets the pinned post of account `i` as looked up (`None`: X has none for it).
    pub fn set_pinned(&mut self, i: u32, text: Option<&str>) {
        self.slots[i as usize].has_pin = text.is_some();
        match text {
            Some(t) => {
                self.pinned.insert(i, SafeText::new_capped(t, POST_CHARS));
            }
            None => {
                self.pinned.remove(&i);
            }
        }
    }

    /// Forgets every account.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Bytes held (capacity of every column, and the maps' entries).
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 8
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + (self.odd_ids.capacity() + self.pinned.capacity()) * (4 + 16 + 1)
            + self
                .odd_ids
                .values()
                .chain(self.pinned.values())
                .map(SafeText::heap_bytes)
                .sum::<usize>()
    }

    /// Account `i` put back together from these columns and its row in `index`.
    pub fn view(&self, i: u32, index: &Index) -> Account {
        let [handle, name, bio, location, url] = index.fields(i).map(SafeText::from_sanitized);
        let slot = self.slots[i as usize];
        Account {
            id: match self.numeric(i) {
                Some(n) => SafeText::from_sanitized(n.to_string()),
                None => self.odd_ids.get(&i).cloned().unwrap_or_default(),
            },
            handle,
            name,
            bio,
            location,
            url,
            pinned: self.pinned.get(&i).cloned(),
            has_pin: slot.has_pin,
            created_at: index.created_at(i),
            first_seen: index.first_seen(i).unwrap_or(0),
            followers: index.count(i, Count::Followers),
            following: index.count(i, Count::Following),
            posts: index.count(i, Count::Posts),
            verified: index.flag(i, Flag::Verified),
            protected: index.flag(i, Flag::Protected),
            standing: slot.standing,
        }
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

pub use crate::api::types::parse_rfc3339;

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
