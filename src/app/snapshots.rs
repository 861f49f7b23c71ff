//! State of the secondary views (queue, history, cache diff) and of the cached start, grouped so
//! the main [`super::State`] holds them in one field.

use super::queue_view::QueueSnapshot;

/// Data the secondary views show, as the worker last reported it.
#[derive(Debug, Clone, Default)]
pub struct Snapshots {
    /// The durable queue, as the write lane last reported it.
    pub queue: Option<QueueSnapshot>,
    /// The action log, newest first (`None` until loaded).
    pub history: Option<super::history::HistoryLog>,
    /// The diff between the last two syncs (`None` until loaded).
    pub diff: Option<super::diff_view::DiffReport>,
    /// When the cached list shown was synced, until the first live page replaces it.
    pub cached: Option<String>,
    /// `first_seen` from the cache, by numeric id.
    pub first_seen: super::cached_start::FirstSeen,
    /// Sync state and money.
    pub sync: super::sync_status::SyncStatus,
}

/// Moves a view's scroll offset for a list key (down, up, page, top, bottom) within `0..=max`;
/// other keys leave it.
pub(super) fn scroll(
    scroll: &mut usize,
    action: Option<super::KeyAction>,
    max: usize,
    page: usize,
) {
    use super::KeyAction as K;
    *scroll = match action {
        Some(K::Down) => (*scroll + 1).min(max),
        Some(K::Up) => scroll.saturating_sub(1),
        Some(K::PageDown) => (*scroll + page).min(max),
        Some(K::PageUp) => scroll.saturating_sub(page),
        Some(K::Top) => 0,
        Some(K::Bottom) => max,
        _ => *scroll,
    };
}
