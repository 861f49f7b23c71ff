//! The status bar (account, profile, capability, loaded/total, queue, rate-limit countdown) and
//! the hint line above it (messages, search input, key hints).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::strings;
use super::theme::Theme;
use crate::text::thousands;
use std::time::SystemTime;

use crate::app::state::clock;
use crate::app::sync_status::{ago, SyncPhase, SyncStatus};
use crate::app::{Capability, State};
use crate::text::{fit, sanitize, width};

/// Draws the status bar in the one-row `area`.
pub fn render_status(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let cap_style = match state.capability {
        Capability::Full => theme.ok,
        Capability::ReadOnly { .. } => theme.warn,
        Capability::Unknown => theme.dim,
    };
    let narrow = area.width < 60;
    let mut parts: Vec<Span> = Vec::new();
    if state.viewer.is_some() {
        // Permanent: messages use the hint line and never cover it.
        parts.push(Span::styled(
            if narrow {
                " VIEWER "
            } else {
                " VIEWER: read-only, another xblocks runs the queue "
            },
            theme.error.patch(theme.status),
        ));
    }
    if state.demo {
        parts.push(Span::styled(" DEMO ", theme.warn.patch(theme.status)));
    }
    match strings::sign_in_status(state, narrow) {
        Some(text) => parts.push(Span::styled(text, theme.warn.patch(theme.status))),
        None => parts.push(Span::raw(format!(" @{} · ", state.me))),
    }
    // Left out first when the bar is too long (the sync state must stay visible).
    let mut profile_at = None;
    if !narrow && !state.demo {
        profile_at = Some(parts.len());
        parts.push(Span::raw(format!("{} · ", state.profile)));
    }
    parts.push(Span::styled(
        strings::capability_label(&state.capability),
        cap_style.patch(theme.status),
    ));
    let loaded_at = parts.len();
    parts.push(Span::raw(if narrow {
        format!(" · {}", loaded_label(state))
    } else {
        format!(" · {} loaded", loaded_label(state))
    }));
    if !state.view.is_empty() {
        parts.push(Span::raw(format!(
            " · {}/{}",
            thousands(state.cursor as u64 + 1),
            thousands(state.view.len() as u64)
        )));
    }
    if !state.marks.is_empty() {
        parts.push(Span::styled(
            format!(" · {} marked", thousands(state.marks.len() as u64)),
            theme.marked.patch(theme.status),
        ));
    }
    let mut cached_at = None;
    if let Some(at) = &state.snapshots.cached {
        cached_at = Some(parts.len());
        // 2026-11-25T10:00:00Z → cached 2026-11-25 10:00
        let at = if narrow {
            String::new()
        } else {
            format!(" {}", at.get(..16).unwrap_or(at).replace('T', " "))
        };
        parts.push(Span::styled(
            format!(" · cached{at}"),
            theme.warn.patch(theme.status),
        ));
    }
    let sync = &state.snapshots.sync;
    if let Some(label) = sync_label(sync, state.now) {
        let style = if label == "offline" {
            theme.warn.patch(theme.status)
        } else {
            theme.status
        };
        parts.push(Span::styled(format!(" · {label}"), style));
        if let Some(pages) = pages_label(sync).filter(|_| !narrow) {
            parts.push(Span::raw(format!(" ({pages})")));
        }
    }
    if !narrow && state.snapshots.sync.spent_today > crate::api::price::Usd::ZERO {
        parts.push(Span::raw(format!(
            " · {} today",
            state.snapshots.sync.spent_today
        )));
    }
    if state.snapshots.sync.money_stop.is_some() {
        parts.push(Span::styled(
            if narrow {
                " · 402"
            } else {
                " · stopped: top up at console.x.com"
            },
            theme.error.patch(theme.status),
        ));
    }
    // Open jobs of the durable queue include those resumed from an earlier session; timed jobs
    // due later are counted apart.
    let queued = crate::app::quit::pending_writes(state);
    if queued > 0 {
        parts.push(Span::raw(if narrow {
            format!(" · {queued}q")
        } else {
            format!(" · {queued} queued")
        }));
    }
    let timed = crate::app::quit::due_later(state);
    if timed > 0 && !narrow {
        parts.push(Span::raw(format!(" · {timed} timed")));
    }
    if state.snapshots.queue.as_ref().is_some_and(|q| q.paused) {
        parts.push(Span::styled(" · PAUSED", theme.warn.patch(theme.status)));
    }
    for w in &state.waits {
        parts.push(Span::styled(
            if narrow {
                format!(" · wait {}", clock(state.secs_until(w.until)))
            } else {
                format!(
                    " · rate limit: {} paused {}{}",
                    strings::endpoint_name(&w.endpoint),
                    clock(state.secs_until(w.until)),
                    if w.bad_reset {
                        " (X sent a bad reset)"
                    } else {
                        ""
                    }
                )
            },
            theme.warn.patch(theme.status),
        ));
    }
    let help = " ? help ";
    let total = area.width as usize;
    let mut used: usize = parts.iter().map(|s| width(&s.content)).sum();
    // Too long: the cached time shortens to `cached`, the profile name goes, `loaded` goes.
    if used > total {
        if let Some(i) = cached_at {
            parts[i].content = " · cached".into();
        }
        if let Some(i) = profile_at {
            parts[i].content = "".into();
        }
        parts[loaded_at].content = format!(" · {}", loaded_label(state)).into();
        used = parts.iter().map(|s| width(&s.content)).sum();
    }
    // When the last full sync was (the only one that notices unblocks made elsewhere), where
    // there is room for it.
    if let Some(full) = full_label(sync, state.now) {
        let full = format!(" · {full}");
        if used + width(&full) + width(help) <= total {
            used += width(&full);
            parts.push(Span::raw(full));
        }
    }
    if used + width(help) <= total {
        parts.push(Span::raw(" ".repeat(total - used - width(help))));
        parts.push(Span::raw(help));
    }
    buf.set_style(area, theme.status);
    buf.set_line(
        area.x,
        area.y,
        &Line::from(parts).style(theme.status),
        area.width,
    );
}

