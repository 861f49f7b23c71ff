//! Pure rendering of the app state: one file per pane and a theme.
//! `render` only draws: it never mutates state, awaits, or writes to the terminal itself.

pub mod confirm;
pub mod detail;
pub mod diff;
pub mod format;
pub mod help;
pub mod history;
pub mod insights;
pub mod list;
pub mod notes;
pub mod panes;
pub mod queue;
pub mod quit;
pub mod review;
pub mod status;
pub mod strings;
pub mod theme;

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::geometry::layout;
use crate::app::{Mode, State};

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
    let areas = layout(area, state.show_detail);
    if let Some(r) = areas.list {
        list::render(state, &theme, r, buf);
    }
    if let Some(r) = areas.detail {
        detail::render(state, &theme, r, buf);
    }
    status::render_hint(state, &theme, areas.hint, buf);
    status::render_status(state, &theme, areas.status, buf);
    match &state.mode {
        Mode::Help { scroll } => help::render(state, *scroll, &theme, area, buf),
        Mode::Confirm(c) => confirm::render(state, c, &theme, area, buf),
        Mode::Prompt(text) => confirm::render_prompt(text, &theme, area, buf),
        Mode::Queue(pane) => queue::render(state, pane, &theme, area, buf),
        Mode::History(pane) => history::render(state, pane, &theme, area, buf),
        Mode::Diff(pane) => diff::render(state, pane, &theme, area, buf),
        Mode::Edit(edit) => notes::render_edit(state, edit, &theme, area, buf),
        Mode::Log { scroll } => panes::render_log(state, *scroll, &theme, area, buf),
        Mode::Columns { cursor } => panes::render_columns(state, *cursor, &theme, area, buf),
        Mode::Insights(i) => insights::render(state, i, &theme, area, buf),
        Mode::Review(r) => review::render(state, r, &theme, area, buf),
        Mode::Normal | Mode::Search => {}
    }
}

/// The state's clock as Unix seconds.
pub fn unix_now(state: &State) -> i64 {
    state
        .now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Frames a full-screen view (queue, history, diff) over `area`, leaving the hint and status
/// rows visible: clears it, draws the border with `title` and the `keys` line, and returns
/// the inside, or `None` when nothing fits.
pub fn view_frame(
    title: &str,
    keys: &str,
    theme: &theme::Theme,
    area: Rect,
    buf: &mut ratatui::buffer::Buffer,
) -> Option<Rect> {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders, Widget};
    let rect = Rect {
        height: area.height.saturating_sub(2).max(area.height.min(1)),
        ..area
    };
    clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.header))
        .title_bottom(Span::styled(keys, theme.dim));
    let inner = block.inner(rect);
    block.render(rect, buf);
    (inner.width > 0 && inner.height > 0).then_some(inner)
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
