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
}
