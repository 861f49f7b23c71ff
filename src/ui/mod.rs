//! Pure rendering of the app state: one file per pane, a theme, and the text sanitiser.
//! `render` only draws: it never mutates state, awaits, or writes to the terminal itself.

pub mod confirm;
pub mod detail;
pub mod format;
pub mod help;
pub mod list;
pub mod sanitize;
pub mod status;
pub mod strings;
pub mod theme;

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::{Mode, State};

/// Terminals at least this wide show the detail beside the list.
pub const WIDE: u16 = 100;

/// Draws the whole screen for `state`.
pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    render_area(state, area, frame.buffer_mut());
}

/// Draws the whole screen into a buffer region (what [`render`] does, without a `Frame`).
pub fn render_area(state: &State, area: Rect, buf: &mut ratatui::buffer::Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let theme = theme::Theme::new(state.no_color);
    let main_h = area.height.saturating_sub(2);
    let main = Rect {
        height: main_h,
        ..area
    };
    let hint = Rect {
        y: area.y + main_h,
        height: area.height.min(2).saturating_sub(1),
        ..area
    };
    let status_row = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    if main.height > 0 {
        let wide = area.width >= WIDE;
        let detail_visible = wide != state.show_detail;
        if wide && detail_visible {
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
            list::render(state, &theme, left, buf);
            detail::render(state, &theme, right, buf);
        } else if detail_visible {
            detail::render(state, &theme, main, buf);
        } else {
            list::render(state, &theme, main, buf);
        }
    }
    status::render_hint(state, &theme, hint, buf);
    status::render_status(state, &theme, status_row, buf);
    match &state.mode {
        Mode::Help { scroll } => help::render(state, *scroll, &theme, area, buf),
        Mode::Confirm(c) => confirm::render(state, c, &theme, area, buf),
        Mode::Prompt(text) => confirm::render_prompt(text, &theme, area, buf),
        Mode::Normal | Mode::Search => {}
    }
}

/// Clears `rect` for an overlay. A wide character (CJK, emoji) whose first cell lies just left
/// of the overlay would otherwise spill into its border on the terminal: it is blanked too.
pub fn clear_overlay(rect: Rect, buf: &mut ratatui::buffer::Buffer) {
    use ratatui::widgets::Widget;
    use unicode_width::UnicodeWidthStr;
    ratatui::widgets::Clear.render(rect, buf);
    if rect.x == 0 || rect.x <= buf.area.x {
        return;
    }
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buf.cell_mut((rect.x - 1, y)) {
            if cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

/// A rectangle of at most `w`×`h` centred in `area` (clamped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
