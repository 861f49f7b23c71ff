//! What the status bar says about the local database and money: the sync state (`synced 3m
//! ago`, `syncing 12/50`, `offline`), money spent today, and a money stop (X's 402 or usage cap)
//! after which the worker sends nothing more.

use std::time::SystemTime;

use crate::api::price::Usd;

/// Where the list shown stands against X.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPhase {
    /// Nothing known yet (no database, no answer).
    #[default]
    Unknown,
    /// X could not be reached: the list is the database's.
    Offline,
    /// A sync is reading pages: `done` of at most `of` (when known).
    Syncing {
        /// Pages read so far.
        done: u64,
        /// Pages at most, when the plan knows.
        of: Option<u64>,
    },
    /// The database matched X at this time.
    Synced {
        /// When the last sync ended.
        at: SystemTime,
    },
}

/// The sync and money part of the state.
#[derive(Debug, Clone, Default)]
pub struct SyncStatus {
    /// The sync state.
    pub phase: SyncPhase,
    /// When the last full sync ended (the only one that notices unblocks made elsewhere).
    pub last_full: Option<SystemTime>,
    /// Money spent this UTC day (from the database, plus this session's requests).
    pub spent_today: Usd,
    /// X's 402 or usage cap: why nothing more is sent (already says what to do).
    pub money_stop: Option<String>,
}

impl SyncStatus {
    /// The status bar's sync label at `now`, if there is anything to say.
    pub fn label(&self, now: SystemTime) -> Option<String> {
        match self.phase {
            SyncPhase::Unknown => None,
            SyncPhase::Offline => Some("offline".into()),
            SyncPhase::Syncing { done, of: Some(of) } => Some(format!("syncing {done}/{of}")),
            SyncPhase::Syncing { done, of: None } => Some(format!("syncing {done}")),
            SyncPhase::Synced { at } => Some(format!("synced {}", ago(at, now))),
        }
    }
}

/// `just now`, `3m ago`, `2h ago`, `4d ago`.
pub fn ago(at: SystemTime, now: SystemTime) -> String {
    let secs = now.duration_since(at).map(|d| d.as_secs()).unwrap_or(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn labels() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = SyncStatus::default();
        assert_eq!(s.label(now), None);
        s.phase = SyncPhase::Offline;
        assert_eq!(s.label(now).as_deref(), Some("offline"));
        s.phase = SyncPhase::Syncing {
            done: 12,
            of: Some(50),
        };
        assert_eq!(s.label(now).as_deref(), Some("syncing 12/50"));
        s.phase = SyncPhase::Synced {
            at: now - Duration::from_secs(180),
        };
        assert_eq!(s.label(now).as_deref(), Some("synced 3m ago"));
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - Duration::from_secs(7200), now), "2h ago");
    }
}
