//! The one place where untrusted text (names, bios, locations, URLs, post text) is made inert.
//!
//! [`sanitize`] removes every C0/C1 control character, whole escape sequences (CSI, OSC, DCS, SOS,
//! PM, APC, and two-byte ESC sequences, in both their 7-bit and 8-bit forms), bidi overrides and
//! isolates, zero-width joiners/spaces, variation selectors, emoji modifiers and tag characters;
//! newlines and tabs become single spaces and runs of combining marks are capped. Well-formed
//! emoji ZWJ sequences of up to four emoji (🏳️‍🌈, 👩‍👩‍👧‍👦) stay whole, with their variation
//! selectors and skin tones; a joiner anywhere else (between letters, to hide text) goes. The
//! result is measured with `unicode-width` in the units ratatui lays out (a character with its
//! zero-width marks, or a whole emoji sequence), so [`fit`] can truncate and pad to an exact
//! display width without breaking borders.
//!
//! [`SafeText`] can only hold text that went through [`sanitize`].

use unicode_width::UnicodeWidthChar;

/// Most zero-width marks kept after one base character ("zalgo" text is cut back to this).
const MAX_MARKS: usize = 2;
/// Most emoji one ZWJ sequence may join (the longest standard ones, families and kisses, have 4).
const MAX_ZWJ_EMOJI: usize = 4;
const ZWJ: char = '\u{200D}';
const VS16: char = '\u{FE0F}';

/// Text that has been sanitized: displayable, single-line, free of controls and bidi overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SafeText(Box<str>);

impl SafeText {
    /// Sanitizes `raw` into displayable text.
    pub fn new(raw: &str) -> Self {
        Self(sanitize(raw).into_boxed_str())
    }

    /// Sanitizes `raw` and keeps at most `max_chars` characters (an ellipsis marks the cut).
    pub fn new_capped(raw: &str, max_chars: usize) -> Self {
        Self(cap(sanitize(raw), max_chars).into_boxed_str())
    }

    /// Text that went through [`sanitize`] before and was kept elsewhere since (the query
    /// index restores the loaded accounts' text from its packed copy).
    pub(crate) fn from_sanitized(clean: String) -> Self {
        Self(clean.into_boxed_str())
    }

    /// The sanitized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Display width in terminal cells.
    pub fn width(&self) -> usize {
        width(&self.0)
    }

    /// Truncated (with `…`) and padded with spaces to exactly `cells` display cells.
    pub fn fit(&self, cells: usize) -> String {
        fit(&self.0, cells)
    }

    /// Heap bytes owned by this text.
    pub fn heap_bytes(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Display for SafeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps at most `max_chars` characters of `text` (an ellipsis marks the cut).
pub fn cap(text: String, max_chars: usize) -> String {
    capped(std::borrow::Cow::Owned(text), max_chars).into_owned()
}

/// [`cap`] without a copy when nothing is cut.
pub fn capped(text: std::borrow::Cow<'_, str>, max_chars: usize) -> std::borrow::Cow<'_, str> {
    // No more bytes than `max_chars`: no more characters either.
    if text.len() <= max_chars {
        return text;
    }
    match text.char_indices().nth(max_chars) {
        None => text,
        Some(_) => {
            let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
            out.push('…');
            std::borrow::Cow::Owned(out)
        }
    }
}

/// True for characters that must never reach the terminal as themselves.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                      // soft hyphen
        | '\u{034F}'                    // combining grapheme joiner
        | '\u{061C}'                    // Arabic letter mark
        | '\u{115F}' | '\u{1160}'       // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'       // Mongolian selectors
        | '\u{200B}'..='\u{200F}'       // ZWSP, ZWNJ, ZWJ, LRM, RLM
        | '\u{202A}'..='\u{202E}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'       // word joiner, invisible operators, bidi isolates
        | '\u{3164}' | '\u{FFA0}'       // Hangul fillers
        | '\u{FE00}'..='\u{FE0F}'       // variation selectors
        | '\u{FEFF}'                    // BOM / ZWNBSP
        | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotations
        | '\u{1F3FB}'..='\u{1F3FF}'     // emoji skin-tone modifiers
        | '\u{E0000}'..='\u{E0FFF}'     // tags and supplementary variation selectors
    ) || (0xF0000..=0x10FFFF).contains(&(c as u32)) // private use planes
}

/// Characters that break a line: replaced by a space.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Skips the rest of an escape sequence whose introducer has been consumed.
fn skip_string_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // OSC/DCS/SOS/PM/APC: up to BEL, ST (ESC \) or 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9C}' => return,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates, then one final byte 0x40..=0x7E.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7E}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3F}').contains(&c) {
            return; // malformed: stop at the first unexpected char (it is dropped)
        }
    }
}

