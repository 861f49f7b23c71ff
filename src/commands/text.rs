//! Untrusted text (from the API) made inert before headless commands print it.

/// Drops control characters, escape sequences' introducers and bidi overrides, so a hostile
/// name or handle cannot move the cursor, recolour or reorder the terminal.
pub fn inert(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(*c as u32, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0x061C)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_escapes_and_bidi() {
        assert_eq!(inert("ab\u{1b}[2Jc\u{202e}d\n"), "ab[2Jcd");
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
