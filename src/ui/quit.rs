//! The question asked when quitting with writes still queued.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::theme::Theme;
use crate::app::quit::Pending;
use crate::text::thousands;

/// Width of the question's box.
const WIDTH: u16 = 62;

/// Draws the question centred in `area`: the writes not sent yet, and apart from them the timed
/// jobs due later (which stay queued whatever the answer).
pub fn render(state: &crate::app::State, p: Pending, theme: &Theme, area: Rect, buf: &mut Buffer) {
    use crate::app::{KeyAction as K, KeyMode};
    let key = |a| format!("{} ", state.keymap.key_name(KeyMode::QuitAsk, a));
    let n = p.unsent;
    let plural = if n == 1 { "" } else { "s" };
    let mut lines = vec![Line::raw(if p.later == 0 {
        format!("{} unsent write{plural} still queued.", thousands(n as u64))
    } else {
        format!(
            "{} unsent write{plural}; {} timed job{} due later run{} at the next start or with \
             `xblocks run-due`.",
            thousands(n as u64),
            thousands(p.later as u64),
            if p.later == 1 { "" } else { "s" },
            if p.later == 1 { "s" } else { "" }
        )
    })];
    let cancel = if p.later == 0 {
        "cancel them (logged), then quit".to_string()
    } else {
        "cancel the unsent ones (logged), then quit".to_string()
    };
    lines.extend([
        Line::raw(""),
        Line::from(vec![
            Span::styled(key(K::SendNow), theme.marked),
            Span::raw("send them now, quit when done"),
        ]),
        Line::from(vec![
            Span::styled(key(K::KeepQueued), theme.marked),
            Span::raw("keep them queued: they run when xblocks starts again"),
        ]),
        Line::from(vec![
            Span::styled(key(K::CancelQueue), theme.marked),
            Span::raw(cancel),
        ]),
        Line::from(vec![
            Span::styled(key(K::Close), theme.marked),
            Span::raw("stay"),
        ]),
    ]);
    let inner_w = usize::from(area.width.min(WIDTH).saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let rect = super::centered(area, WIDTH, (rows + 2).min(usize::from(u16::MAX)) as u16);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(" Quit? ", theme.header));
    let inner = block.inner(rect);
    block.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}