/// Returns `raw` with every control, escape sequence and bidi/zero-width format character removed,
/// line breaks and tabs turned into single spaces, and leading/trailing spaces trimmed.
pub fn sanitize(raw: &str) -> String {
    sanitized(raw).into_owned()
}

/// [`sanitize`] without a copy when `raw` is plain printable ASCII (then it is kept as it is).
pub fn sanitized(raw: &str) -> std::borrow::Cow<'_, str> {
    if is_plain(raw) {
        return std::borrow::Cow::Borrowed(raw);
    }
    std::borrow::Cow::Owned(sanitize_chars(raw))
}

/// [`sanitize`], character by character.
fn sanitize_chars(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut marks = 0usize;
    let mut have_base = false;
    while let Some(c) = chars.next() {
        match c {
            '\u{1B}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string_sequence(&mut chars),
                // ESC + intermediates + final (e.g. "ESC ( B"), or a lone two-char sequence.
                Some(c2) if ('\u{20}'..='\u{2F}').contains(&c2) => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9B}' => skip_csi(&mut chars),
            '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => {
                skip_string_sequence(&mut chars)
            }
            c if is_line_break(c) || c == ' ' || c == '\u{A0}' || c == '\u{3000}' => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                have_base = false;
            }
            c if c.is_control() || is_invisible_format(c) => {}
            // Flags are pairs of regional indicators that terminals draw 1, 2 or 4 cells
            // wide; as plain letters (`🇧🇷` → `BR`) they can never shift the layout.
            c @ '\u{1F1E6}'..='\u{1F1FF}' => {
                out.push(char::from(b'A' + (c as u32 - 0x1F1E6) as u8));
                marks = 0;
                have_base = true;
            }
            c if is_emoji_base(c) && take_zwj_sequence(c, &mut chars, &mut out) => {
                marks = 0;
                have_base = true;
            }
            c => match c.width() {
                Some(0) if have_base && marks < MAX_MARKS => {
                    out.push(c);
                    marks += 1;
                }
                Some(0) => {}
                Some(_) => {
                    out.push(c);
                    marks = 0;
                    have_base = true;
                }
                None => {}
            },
        }
    }
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    out
}

/// True when [`sanitize`] leaves `raw` as it is: printable ASCII, spaces single and inside
/// (most names and bios; checked without decoding a character).
fn is_plain(raw: &str) -> bool {
    let b = raw.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    // Folds without an early exit, so the compiler checks many bytes at a time.
    let unprintable = b
        .iter()
        .fold(false, |bad, c| bad | !(0x20..=0x7E).contains(c));
    let double = b
        .iter()
        .zip(b.iter().skip(1))
        .fold(false, |bad, (x, y)| bad | (*x == b' ' && *y == b' '));
    !unprintable && !double
}

/// True for characters an emoji ZWJ sequence may join (pictographs, symbols and arrows).
fn is_emoji_base(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x21FF | 0x2300..=0x23FF | 0x2600..=0x27BF | 0x2B00..=0x2BFF
        | 0x1F000..=0x1F1E5 | 0x1F200..=0x1F3FA | 0x1F400..=0x1FAFF)
}

