//! Word lists the seeded world draws names, handles, bios, places and posts from, and the
//! hostile strings `--hostile` mixes in. They are data in `assets/words/` (one entry a line;
//! the hostile strings as a JSON array, since they hold controls and newlines), compiled in.

use std::sync::LazyLock;

/// The non-empty lines of a word list.
fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines().filter(|l| !l.is_empty()).collect()
}

/// Given names.
pub static FIRST: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/first.txt")));

/// Family names.
pub static LAST: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/last.txt")));

/// Words for handles and brand-like names.
pub static WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/words.txt")));

/// Bio fragments.
pub static BIO: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/bio.txt")));

/// Free-text locations.
pub static PLACES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/places.txt")));

/// Post fragments.
pub static POST: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/post.txt")));

/// Country codes for withheld accounts.
pub static COUNTRIES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| lines(include_str!("../../assets/words/countries.txt")));

/// Hostile strings: terminal escapes, controls, bidi, ZWJ emoji, CJK, combining marks.
pub static HOSTILE: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let list: Vec<String> = serde_json::from_str(include_str!("../../assets/words/hostile.json"))
        .expect("assets/words/hostile.json is a JSON array of strings");
    list.into_iter()
        .map(|s| &*Box::leak(s.into_boxed_str()))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_loads() {
        for list in [
            &FIRST, &LAST, &WORDS, &BIO, &PLACES, &POST, &COUNTRIES, &HOSTILE,
        ] {
            assert!(!list.is_empty());
        }
        assert_eq!(FIRST[0], "Maria");
        assert!(HOSTILE.iter().any(|s| s.contains('\u{1b}')));
    }
}
