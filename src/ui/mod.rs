//! Rendering: one module per pane, theme, and sanitising of untrusted text.