fn is_skin_tone(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

/// When `first` starts a well-formed emoji ZWJ sequence of 2 to [`MAX_ZWJ_EMOJI`] emoji (each
/// an emoji, or a symbol made emoji by VS16, with an optional skin tone), appends it whole to
/// `out`, consumes it and returns true; otherwise leaves everything as it was.
fn take_zwj_sequence(
    first: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> bool {
    let mut ahead = chars.clone();
    let mut seq = String::new();
    let mut base = Some(first);
    let mut joined = 0;
    let mut taken = 0;
    let mut good_len = 0;
    let mut good_taken = 0;
    while let Some(b) = base.take() {
        seq.push(b);
        let mut emoji = b.width() == Some(2);
        if ahead.peek() == Some(&VS16) {
            seq.push(VS16);
            ahead.next();
            taken += 1;
            emoji = true;
        }
        if ahead.peek().copied().is_some_and(is_skin_tone) {
            seq.extend(ahead.next());
            taken += 1;
        }
        if !emoji {
            break;
        }
        joined += 1;
        if joined >= 2 {
            (good_len, good_taken) = (seq.len(), taken);
        }
        if joined == MAX_ZWJ_EMOJI || ahead.peek() != Some(&ZWJ) {
            break;
        }
        let mut after = ahead.clone();
        after.next();
        match after.peek().copied() {
            Some(n) if is_emoji_base(n) => {
                seq.push(ZWJ);
                ahead.next();
                ahead.next();
                taken += 2;
                base = Some(n);
            }
            _ => break,
        }
    }
    seq.truncate(good_len);
    if good_len == 0 || unicode_width::UnicodeWidthStr::width(seq.as_str()) != 2 {
        return false;
    }
    for _ in 0..good_taken {
        chars.next();
    }
    out.push_str(&seq);
    true
}

/// Splits sanitized text into the cells ratatui draws: each character with the zero-width
/// characters after it, or a whole emoji ZWJ sequence; with each unit's display width.
fn units(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let mut it = rest.char_indices();
        let (_, first) = it.next()?;
        let mut w = first.width().unwrap_or(0);
        let mut end = first.len_utf8();
        let mut joined = false;
        while let Some((i, c)) = it.next() {
            if c == ZWJ {
                joined = true;
                match it.next() {
                    Some((j, n)) => end = j + n.len_utf8(),
                    None => end = i + c.len_utf8(),
                }
            } else if c == VS16 || is_skin_tone(c) || (w > 0 && c.width() == Some(0)) {
                end = i + c.len_utf8();
            } else {
                break;
            }
        }
        if joined {
            w = 2;
        }
        let (unit, tail) = rest.split_at(end);
        rest = tail;
        Some((unit, w))
    })
}

/// Exact totals (how many accounts, jobs), the one format for them in every pane and message: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Display width of sanitized text, in the units ratatui lays out.
pub fn width(text: &str) -> usize {
    units(text).map(|(_, w)| w).sum()
}

