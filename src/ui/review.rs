//! The review view: one account's full detail, the decision so far, the progress, and at the end
//! the confirm that sends every decision as one batch.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::theme::Theme;
use crate::app::review::{Review, Scope};
use crate::app::{Capability, State};
use crate::text::thousands;
use crate::text::{fit, sanitize, wrap};

/// Draws the review over `area`, leaving the hint and status rows visible.
pub fn render(state: &State, r: &Review, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let total = r.items.len();
    let scope = match &r.scope {
        Scope::All => "all loaded".to_string(),
        Scope::Marked => "marked".to_string(),
        Scope::Query(q) => format!("matches of /{}", sanitize(q)),
    };
    let title = format!(
        " Review · {} of {} · {scope} ",
        thousands(r.pos as u64 + 1),
        thousands(total as u64)
    );
    let keys = if r.noting.is_some() {
        " Enter saves the note · Esc leaves it ".to_string()
    } else {
        let hint = state.keymap.mode_hint(crate::app::KeyMode::Review);
        format!(" {hint} ")
    };
    let Some(inner) = super::view_frame(&title, &keys, theme, area, buf) else {
        return;
    };
    let w = inner.width as usize;
    let now = state
        .now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let Some(i) = r.current() else { return };
    let account = state.account(i);
    let mut lines = Vec::new();
    let decided = r.decisions.get(&i).map_or("undecided".to_string(), |d| {
        format!("decided: {}", d.word())
    });
    lines.push(Line::styled(fit(&decided, w), theme.marked));
    if let Some(text) = &r.noting {
        lines.push(Line::from(vec![
            Span::styled("Note: ", theme.warn),
            Span::styled(format!("{}▏", sanitize(text)), theme.marked),
        ]));
    } else if let Some(note) = r.notes.get(&i) {
        lines.push(Line::styled(fit(&format!("Note: {note}"), w), theme.warn));
    }
    lines.extend(super::detail::lines(&account, theme, w, now));
    Paragraph::new(lines).render(inner, buf);
    if r.confirming {
        render_confirm(state, r, theme, area, buf);
    }
}

fn render_confirm(state: &State, r: &Review, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let t = r.tally();
    let w = area.width.min(64).saturating_sub(2) as usize;
    let row =
        |n: usize, what: &str| Line::raw(fit(&format!("{:>7}  {what}", thousands(n as u64)), w));
    let mut lines = vec![
        row(t.unblock, "to unblock"),
        row(t.mute, "to mute"),
        row(t.keep, "to keep (never unblocked in bulk)"),
        row(t.notes, "notes"),
        row(t.skip, "skipped"),
        Line::raw(""),
    ];
    let writes = t.unblock + t.mute;
    let text = if writes == 0 {
        "No write to send; keeps and notes are saved locally.".to_string()
    } else {
        let key = |a| state.keymap.key_name(crate::app::KeyMode::Main, a);
        let what = if writes == 1 {
            "The write goes".to_string()
        } else {
            format!("The {} writes go", thousands(writes as u64))
        };
        format!(
            "{what} to the queue as one batch ({} shows it; {} undoes it).",
            key(crate::app::KeyAction::Queue),
            key(crate::app::KeyAction::History)
        )
    };
    lines.extend(wrap(&text, w).into_iter().map(Line::raw));
    if t.unblock > 0 && matches!(state.capability, Capability::ReadOnly { .. }) {
        lines.extend(
            wrap(
                "This plan can't unblock through the API: the unblocks wait in the queue.",
                w,
            )
            .into_iter()
            .map(|l| Line::styled(l, theme.warn)),
        );
    }
    let rect = super::centered(area, 64, lines.len() as u16 + 2);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(" Send the review? ", theme.header))
        .title_bottom(Line::styled(
            format!(
                " {} ",
                state.keymap.mode_hint(crate::app::KeyMode::ReviewSend)
            ),
            theme.warn,
        ));
    let inner = block.inner(rect);
    block.render(rect, buf);
    Paragraph::new(lines).render(inner, buf);
}
