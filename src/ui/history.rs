//! The history view: the action log, newest first, with the filter and the undo question.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme::Theme;
use crate::app::history::LogRow;
use crate::app::history::{visible, HistoryPane};
use crate::app::{KeyMode, State};
use crate::text::fit;

/// Draws the history view over `area`, leaving the hint and status rows visible.
pub fn render(state: &State, pane: &HistoryPane, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rows = visible(state, pane);
    let total = state.snapshots.history.as_ref().map_or(0, |h| h.rows.len());
    let title = if pane.filter.is_empty() {
        format!(
            " History · {total} write{} ",
            if total == 1 { "" } else { "s" }
        )
    } else {
        format!(" History · {} of {total} match ", rows.len())
    };
    let keys = format!(" {} ", super::strings::view_keys(state, KeyMode::History));
    let Some(inner) = super::view_frame(&title, &keys, theme, area, buf) else {
        return;
    };
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if pane.typing || !pane.filter.is_empty() {
        let cursor = if pane.typing { "▏" } else { "" };
        lines.push(Line::styled(
            fit(&format!("filter: {}{cursor}", pane.filter), w),
            theme.marked,
        ));
    }
    if state.snapshots.history.is_none() {
        lines.push(Line::styled(fit("Reading the action log…", w), theme.dim));
    } else if rows.is_empty() {
        let text = if total == 0 {
            "No writes yet: blocks, unblocks and mutes are logged here."
        } else {
            "No entry matches the filter. Esc clears it."
        };
        lines.push(Line::styled(fit(text, w), theme.dim));
    }
    let body = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(
        rows.iter()
            .skip(pane.scroll)
            .take(body)
            .map(|e| row(e, theme, w)),
    );
    Paragraph::new(lines).render(inner, buf);
}

fn row<'a>(e: &LogRow, theme: &Theme, w: usize) -> Line<'a> {
    // 2026-11-25T10:00:00Z → 11-25 10:00
    let at = e.at.as_str();
    let at = at.get(5..16).unwrap_or(at).replace('T', " ");
    let who = match &e.username {
        Some(u) => format!("@{u}"),
        None => e.target.to_string(),
    };
    let result = e.result.as_str();
    let style = if result == "done" {
        theme.ok
    } else if result.starts_with("failed") {
        theme.error
    } else {
        theme.dim
    };
    let at_w = 12.min(w);
    let verb_w = 8.min(w - at_w);
    let who_w = 23.min((w - at_w - verb_w) / 2);
    let result_w = 18.min(w - at_w - verb_w - who_w);
    let batch_w = w - at_w - verb_w - who_w - result_w;
    Line::from(vec![
        Span::styled(cell(&at, at_w), theme.dim),
        Span::raw(cell(e.action.verb(), verb_w)),
        Span::raw(cell(&who, who_w)),
        Span::styled(cell(result, result_w), style),
        Span::styled(e.batch.fit(batch_w), theme.dim),
    ])
}

/// `text` fitted to `w - 1` cells and a space.
fn cell(text: &str, w: usize) -> String {
    let mut s = fit(text, w.saturating_sub(1));
    if w > 0 {
        s.push(' ');
    }
    s
}
