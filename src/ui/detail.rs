//! The detail pane: everything known about the selected account.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::format::{age, count, date};
use super::strings;
use super::theme::Theme;
use crate::app::{Account, Standing, State};
use crate::text::{fit, wrap};

/// Draws the selected account's detail into `area`.
pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" Detail ", theme.header));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let Some(a) = state.selected() else {
        buf.set_stringn(
            inner.x,
            inner.y,
            "Nothing selected.",
            inner.width as usize,
            theme.dim,
        );
        return;
    };
    let now = state
        .now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut lines = lines(&a, theme, inner.width as usize, now);
    let i = state.view[state.cursor];
    let w = inner.width as usize;
    if a.has_pin && a.pinned.is_none() {
        // Never loaded with the page: X bills each post, so only on demand.
        lines.push(Line::raw(""));
        lines.push(Line::styled("Pinned post not loaded", theme.dim));
        lines.extend(
            wrap(&crate::app::pinned::hint(state), w.max(1))
                .into_iter()
                .map(|l| Line::styled(l, theme.dim)),
        );
    }
    let kept = state.index.flag(i, crate::query::Flag::Kept);
    let note = state.notes.get(&i);
    if kept || note.is_some() {
        lines.insert(3, Line::raw(""));
        let mut at = 4;
        if kept {
            lines.insert(
                at,
                Line::styled(fit("KEPT: never unblocked in bulk", w), theme.warn),
            );
            at += 1;
        }
        if let Some(n) = note {
            if !n.tags.is_empty() {
                lines.insert(
                    at,
                    Line::from(vec![
                        Span::styled("Tags ", theme.dim),
                        Span::styled(fit(&n.tags.join(" "), w.saturating_sub(5)), theme.marked),
                    ]),
                );
                at += 1;
            }
            if !n.note.is_empty() {
                for l in wrap(&format!("Note: {}", n.note), w.max(1)) {
                    lines.insert(at, Line::raw(l));
                    at += 1;
                }
            }
        }
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The lines of the detail of `a` at `width` cells, ages measured from `now`.
pub fn lines<'a>(a: &'a Account, theme: &Theme, width: usize, now: i64) -> Vec<Line<'a>> {
    let w = width.max(1);
    let field = |label: &'static str, value: String| {
        Line::from(vec![
            Span::styled(label, theme.dim),
            Span::raw(fit(&value, w.saturating_sub(label.len()))),
        ])
    };
    let mut out = vec![
        if a.name.is_empty() {
            Line::styled(fit(strings::NO_NAME, w), theme.dim)
        } else {
            Line::styled(fit(a.name.as_str(), w), theme.header)
        },
        Line::raw(fit(&format!("@{}", a.handle), w)),
        Line::styled(fit(&format!("id {}", a.id), w), theme.dim),
    ];
    let mut flags = Vec::new();
    if a.verified {
        flags.push("verified");
    }
    if a.protected {
        flags.push("protected");
    }
    match a.standing {
        Standing::Pending => flags.push("action pending"),
        Standing::Unblocked => flags.push("unblocked this session"),
        Standing::Muted => flags.push("muted this session"),
        Standing::Blocked => {}
    }
    if !flags.is_empty() {
        out.push(Line::styled(fit(&flags.join(" · "), w), theme.warn));
    }
    out.push(Line::raw(""));
    if a.bio.is_empty() {
        out.push(Line::styled("(no bio)", theme.dim));
    } else {
        out.extend(wrap(a.bio.as_str(), w).into_iter().map(Line::raw));
    }
    out.push(Line::raw(""));
    let joined = match a.created_at {
        Some(t) => format!("{} ({} ago)", date(t), age(t, now)),
        None => "unknown".into(),
    };
    out.push(field("Joined     ", joined));
    out.push(field("Followers  ", count(a.followers)));
    out.push(field("Following  ", count(a.following)));
    out.push(field("Posts      ", count(a.posts)));
    if !a.location.is_empty() {
        out.push(field("Location   ", a.location.to_string()));
    }
    if !a.url.is_empty() {
        out.push(field("URL        ", a.url.to_string()));
    }
    out.push(field("First seen ", date(a.first_seen)));
    if let Some(pinned) = &a.pinned {
        out.push(Line::raw(""));
        out.push(Line::styled("Pinned post", theme.dim));
        out.extend(wrap(pinned.as_str(), w).into_iter().map(Line::raw));
    }
    out
}
