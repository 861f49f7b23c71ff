//! State of the secondary views (queue, history, cache diff) and of the cached start, grouped so
//! the main [`super::State`] holds them in one field.

use super::queue_view::QueueSnapshot;

/// Data the secondary views show, as the worker last reported it.
#[derive(Debug, Clone, Default)]
pub struct Views {
    /// The durable queue, as the write lane last reported it.
    pub queue: Option<QueueSnapshot>,
    /// The action log, newest first (`None` until loaded).
    pub history: Option<Vec<crate::store::action_log::Entry>>,
    /// The diff between the last two syncs (`None` until loaded).
    pub diff: Option<super::cache_view::DiffReport>,
    /// When the cached list shown was synced, until the first live page replaces it.
    pub cached: Option<String>,
    /// `first_seen` from the cache, by numeric id.
    pub first_seen: super::cache_view::FirstSeen,
}
