//! Styles in the 16 basic colours, or none at all under `NO_COLOR` (bold/reverse/dim only).

use ratatui::style::{Color, Modifier, Style};

/// The styles every pane draws with.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Plain text.
    pub base: Style,
    /// Secondary text (ids, hints, unblocked rows).
    pub dim: Style,
    /// The selected row.
    pub selected: Style,
    /// Mark column and marked rows.
    pub marked: Style,
    /// Column headers and titles.
    pub header: Style,
    /// Error messages.
    pub error: Style,
    /// Warnings and rate-limit waits.
    pub warn: Style,
    /// Success and `FULL`.
    pub ok: Style,
    /// The status bar.
    pub status: Style,
    /// Borders.
    pub border: Style,
}

impl Theme {
    /// The theme; `no_color` drops every colour (the `NO_COLOR` convention).
    pub fn new(no_color: bool) -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if no_color {
            return Self {
                base: Style::new(),
                dim: Style::new().add_modifier(Modifier::DIM),
                selected: Style::new().add_modifier(Modifier::REVERSED),
                marked: bold,
                header: bold,
                error: bold,
                warn: bold,
                ok: Style::new(),
                status: Style::new().add_modifier(Modifier::REVERSED),
                border: Style::new(),
            };
        }
        Self {
            base: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            marked: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Yellow),
            ok: Style::new().fg(Color::Green),
            status: Style::new().fg(Color::Black).bg(Color::Gray),
            border: Style::new().fg(Color::Blue),
        }
    }
}
