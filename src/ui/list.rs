//! The list pane: a virtualised table of blocked accounts (only visible rows are touched).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::format::count;
use super::strings;
use super::theme::Theme;
use crate::app::geometry::window_offset;
use crate::app::{Account, Standing, State};
use crate::text::{fit, fit_right};

/// Column widths for an inner width: (mark, handle, name, followers).
fn columns(width: u16) -> (usize, usize, usize, usize) {
    let w = width as usize;
    let mark = 2.min(w);
    let followers = if w >= 40 { 9 } else { 0 };
    let rest = w.saturating_sub(mark + followers);
    let handle = if rest >= 24 { 17.min(rest / 2) } else { rest };
    let name = rest.saturating_sub(handle + 1);
    (mark, handle, name, followers)
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
    let (mark, handle, name, followers) = columns(inner.width);
    let mut header = vec![
        Span::raw(" ".repeat(mark)),
        Span::styled(fit("handle", handle), theme.header),
    ];
    if name > 0 {
        header.push(Span::raw(" "));
        header.push(Span::styled(fit("name", name), theme.header));
    }
    if followers > 0 {
        header.push(Span::styled(
            fit_right("followers", followers),
            theme.header,
        ));
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
        let account = &state.accounts[idx as usize];
        let marked = state.marks.contains(&idx);
        let line = row_line(
            account,
            marked,
            pos == state.cursor,
            theme,
            (mark, handle, name, followers),
        );
        buf.set_line(body.x, body.y + row as u16, &line, body.width);
    }
    let tail_row = end - offset;
    if tail_row < rows {
        if let Some(text) = tail {
            let y = body.y + tail_row as u16;
            buf.set_stringn(
                body.x + mark as u16,
                y,
                text,
                body.width as usize - mark,
                theme.dim,
            );
        }
    }
}

fn row_line<'a>(
    a: &'a Account,
    marked: bool,
    selected: bool,
    theme: &Theme,
    (mark, handle, name, followers): (usize, usize, usize, usize),
) -> Line<'a> {
    let (sym, mut style) = match a.standing {
        Standing::Pending => ("…", theme.warn),
        Standing::Unblocked => ("−", theme.dim.add_modifier(Modifier::CROSSED_OUT)),
        Standing::Muted => ("m", theme.base),
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
        fit(sym, mark),
        if marked { theme.marked } else { Style::new() },
    )];
    spans.push(Span::raw(fit(&format!("@{}", a.handle), handle)));
    if name > 0 {
        spans.push(Span::raw(" "));
        if a.name.is_empty() {
            spans.push(Span::styled(fit(strings::NO_NAME, name), theme.dim));
        } else {
            spans.push(Span::raw(fit(a.name.as_str(), name)));
        }
    }
    if followers > 0 {
        spans.push(Span::raw(fit_right(&count(a.followers), followers)));
    }
    Line::from(spans).style(row_style)
}
