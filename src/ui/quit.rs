//! The question asked when quitting with writes still queued.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::format::thousands;
use super::theme::Theme;

/// Draws the question centred in `area`.
pub fn render(state: &crate::app::State, n: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    use crate::app::{KeyAction as K, KeyMode};
    let key = |a| format!("{} ", state.keymap.key_name(KeyMode::QuitAsk, a));
    let plural = if n == 1 { "" } else { "s" };
    let lines = vec![
        Line::raw(format!(
            "{} write{plural} still queued.",
            thousands(n as u64)
        )),
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
            Span::raw("cancel them (logged), then quit"),
        ]),
        Line::from(vec![
            Span::styled(key(K::Close), theme.marked),
            Span::raw("stay"),
        ]),
    ];
    let rect = super::centered(area, 62, lines.len() as u16 + 2);
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
