//! The message log (`L`) and the column picker (`c`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::theme::Theme;
use crate::app::panes::Column;
use crate::app::State;
use crate::text::{fit, wrap};

/// Draws the message log over the list: every message in full, newest at the bottom.
pub fn render_log(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let title = format!(" Messages ({} of the last 200) ", state.log.len());
    let Some(inner) = super::view_frame(
        &title,
        " j/k scroll · any other key closes ",
        theme,
        area,
        buf,
    ) else {
        return;
    };
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for m in state.log.iter().rev().skip(scroll) {
        let style = if m.error { theme.error } else { theme.base };
        let mut block: Vec<Line> = wrap(&m.text, w.max(1))
            .into_iter()
            .map(|l| Line::styled(l, style))
            .collect();
        block.extend(lines);
        lines = block;
        if lines.len() >= inner.height as usize {
            break;
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("No messages yet.", theme.dim));
    }
    let skip = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines.split_off(skip)).render(inner, buf);
}

/// Draws the column picker centred in `area`.
pub fn render_columns(state: &State, cursor: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rect = super::centered(area, 36, Column::ALL.len() as u16 + 3);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" Columns ", theme.header))
        .title_bottom(Span::styled(
            format!(" {} ", state.keymap.mode_hint(crate::app::KeyMode::Columns)),
            theme.dim,
        ));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let lines: Vec<Line> = Column::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let on = state.columns.contains(c);
            let text = fit(
                &format!("[{}] {}", if on { "x" } else { " " }, c.label()),
                inner.width as usize,
            );
            let style = if i == cursor {
                theme.selected
            } else {
                theme.base
            };
            Line::styled(text, style)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}
