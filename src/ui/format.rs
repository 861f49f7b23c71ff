//! Small formatting helpers shared by the panes: counts, dates, ages.
//!
//! The number rule: an account's counts (followers, following, posts) are compact (`80.7K`) in
//! every pane, list and detail alike; totals (accounts loaded or matched, jobs, writes) are exact
//! with thousands separators (`1,858`, [`crate::text::thousands`]) everywhere, status bar
//! included.

/// The one format for an account's counts (followers, following, posts) in every pane: `999`, `1.9K`,
/// `80.7K`, `1.2M`, `3.4B`.
pub fn count(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_949 => format!("{:.1}K", n as f64 / 1e3),
        999_950..=999_949_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}B", n as f64 / 1e9),
    }
}

/// Unix seconds → `2019-03-04`.
pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|_| "?".into())
}

/// How long ago `then` was at `now` (Unix seconds): `6 years`, `3 months`, `12 days`, `today`.
pub fn age(then: i64, now: i64) -> String {
    let days = (now - then).max(0) / 86_400;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match days {
        0 => "today".into(),
        1..=59 => plural(days, "day"),
        60..=729 => plural(days / 30, "month"),
        _ => plural(days / 365, "year"),
    }
}

/// Age in one short unit for a column: `12d`, `5m`, `3y`.
pub fn short_age(then: i64, now: i64) -> String {
    let days = (now - then).max(0) / 86_400;
    match days {
        0..=59 => format!("{days}d"),
        60..=729 => format!("{}m", days / 30),
        _ => format!("{}y", days / 365),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(12), "12");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_858), "1.9K");
        assert_eq!(count(80_700), "80.7K");
        assert_eq!(count(999_949), "999.9K");
        assert_eq!(count(999_950), "1.0M");
        assert_eq!(count(2_500_000), "2.5M");
        assert_eq!(count(u64::MAX).len(), "18446744073.7B".len());
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(age(0, 86_400 * 400), "13 months");
        assert_eq!(age(0, 86_400 * 800), "2 years");
        assert_eq!(age(0, 10), "today");
    }
}
