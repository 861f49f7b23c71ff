//! Durations of timed actions (`mute @x --for 7d`): parsing and showing them, and when a
//! timed job runs.

/// Units a duration accepts, with their length in seconds.
const UNITS: &[(&str, u64)] = &[
    ("s", 1),
    ("min", 60),
    ("h", 3_600),
    ("d", 86_400),
    ("w", 7 * 86_400),
    ("mo", 30 * 86_400),
    ("y", 365 * 86_400),
];

/// The longest duration accepted (ten years).
pub const MAX_SECS: u64 = 10 * 365 * 86_400;

/// The durations the TUI's confirm cycles through (`None`: for good).
pub const CHOICES: &[Option<u64>] = &[
    None,
    Some(86_400),
    Some(7 * 86_400),
    Some(30 * 86_400),
    Some(90 * 86_400),
];

/// Why a duration was refused (one line, naming what is valid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a number followed by a unit.
    #[error(
        "`{0}` is not a duration: write a number and a unit, e.g. 30s, 10min, 12h, 7d, 2w, 3mo, 1y"
    )]
    Malformed(String),
    /// `m` alone: minutes or months?
    #[error("`{0}` is ambiguous: write `min` for minutes or `mo` for months")]
    Ambiguous(String),
    /// Zero, or longer than ten years.
    #[error("`{0}` is out of range: a duration is from 1s to 10y")]
    Range(String),
}

/// Parses `7d`, `12h`, `90min`, `2w`, `3mo`, `1y`, `30s` (one number, one unit) into seconds.
pub fn parse(text: &str) -> Result<u64, DurationError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    if unit == "m" {
        return Err(DurationError::Ambiguous(t.to_string()));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| DurationError::Malformed(t.to_string()))?;
    let per = UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, s)| *s)
        .ok_or_else(|| DurationError::Malformed(t.to_string()))?;
    match n.checked_mul(per) {
        Some(s) if (1..=MAX_SECS).contains(&s) => Ok(s),
        _ => Err(DurationError::Range(t.to_string())),
    }
}

/// Seconds as the largest whole unit that fits: `7d`, `36h`, `90s`.
pub fn short(secs: u64) -> String {
    for (unit, per) in UNITS.iter().rev() {
        if secs >= *per && secs.is_multiple_of(*per) {
            return format!("{}{unit}", secs / per);
        }
    }
    format!("{secs}s")
}

/// Words for the confirm: `for 7 days`, `for good`.
pub fn words(secs: Option<u64>) -> String {
    let Some(s) = secs else {
        return "for good".into();
    };
    let (n, unit) = match s {
        s if s.is_multiple_of(86_400) => (s / 86_400, "day"),
        s if s.is_multiple_of(3_600) => (s / 3_600, "hour"),
        s if s.is_multiple_of(60) => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("for {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The next choice of the confirm's cycle after `current`.
pub fn next_choice(current: Option<u64>) -> Option<u64> {
    let i = CHOICES.iter().position(|c| *c == current).unwrap_or(0);
    CHOICES[(i + 1) % CHOICES.len()]
}

/// A span of seconds in its two largest units: `6d 23h`, `4min`, `12s`.
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, s / 3_600 % 24, s / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}min"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}min"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Unix seconds as `2026-12-20 14:03` (UTC).
pub fn short_time(t: i64) -> String {
    let s = crate::store::db::rfc3339(t);
    s.get(..16).unwrap_or(&s).replace('T', " ")
}

/// When a job runs, seen at `now`: `now`, `2026-12-20 14:03 (due now)`,
/// `2026-12-20 14:03 (in 6d 23h)`.
pub fn due_words(due: Option<i64>, now: i64) -> String {
    match due {
        None => "now".into(),
        Some(d) if d <= now => format!("{} (due now)", short_time(d)),
        Some(d) => format!("{} (in {})", short_time(d), span(d - now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("2s"), Ok(2));
        assert_eq!(parse("10min"), Ok(600));
        assert_eq!(parse("12h"), Ok(43_200));
        assert_eq!(parse("7d"), Ok(604_800));
        assert_eq!(parse("2W"), Ok(1_209_600));
        assert_eq!(parse("3mo"), Ok(3 * 30 * 86_400));
        assert_eq!(parse("1y"), Ok(365 * 86_400));
        assert_eq!(parse(" 30d "), Ok(30 * 86_400));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(matches!(parse("7"), Err(DurationError::Malformed(_))));
        assert!(matches!(parse("d"), Err(DurationError::Malformed(_))));
        assert!(matches!(parse("-1d"), Err(DurationError::Malformed(_))));
        assert!(matches!(parse("1.5d"), Err(DurationError::Malformed(_))));
        assert!(matches!(parse("5m"), Err(DurationError::Ambiguous(_))));
        assert!(matches!(parse("0s"), Err(DurationError::Range(_))));
        assert!(matches!(parse("11y"), Err(DurationError::Range(_))));
        assert!(matches!(
            parse("99999999999999999999d"),
            Err(DurationError::Malformed(_))
        ));
        assert!(parse("5m").unwrap_err().to_string().contains("min"));
    }

    #[test]
    fn shows_durations_in_their_unit() {
        assert_eq!(short(604_800), "1w");
        assert_eq!(short(86_400 * 3), "3d");
        assert_eq!(short(90), "90s");
        assert_eq!(short(5_400), "90min");
        assert_eq!(words(Some(7 * 86_400)), "for 7 days");
        assert_eq!(words(Some(3_600)), "for 1 hour");
        assert_eq!(words(None), "for good");
        assert_eq!(next_choice(None), Some(86_400));
        assert_eq!(next_choice(Some(90 * 86_400)), None);
    }

    #[test]
    fn spans_and_due_times_read_in_their_two_largest_units() {
        assert_eq!(span(7 * 86_400 - 3_600), "6d 23h");
        assert_eq!(span(2 * 86_400 + 59), "2d");
        assert_eq!(span(3_600 + 120), "1h 2min");
        assert_eq!(span(7_200), "2h");
        assert_eq!(span(240), "4min");
        assert_eq!(span(12), "12s");
        assert_eq!(span(-5), "0s");
        let t = 1_764_000_000; // 2025-11-24 16:00 UTC
        assert_eq!(short_time(t), "2025-11-24 16:00");
        assert_eq!(due_words(None, t), "now");
        assert_eq!(due_words(Some(t), t), "2025-11-24 16:00 (due now)");
        assert_eq!(
            due_words(Some(t + 86_400 + 3_600), t),
            "2025-11-25 17:00 (in 1d 1h)"
        );
    }
}
