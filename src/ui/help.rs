//! The help overlay, generated from the keymap table so it never lies.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::theme::Theme;
use crate::app::keymap::key_label;
use crate::app::State;
use crate::text::fit;

/// Draws the help overlay centred in `area`.
pub fn render(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rows = state.keymap.bindings.len() as u16 + 4;
    let rect = super::centered(area, 64, rows);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" Keys (any key closes) ", theme.header))
        .title_bottom(Span::styled(" j/k scroll ", theme.dim));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let key_w = 22.min(inner.width as usize / 2);
    let desc_w = (inner.width as usize).saturating_sub(key_w + 1);
    let mut lines: Vec<Line> = state
        .keymap
        .bindings
        .iter()
        .skip(scroll)
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(key_label).collect();
            Line::from(vec![
                Span::styled(fit(&keys.join(" "), key_w), theme.marked),
                Span::raw(" "),
                Span::raw(fit(b.help, desc_w)),
            ])
        })
        .collect();
    lines.push(Line::styled(
        fit(
            "Mouse: wheel scrolls, click selects. Keys: config.toml [keys]",
            inner.width as usize,
        ),
        theme.dim,
    ));
    Paragraph::new(lines).render(inner, buf);
}
