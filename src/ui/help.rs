//! The help overlay, generated from the keymap table so it never lies.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::theme::Theme;
use crate::app::keymap::{key_label, HelpRow};
use crate::app::{KeyMode, State};
use crate::text::fit;

/// Draws the help overlay centred in `area`: every mode's keys under its heading.
pub fn render(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rows = state.keymap.help_rows();
    let shown = crate::app::geometry::help_lines_shown(area.height, rows.len() + 1);
    // The hint and status rows stay visible below.
    let above = Rect {
        height: area.height.saturating_sub(2).max(area.height.min(1)),
        ..area
    };
    let rect = super::centered(above, 64, (shown + 2) as u16);
    super::clear_overlay(rect, buf);
    let keys = format!(" {} ", super::strings::view_keys(state, KeyMode::Help));
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" Keys ", theme.header))
        .title_bottom(Span::styled(keys, theme.dim));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let key_w = 22.min(inner.width as usize / 2);
    let desc_w = (inner.width as usize).saturating_sub(key_w + 1);
    let mut lines: Vec<Line> = rows
        .iter()
        .skip(scroll)
        .map(|row| match row {
            HelpRow::Heading(title) => Line::styled(fit(title, inner.width as usize), theme.header),
            HelpRow::Binding(b) => {
                let keys: Vec<String> = b.keys.iter().map(key_label).collect();
                Line::from(vec![
                    Span::styled(fit(&keys.join(" "), key_w), theme.marked),
                    Span::raw(" "),
                    Span::raw(fit(b.help, desc_w)),
                ])
            }
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
