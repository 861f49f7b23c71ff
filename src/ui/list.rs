//! The list pane: a virtualised table of blocked accounts (only visible rows are touched).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::format::{count, date, short_age};
use super::strings;
use super::theme::Theme;
use crate::app::geometry::window_offset;
use crate::app::panes::Column;
use crate::app::{Account, Standing, State};
use crate::query::{Count, Flag};
use crate::text::{fit, fit_right};

/// Column layout for an inner width: mark, handle and name widths, and the optional columns
/// that fit (each with its width).
struct Layout {
    mark: usize,
    handle: usize,
    name: usize,
    extra: Vec<(Column, usize)>,
}

fn columns(width: u16, wanted: &[Column]) -> Layout {
    let w = width as usize;
    let mark = 2.min(w);
    let mut extra = Vec::new();
    let mut used = mark;
    for &c in wanted {
        // Handle and name keep at least 28 cells.
        if used + c.width() + 28 <= w {
            used += c.width();
            extra.push((c, c.width()));
        }
    }
    let rest = w.saturating_sub(used);
    let handle = if rest >= 24 { 17.min(rest / 2) } else { rest };
    let name = rest.saturating_sub(handle + 1);
    Layout {
        mark,
        handle,
        name,
        extra,
    }
}

/// Draws the list into `area`.
pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let title = strings::list_title(state);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.header));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let cols = columns(inner.width, &state.columns);
    let mut header = vec![
        Span::raw(" ".repeat(cols.mark)),
        Span::styled(fit("handle", cols.handle), theme.header),
    ];
    if cols.name > 0 {
        header.push(Span::raw(" "));
        header.push(Span::styled(fit("name", cols.name), theme.header));
    }
    for &(c, w) in &cols.extra {
        header.push(Span::styled(fit_right(c.label(), w), theme.header));
    }
    buf.set_line(inner.x, inner.y, &Line::from(header), inner.width);

    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    if body.height == 0 {
        return;
    }
    if let Some(text) = strings::list_placeholder(state) {
        let style = if state.page_error {
            theme.error
        } else {
            theme.dim
        };
        buf.set_stringn(
            body.x + 1,
            body.y,
            text,
            body.width.saturating_sub(1) as usize,
            style,
        );
        return;
    }
    let rows = body.height as usize;
    let tail = strings::loading_row(state);
    let offset = window_offset(state, rows);
    let end = (offset + rows).min(state.view.len());
    for (row, pos) in (offset..end).enumerate() {
        let idx = state.view[pos];
        let account = state.account(idx);
        let marked = state.marks.contains(&idx);
        let line = row_line(
            state,
            idx,
            &account,
            marked,
            pos == state.cursor,
            theme,
            &cols,
        );
        buf.set_line(body.x, body.y + row as u16, &line, body.width);
    }
    let tail_row = end - offset;
    if tail_row < rows {
        if let Some(text) = tail {
            let y = body.y + tail_row as u16;
            buf.set_stringn(
                body.x + cols.mark as u16,
                y,
                text,
                body.width as usize - cols.mark,
                theme.dim,
            );
        }
    }
}

fn row_line<'a>(
    state: &State,
    idx: u32,
    a: &'a Account,
    marked: bool,
    selected: bool,
    theme: &Theme,
    cols: &Layout,
) -> Line<'a> {
    let kept = state.index.flag(idx, Flag::Kept);
    let (sym, mut style) = match a.standing {
        Standing::Pending => ("…", theme.warn),
        Standing::Unblocked => ("−", theme.dim.add_modifier(Modifier::CROSSED_OUT)),
        Standing::Muted => ("m", theme.base),
        Standing::Blocked if kept => ("K", theme.base),
        Standing::Blocked => (" ", theme.base),
    };
    let sym = if marked { "✓" } else { sym };
    if marked {
        style = theme.marked;
    }
    let row_style = if selected {
        style.patch(theme.selected)
    } else {
        style
    };
    let mut spans = vec![Span::styled(
        fit(sym, cols.mark),
        if marked { theme.marked } else { Style::new() },
    )];
    spans.push(Span::raw(fit(&format!("@{}", a.handle), cols.handle)));
    if cols.name > 0 {
        spans.push(Span::raw(" "));
        if a.name.is_empty() {
            spans.push(Span::styled(fit(strings::NO_NAME, cols.name), theme.dim));
        } else {
            spans.push(Span::raw(fit(a.name.as_str(), cols.name)));
        }
    }
    for &(c, w) in &cols.extra {
        spans.push(Span::raw(fit_right(&cell(state, idx, c), w)));
    }
    Line::from(spans).style(row_style)
}

/// The text of an optional column for account `i`.
fn cell(state: &State, i: u32, c: Column) -> String {
    let now = crate::ui::unix_now(state);
    match c {
        Column::Followers => count(state.index.count(i, Count::Followers)),
        Column::Following => count(state.index.count(i, Count::Following)),
        Column::Posts => count(state.index.count(i, Count::Posts)),
        Column::Age => state
            .index
            .created_at(i)
            .map_or_else(|| "?".into(), |t| short_age(t, now)),
        Column::FirstSeen => state.index.first_seen(i).map_or_else(|| "?".into(), date),
        Column::Verified => if state.index.flag(i, Flag::Verified) {
            "yes"
        } else {
            ""
        }
        .into(),
        Column::Tags => state
            .notes
            .get(&i)
            .map(|a| a.tags.join(" "))
            .unwrap_or_default(),
    }
}
