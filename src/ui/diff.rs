//! The diff view: accounts new and gone between the last two full syncs of the block list.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme::Theme;
use crate::app::diff_view::{DiffPane, DiffRow};
use crate::app::{KeyMode, State};
use crate::text::fit;

/// Draws the diff view over `area`, leaving the hint and status rows visible.
pub fn render(state: &State, pane: &DiffPane, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let keys = format!(" {} ", super::strings::view_keys(state, KeyMode::Diff));
    let Some(inner) = super::view_frame(" Since the last sync ", &keys, theme, area, buf) else {
        return;
    };
    let w = inner.width as usize;
    let Some(d) = &state.snapshots.diff else {
        Paragraph::new(Line::styled(fit("Reading the cache…", w), theme.dim)).render(inner, buf);
        return;
    };
    let when = |t: &Option<String>| {
        t.as_deref()
            .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
            .unwrap_or_else(|| "never".into())
    };
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "Previous sync {} · last sync {}",
                when(&d.previous_at),
                when(&d.latest_at)
            ),
            w,
        ),
        theme.dim,
    )];
    if d.previous_at.is_none() {
        let text = if d.latest_at.is_none() {
            "No full sync yet: scroll to the end of the list (or run `xblocks export`) to store one."
        } else {
            "Only one sync so far: the next full sync shows what changed."
        };
        lines.push(Line::styled(fit(text, w), theme.dim));
    }
    let mut rows: Vec<Line> = Vec::new();
    rows.push(Line::styled(
        fit(&format!("New since last sync: {}", d.new.len()), w),
        theme.header,
    ));
    rows.extend(d.new.iter().map(|r| row(r, "+", theme, w)));
    rows.push(Line::styled(
        fit(&format!("Gone (no longer blocked): {}", d.gone.len()), w),
        theme.header,
    ));
    rows.extend(d.gone.iter().map(|r| row(r, "-", theme, w)));
    let body = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(rows.into_iter().skip(pane.scroll).take(body));
    Paragraph::new(lines).render(inner, buf);
}

fn row<'a>(r: &DiffRow, sign: &str, theme: &Theme, w: usize) -> Line<'a> {
    let handle_w = 20.min(w.saturating_sub(2) / 2);
    let name_w = w.saturating_sub(2 + handle_w);
    Line::from(vec![
        Span::styled(
            fit(sign, 2.min(w)),
            if sign == "+" { theme.ok } else { theme.warn },
        ),
        Span::styled(fit(&format!("@{}", r.handle), handle_w), theme.marked),
        Span::raw(r.name.fit(name_w)),
    ])
}
