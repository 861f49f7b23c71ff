//! Pure rendering of the app state: one file per pane, a theme, and the text sanitiser.

pub mod sanitize;
