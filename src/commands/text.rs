//! Untrusted text (from the API) made inert before headless commands print it: the same
//! sanitiser the TUI uses, so there is one definition of "safe to print".

/// Removes control characters, whole escape sequences and bidi/zero-width format characters,
/// so a hostile name or handle cannot move the cursor, recolour or reorder the terminal.
pub fn inert(s: &str) -> String {
    crate::ui::sanitize::sanitize(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_escapes_and_bidi() {
        assert_eq!(inert("ab\u{1b}[2Jc\u{202e}d\n"), "abcd");
    }

    proptest! {
        #[test]
        fn output_never_has_controls(s in any::<String>()) {
            let out = inert(&s);
            let bad = out.chars().any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c));
            prop_assert!(!bad);
        }
    }
}