/// The loaded count: `1,000` when complete, `1,000+` while more pages exist.
fn loaded_label(state: &State) -> String {
    let (n, more) = state.loaded();
    format!("{}{}", thousands(n as u64), if more { "+" } else { "" })
}

/// The sync state at `now` (`synced 3m ago`, `syncing 12,000/50,000`, `offline`), if there is
/// anything to say.
pub fn sync_label(s: &SyncStatus, now: SystemTime) -> Option<String> {
    match s.phase {
        SyncPhase::Unknown => None,
        SyncPhase::Offline => Some("offline".into()),
        SyncPhase::Syncing(p) => Some(match p.of_accounts {
            Some(of) => format!(
                "syncing {}/{}",
                thousands(p.accounts),
                thousands(of.max(p.accounts))
            ),
            None => format!("syncing {}", thousands(p.accounts)),
        }),
        SyncPhase::Synced { at } => Some(format!("synced {}", ago(at, now))),
    }
}

/// The pages a running sync has read, of its plan when known (`page 12/51`).
pub fn pages_label(s: &SyncStatus) -> Option<String> {
    let SyncPhase::Syncing(p) = s.phase else {
        return None;
    };
    if p.pages == 0 {
        return None;
    }
    Some(match p.of_pages {
        Some(of) => format!("page {}/{}", p.pages, of.max(p.pages)),
        None => format!("page {}", p.pages),
    })
}

/// When the last full sync was (`full sync 2d ago`), or that none ran yet on a list the
/// database holds.
pub fn full_label(s: &SyncStatus, now: SystemTime) -> Option<String> {
    match s.last_full {
        Some(at) => Some(format!("full sync {}", ago(at, now))),
        None if s.offline_first => Some("no full sync yet (R)".into()),
        None => None,
    }
}

/// Draws the hint line: the message, the search input, or key hints.
pub fn render_hint(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let w = area.width as usize;
    let (text, style) = match (&state.mode, &state.message) {
        (crate::app::Mode::Search, _) => (strings::hints(state), theme.base),
        (_, Some(m)) => (m.text.clone(), if m.error { theme.error } else { theme.ok }),
        _ => (strings::hints(state), theme.dim),
    };
    buf.set_stringn(area.x, area.y, fit(&sanitize(&text), w), w, style);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sync_status::Progress;
    use std::time::Duration;

    #[test]
    fn sync_labels() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = SyncStatus::default();
        assert_eq!(sync_label(&s, now), None);
        s.phase = SyncPhase::Offline;
        assert_eq!(sync_label(&s, now).as_deref(), Some("offline"));
        s.phase = SyncPhase::Syncing(Progress {
            accounts: 12_000,
            of_accounts: Some(50_000),
            pages: 12,
            of_pages: Some(51),
        });
        assert_eq!(
            sync_label(&s, now).as_deref(),
            Some("syncing 12,000/50,000")
        );
        assert_eq!(pages_label(&s).as_deref(), Some("page 12/51"));
        s.phase = SyncPhase::Syncing(Progress {
            accounts: 120,
            pages: 2,
            ..Progress::default()
        });
        assert_eq!(sync_label(&s, now).as_deref(), Some("syncing 120"));
        assert_eq!(pages_label(&s).as_deref(), Some("page 2"));
        s.phase = SyncPhase::Synced {
            at: now - Duration::from_secs(180),
        };
        assert_eq!(sync_label(&s, now).as_deref(), Some("synced 3m ago"));
        assert_eq!(full_label(&s, now), None);
        s.offline_first = true;
        assert_eq!(full_label(&s, now).as_deref(), Some("no full sync yet (R)"));
        s.last_full = Some(now - Duration::from_secs(2 * 86_400));
        assert_eq!(full_label(&s, now).as_deref(), Some("full sync 2d ago"));
    }
}
