//! Screen geometry: where each pane goes and which list rows are on screen. Both `update`
//! (mouse clicks, paging) and `ui` (drawing) read it, so they always agree.

use ratatui::layout::{Position, Rect};

use super::state::State;

/// Terminals at least this wide show the detail beside the list.
pub const WIDE: u16 = 100;
/// Rows below the panes: the hint/message line and the status bar.
pub const FOOTER_ROWS: u16 = 2;
/// Rows the list pane spends outside its body: two borders and the header row.
pub const LIST_FRAME_ROWS: u16 = 3;
/// Rows the layout spends outside the list body.
pub const CHROME_ROWS: u16 = FOOTER_ROWS + LIST_FRAME_ROWS;

/// Where each pane goes on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The list pane, when shown.
    pub list: Option<Rect>,
    /// The detail pane, when shown.
    pub detail: Option<Rect>,
    /// The hint/message line.
    pub hint: Rect,
    /// The status bar.
    pub status: Rect,
}

/// The layout for a screen `area`: list (and detail beside it on wide terminals, or instead of
/// it when toggled on narrow ones), then the hint line and the status bar.
pub fn layout(area: Rect, detail_toggled: bool) -> Areas {
    let main_h = area.height.saturating_sub(FOOTER_ROWS);
    let main = Rect {
        height: main_h,
        ..area
    };
    let hint = Rect {
        y: area.y + main_h,
        height: area.height.min(2).saturating_sub(1),
        ..area
    };
    let status = Rect {
        y: area.y + area.height.saturating_sub(1),
        height: area.height.min(1),
        ..area
    };
    let wide = area.width >= WIDE;
    let detail_visible = wide != detail_toggled;
    let (list, detail) = if main.height == 0 {
        (None, None)
    } else if wide && detail_visible {
        let list_w = area.width * 3 / 5;
        let left = Rect {
            width: list_w,
            ..main
        };
        let right = Rect {
            x: main.x + list_w,
            width: main.width - list_w,
            ..main
        };
        (Some(left), Some(right))
    } else if detail_visible {
        (None, Some(main))
    } else {
        (Some(main), None)
    };
    Areas {
        list,
        detail,
        hint,
        status,
    }
}

/// The rows of a list pane's body: inside the borders, below the header row.
pub fn list_body(list: Rect) -> Rect {
    Rect {
        x: list.x + 1,
        y: list.y + 2,
        width: list.width.saturating_sub(2),
        height: list.height.saturating_sub(LIST_FRAME_ROWS),
    }
}

/// Rows of the list body for a terminal of `height` rows.
pub fn list_rows(height: u16) -> usize {
    height.saturating_sub(CHROME_ROWS).max(1) as usize
}

/// Lines of text the help overlay shows at once in a terminal of `height` rows, for `lines`
/// lines in all: the overlay is as tall as its text plus its frame, above the hint and status
/// rows.
pub fn help_lines_shown(height: u16, lines: usize) -> usize {
    let above = height.saturating_sub(FOOTER_ROWS).max(height.min(1)) as usize;
    (lines + 2).min(above).saturating_sub(2).max(1)
}

/// True when the list ends with a row about more pages (loading, waiting, failed, or more to
/// load), which takes a row of its own below the last account.
pub fn has_loading_row(state: &State) -> bool {
    state.query.is_empty() && !state.complete && state.started
}

/// The first row of `state.view` drawn in a body of `rows` rows (keeping the loading row on
/// screen when the cursor is on the last account).
pub fn window_offset(state: &State, rows: usize) -> usize {
    let len = state.view.len();
    let (cursor, total) = if !has_loading_row(state) {
        (state.cursor, len)
    } else if state.cursor + 1 == len {
        (state.cursor + 1, len + 1)
    } else {
        (state.cursor, len + 1)
    };
    visible_offset(cursor, state.offset, rows, total)
}

/// The first visible row of `len` rows: the stored `offset`, moved just enough that the
/// `cursor` is on screen.
pub fn visible_offset(cursor: usize, offset: usize, rows: usize, len: usize) -> usize {
    let rows = rows.max(1);
    let mut off = offset;
    if cursor < off {
        off = cursor;
    } else if cursor >= off + rows {
        off = cursor + 1 - rows;
    }
    off.min(len.saturating_sub(rows.min(len)))
}

/// The position in `state.view` of the account drawn at screen cell (`column`, `row`), if any.
pub fn account_at(state: &State, column: u16, row: u16) -> Option<usize> {
    let screen = Rect::new(0, 0, state.size.0, state.size.1);
    let body = list_body(layout(screen, state.show_detail).list?);
    if !body.contains(Position::new(column, row)) {
        return None;
    }
    let offset = window_offset(state, body.height as usize);
    let pos = offset + (row - body.y) as usize;
    (pos < state.view.len()).then_some(pos)
}