/// Truncates `text` to at most `cells` display cells (with `…` when cut) and pads it with spaces to
/// exactly `cells`. A wide character that would straddle the edge is replaced by padding.
pub fn fit(text: &str, cells: usize) -> String {
    let mut out = String::with_capacity(cells + 8);
    if width(text) <= cells {
        out.push_str(text);
    } else if cells > 0 {
        let budget = cells - 1;
        let mut used = 0;
        for (unit, w) in units(text) {
            if used + w > budget {
                break;
            }
            out.push_str(unit);
            used += w;
        }
        out.push('…');
    }
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// Right-aligns `text` (plain ASCII such as a number) in `cells` cells, cutting from the left.
pub fn fit_right(text: &str, cells: usize) -> String {
    let w = width(text);
    if w > cells {
        return fit(text, cells);
    }
    let mut out = " ".repeat(cells - w);
    out.push_str(text);
    out
}

/// Wraps sanitized text into lines of at most `cells` display cells, breaking at spaces when it can.
pub fn wrap(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0;
    for word in text.split(' ') {
        let ww = width(word);
        if line_w > 0 && line_w + 1 + ww <= cells {
            line.push(' ');
            line.push_str(word);
            line_w += 1 + ww;
            continue;
        }
        if line_w > 0 {
            lines.push(std::mem::take(&mut line));
            line_w = 0;
        }
        // Word alone on the line; split it by characters if too long.
        for (unit, w) in units(word) {
            if line_w + w > cells && line_w > 0 {
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push_str(unit);
            line_w += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `n` and `noun`, plural unless `n` is 1: `count(1, "page")` is `1 page`, `count(3, "page")`
/// `3 pages`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn totals_have_thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_858), "1,858");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn counts_are_plural_unless_one() {
        assert_eq!(count(1u64, "page"), "1 page");
        assert_eq!(count(0u64, "account"), "0 accounts");
        assert_eq!(count(51u64, "request"), "51 requests");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_escape_sequences_whole() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(sanitize("x\x1b]0;title\x07y"), "xy");
        assert_eq!(
            sanitize("x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\y"),
            "xlinky"
        );
        assert_eq!(sanitize("x\x1bPq#0;2;0;0;0\x1b\\y"), "xy");
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
        assert_eq!(sanitize("x\x1b(By"), "xy");
        assert_eq!(sanitize("bell\x07\x08\x7f!"), "bell!");
    }

    #[test]
    fn removes_bidi_and_zero_width() {
        assert_eq!(sanitize("\u{202E}evil\u{202C}"), "evil");
        assert_eq!(
            sanitize("a\u{2066}b\u{2069}\u{200E}\u{200F}\u{061C}c"),
            "abc"
        );
        assert_eq!(sanitize("❤\u{FE0F}"), "❤");
        // A joiner between letters hides nothing any more.
        assert_eq!(sanitize("pay\u{200D}pal\u{200D}"), "paypal");
        assert_eq!(sanitize("a\u{200D}😀"), "a😀");
        assert_eq!(sanitize("😀\u{200D}b"), "😀b");
    }

    #[test]
    fn emoji_zwj_sequences_stay_whole() {
        let rainbow = "🏳\u{FE0F}\u{200D}🌈";
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
        let health = "👩🏽\u{200D}⚕\u{FE0F}";
        for seq in [rainbow, family, health, "🧑\u{200D}💻"] {
            let s = sanitize(&format!("x {seq} y"));
            assert_eq!(s, format!("x {seq} y"));
            assert_eq!(width(&s), 6, "{seq}");
            assert_eq!(fit(&s, 5), format!("x {seq}…"));
            assert_eq!(fit(&s, 4), "x … ", "never half a sequence");
        }
        // Five joined emoji is no standard sequence: each stays, the joiners go (4 kept whole).
        let five = "😀\u{200D}".repeat(4) + "😀";
        let s = sanitize(&five);
        assert_eq!(s.matches('\u{200D}').count(), 3);
        assert_eq!(width(&s), 4);
        // A skin tone alone is still dropped, and a lone joiner.
        assert_eq!(sanitize("👍🏽"), "👍");
        assert_eq!(sanitize("\u{200D}"), "");
    }

    #[test]
    fn flags_become_letters() {
        assert_eq!(sanitize("Nadia \u{1F1E7}\u{1F1F7}"), "Nadia BR");
        assert_eq!(width("\u{1F1FA}\u{1F1E6}"), 2);
    }

    #[test]
    fn newlines_and_tabs_become_one_space() {
        assert_eq!(sanitize("line1\r\n\tline2\n\n"), "line1 line2");
        assert_eq!(sanitize("\n  lead"), "lead");
    }

    #[test]
    fn caps_combining_marks() {
        let zalgo = format!("a{}", "\u{0301}".repeat(50));
        assert_eq!(sanitize(&zalgo).chars().count(), 1 + MAX_MARKS);
        assert_eq!(sanitize("\u{0301}x"), "x");
    }

    #[test]
    fn fit_handles_wide_characters() {
        assert_eq!(fit("漢字テスト", 5), "漢字…");
        assert_eq!(fit("漢字テスト", 4), "漢… ");
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit_right("1234", 6), "  1234");
    }

    #[test]
    fn wrap_respects_width() {
        let lines = wrap("the quick brown fox jumps", 10);
        assert_eq!(lines, vec!["the quick", "brown fox", "jumps"]);
        assert!(wrap("漢字漢字漢字", 5).iter().all(|l| width(l) <= 5));
    }

    proptest! {
        #[test]
        fn plain_ascii_takes_the_short_way_to_the_same_text(raw in "[ -~]{0,40}") {
            prop_assert_eq!(sanitize(&raw), sanitize_chars(&raw));
        }

        #[test]
        fn sanitized_text_has_no_controls(raw in any::<String>()) {
            let s = sanitize(&raw);
            for c in s.chars() {
                prop_assert!(!c.is_control(), "control {:?}", c);
                prop_assert!(!is_invisible_format(c), "format {:?}", c);
            }
            prop_assert!(!s.contains('\x1b'), "escape left");
        }

        #[test]
        fn sanitize_is_idempotent(raw in any::<String>()) {
            let once = sanitize(&raw);
            prop_assert_eq!(sanitize(&once), once.clone());
        }

        #[test]
        fn fit_is_exact_width(raw in any::<String>(), cells in 0usize..60) {
            let s = sanitize(&raw);
            let f = fit(&s, cells);
            prop_assert_eq!(width(&f), cells);
        }

        #[test]
        fn fitted_text_never_crosses_a_border(raw in any::<String>(), cells in 0u16..40) {
            use ratatui::buffer::Buffer;
            use ratatui::layout::Rect;
            let f = fit(&sanitize(&raw), cells as usize);
            let mut buf = Buffer::empty(Rect::new(0, 0, cells + 2, 1));
            buf[(0, 0)].set_symbol("|");
            buf[(cells + 1, 0)].set_symbol("|");
            buf.set_stringn(1, 0, &f, cells as usize, ratatui::style::Style::default());
            prop_assert_eq!(buf[(0, 0)].symbol(), "|");
            prop_assert_eq!(buf[(cells + 1, 0)].symbol(), "|");
        }

        #[test]
        fn wrap_lines_fit(raw in any::<String>(), cells in 2usize..60) {
            let s = sanitize(&raw);
            for line in wrap(&s, cells) {
                prop_assert!(width(&line) <= cells);
            }
        }

        #[test]
        fn hostile_mix_is_inert(parts in proptest::collection::vec(prop_oneof![
            Just("\x1b[2J".to_string()), Just("\x1b]52;c;aGk=\x07".to_string()),
            Just("\u{202E}".to_string()), Just("\u{9b}31m".to_string()),
            Just("\x1bP+q\x1b\\".to_string()), Just("\u{200D}".to_string()),
            "[a-z漢😀]{0,4}".prop_map(|s| s),
        ], 0..12)) {
            let s = sanitize(&parts.concat());
            prop_assert!(!s.chars().any(|c| c.is_control()
                || (is_invisible_format(c) && c != ZWJ && c != VS16 && !is_skin_tone(c))));
            // A joiner survives only inside an emoji sequence ratatui draws as one wide cell.
            for (unit, w) in units(&s) {
                if unit.contains(ZWJ) {
                    prop_assert_eq!(w, 2);
                    prop_assert_eq!(unicode_width::UnicodeWidthStr::width(unit), 2);
                }
            }
        }
    }
}
