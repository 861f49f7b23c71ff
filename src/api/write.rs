//! [`Write`]: the one type for "a write to X" — what the UI confirms, the queue stores, the log
//! records and the client sends.

use serde::{Deserialize, Serialize};

use super::Endpoint;

/// A write to X on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Write {
    /// Block the account.
    Block,
    /// Unblock the account.
    Unblock,
    /// Mute the account.
    Mute,
    /// Unmute the account.
    Unmute,
}

impl Write {
    /// Every write.
    pub const ALL: [Write; 4] = [Self::Block, Self::Unblock, Self::Mute, Self::Unmute];

    /// The write that undoes this one.
    pub fn inverse(self) -> Self {
        match self {
            Self::Block => Self::Unblock,
            Self::Unblock => Self::Block,
            Self::Mute => Self::Unmute,
            Self::Unmute => Self::Mute,
        }
    }

    /// The verb, as users read it ("unblock"); also its stored form.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Unblock => "unblock",
            Self::Mute => "mute",
            Self::Unmute => "unmute",
        }
    }

    /// The verb of a stored write.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.verb() == s)
    }

    /// The past participle ("unblocked").
    pub fn past(self) -> &'static str {
        match self {
            Self::Block => "blocked",
            Self::Unblock => "unblocked",
            Self::Mute => "muted",
            Self::Unmute => "unmuted",
        }
    }

    /// True for writes the API allows only on the Enterprise plan.
    pub fn needs_full(self) -> bool {
        matches!(self, Self::Block | Self::Unblock)
    }

    /// The endpoint that performs it (and whose rate-limit budget paces it).
    pub fn endpoint(self) -> Endpoint {
        match self {
            Self::Block => Endpoint::Block,
            Self::Unblock => Endpoint::Unblock,
            Self::Mute => Endpoint::Mute,
            Self::Unmute => Endpoint::Unmute,
        }
    }

    /// The `connection_status` word of the relation it changes, and whether the write sets it.
    pub fn relation(self) -> (&'static str, bool) {
        match self {
            Self::Block => ("blocking", true),
            Self::Unblock => ("blocking", false),
            Self::Mute => ("muting", true),
            Self::Unmute => ("muting", false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_stored_form_round_trip() {
        for w in Write::ALL {
            assert_eq!(w.inverse().inverse(), w);
            assert_eq!(Write::parse(w.verb()), Some(w));
        }
        assert_eq!(Write::Block.inverse(), Write::Unblock);
        assert_eq!(Write::parse("bogus"), None);
    }
}
