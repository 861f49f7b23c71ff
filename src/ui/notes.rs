//! The note and tags editor (`n`, `t`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::theme::Theme;
use crate::app::notes::{Edit, Field};
use crate::app::State;
use crate::text::sanitize;

/// Draws the editor centred in `area`.
pub fn render_edit(state: &State, edit: &Edit, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let handle = if (edit.index as usize) < state.accounts.len() {
        state.account(edit.index).handle.to_string()
    } else {
        String::new()
    };
    let tags = state
        .notes
        .get(&edit.index)
        .map(|a| a.tags.join(" "))
        .unwrap_or_default();
    let (title, help) = match edit.field {
        Field::Note => (
            format!(" Note on @{handle} "),
            "Enter saves (empty clears) · Esc cancels".to_string(),
        ),
        Field::Tags => (
            format!(" Tags of @{handle} "),
            format!(
                "now: {} · +name adds, -name removes · Enter saves · Esc cancels",
                if tags.is_empty() { "none" } else { &tags }
            ),
        ),
    };
    let rect = super::centered(area, 64, 6);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(title, theme.header));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let lines = vec![
        Line::styled(format!("{}▏", sanitize(&edit.text)), theme.marked),
        Line::styled(help, theme.dim),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
