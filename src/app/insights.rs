//! Insights: a picture of the list computed from the accounts alone (pure, no I/O). The TUI's
//! `I` view draws it as charts, `xblocks stats` prints it as a table or `--json`.

use std::collections::HashMap;

use serde::Serialize;

/// Tags listed at most in [`Insights::top_tags`].
pub const TOP_TAGS: usize = 10;

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// Account-age buckets: label and upper bound in seconds (exclusive; the last has none). Each
/// bucket starts where the one before it ends: `<2y` is one to two years old.
pub const AGE_BUCKETS: &[(&str, Option<i64>)] = &[
    ("<30d", Some(30 * DAY)),
    ("<1y", Some(YEAR)),
    ("<2y", Some(2 * YEAR)),
    ("<5y", Some(5 * YEAR)),
    ("<10y", Some(10 * YEAR)),
    ("10y+", None),
];

/// Label of the age bucket for accounts whose creation date is unknown.
pub const AGE_UNKNOWN: &str = "?";

/// Follower buckets by powers of ten: label and the smallest count in the bucket.
pub const FOLLOWER_BUCKETS: &[(&str, u64)] = &[
    ("0", 0),
    ("1+", 1),
    ("10+", 10),
    ("100+", 100),
    ("1k+", 1_000),
    ("10k+", 10_000),
    ("100k+", 100_000),
    ("1m+", 1_000_000),
];

/// What insights need to know about one account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// Account creation (Unix seconds), when known.
    pub created_at: Option<i64>,
    /// When this account was first seen locally (Unix seconds).
    pub first_seen: i64,
    /// Followers.
    pub followers: u64,
    /// In the block list now (not gone).
    pub blocked: bool,
    /// In the mute list now.
    pub muted: bool,
    /// On the keep list.
    pub kept: bool,
    /// Gone from the block list at the last full sync.
    pub gone: bool,
    /// Its tags.
    pub tags: &'a [String],
}

/// The counts row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Accounts known (blocked, muted or gone).
    pub accounts: u64,
    /// In the block list.
    pub blocked: u64,
    /// In the mute list.
    pub muted: u64,
    /// On the keep list.
    pub kept: u64,
    /// With at least one tag.
    pub tagged: u64,
    /// Gone from the block list since the last full sync.
    pub gone: u64,
}

/// Blocked accounts first seen in one calendar month (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Blocked accounts first seen that month.
    pub blocks: u64,
}

/// One bar of a histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Short label (`1-2y`, `10k+`).
    pub bucket: String,
    /// Blocked accounts in it.
    pub accounts: u64,
}

/// How many accounts carry one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    /// The tag.
    pub tag: String,
    /// Accounts with it.
    pub accounts: u64,
}

/// The whole picture. Histograms count the blocked accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Insights {
    /// The time ages are measured from (Unix seconds).
    pub computed_at: i64,
    /// The counts.
    pub counts: Counts,
    /// Blocked accounts by first-seen month, every month from the first to the last, oldest first.
    pub blocks_by_month: Vec<Month>,
    /// Blocked accounts by account age ([`AGE_BUCKETS`], then [`AGE_UNKNOWN`]).
    pub account_age: Vec<Bucket>,
    /// Blocked accounts by followers ([`FOLLOWER_BUCKETS`]).
    pub followers: Vec<Bucket>,
    /// The most used tags (at most [`TOP_TAGS`]), most first, then by name.
    pub top_tags: Vec<TagCount>,
}

/// Computes the insights of `accounts` as of `now` (Unix seconds).
pub fn compute<'a>(accounts: impl IntoIterator<Item = Facts<'a>>, now: i64) -> Insights {
    let mut counts = Counts::default();
    let mut months: HashMap<(i32, u8), u64> = HashMap::new();
    let mut age = vec![0u64; AGE_BUCKETS.len() + 1];
    let mut followers = vec![0u64; FOLLOWER_BUCKETS.len()];
    let mut tags: HashMap<&str, u64> = HashMap::new();
    for a in accounts {
        counts.accounts += 1;
        counts.muted += u64::from(a.muted);
        counts.kept += u64::from(a.kept);
        counts.gone += u64::from(a.gone);
        counts.tagged += u64::from(!a.tags.is_empty());
        for t in a.tags {
            *tags.entry(t.as_str()).or_default() += 1;
        }
        if !a.blocked {
            continue;
        }
        counts.blocked += 1;
        *months.entry(year_month(a.first_seen)).or_default() += 1;
        age[age_bucket(a.created_at, now)] += 1;
        followers[follower_bucket(a.followers)] += 1;
    }
    let labels = AGE_BUCKETS
        .iter()
        .map(|(l, _)| *l)
        .chain([AGE_UNKNOWN])
        .collect::<Vec<_>>();
    let mut top_tags: Vec<TagCount> = tags
        .into_iter()
        .map(|(tag, accounts)| TagCount {
            tag: tag.to_string(),
            accounts,
        })
        .collect();
    top_tags.sort_by(|a, b| b.accounts.cmp(&a.accounts).then(a.tag.cmp(&b.tag)));
    top_tags.truncate(TOP_TAGS);
    Insights {
        computed_at: now,
        counts,
        blocks_by_month: month_series(&months),
        account_age: buckets(&labels, &age),
        followers: buckets(
            &FOLLOWER_BUCKETS.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            &followers,
        ),
        top_tags,
    }
}

fn buckets(labels: &[&str], counts: &[u64]) -> Vec<Bucket> {
    labels
        .iter()
        .zip(counts)
        .map(|(l, &n)| Bucket {
            bucket: l.to_string(),
            accounts: n,
        })
        .collect()
}

/// Index into the account-age histogram (the last slot is "unknown").
pub fn age_bucket(created_at: Option<i64>, now: i64) -> usize {
    let Some(created) = created_at else {
        return AGE_BUCKETS.len();
    };
    let age = now.saturating_sub(created).max(0);
    AGE_BUCKETS
        .iter()
        .position(|(_, max)| max.is_none_or(|m| age < m))
        .unwrap_or(AGE_BUCKETS.len() - 1)
}

/// Index into the follower histogram.
pub fn follower_bucket(followers: u64) -> usize {
    FOLLOWER_BUCKETS
        .iter()
        .rposition(|(_, min)| followers >= *min)
        .unwrap_or(0)
}

/// (year, month) of a Unix time, UTC.
pub fn year_month(unix: i64) -> (i32, u8) {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    (t.year(), u8::from(t.month()))
}

/// Every month from the first to the last present, zeros included.
fn month_series(months: &HashMap<(i32, u8), u64>) -> Vec<Month> {
    let (Some(&first), Some(&last)) = (months.keys().min(), months.keys().max()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last {
        out.push(Month {
            month: format!("{y:04}-{m:02}"),
            blocks: months.get(&(y, m)).copied().unwrap_or(0),
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// The facts of loaded account `i` in the TUI: standing this session, keep flag, tags, gone.
pub fn facts(state: &super::State, i: u32) -> Facts<'_> {
    use super::Standing;
    use crate::query::Count;
    use crate::query::Flag;
    let standing = state.accounts.standing(i);
    let gone = state.index.flag(i, Flag::Gone);
    Facts {
        created_at: state.index.created_at(i),
        first_seen: state.index.first_seen(i).unwrap_or(0),
        followers: state.index.count(i, Count::Followers),
        blocked: standing != Standing::Unblocked && !gone,
        muted: standing == Standing::Muted,
        kept: state.index.flag(i, Flag::Kept),
        gone,
        tags: state.notes.get(&i).map_or(&[], |n| n.tags.as_slice()),
    }
}

/// Opens the insights view over the loaded accounts (computed once, here).
pub(super) fn open(state: &mut super::State) {
    let now = state
        .now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let insights = compute(
        (0..state.accounts.len() as u32).map(|i| facts(state, i)),
        now,
    );
    state.message = None;
    state.mode = super::Mode::Insights(Box::new(insights));
}

/// Keys of the insights view: its close keys (Esc, `q`, `I`) leave it; others keep it open.
pub(super) fn on_key(
    state: &mut super::State,
    key: crossterm::event::KeyEvent,
    insights: Box<Insights>,
) {
    if state.keymap.lookup(super::KeyMode::Insights, &key) == Some(super::KeyAction::Close) {
        return;
    }
    state.mode = super::Mode::Insights(insights);
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

    fn blocked(created_at: Option<i64>, first_seen: i64, followers: u64) -> Facts<'static> {
        Facts {
            created_at,
            first_seen,
            followers,
            blocked: true,
            ..Default::default()
        }
    }

    #[test]
    fn buckets_have_their_edges_where_the_labels_say() {
        assert_eq!(follower_bucket(0), 0);
        assert_eq!(follower_bucket(9), 1);
        assert_eq!(follower_bucket(10), 2);
        assert_eq!(follower_bucket(999_999), 6);
        assert_eq!(follower_bucket(u64::MAX), 7);
        assert_eq!(age_bucket(None, NOW), AGE_BUCKETS.len());
        assert_eq!(age_bucket(Some(NOW - 29 * DAY), NOW), 0);
        assert_eq!(age_bucket(Some(NOW - 30 * DAY), NOW), 1);
        assert_eq!(age_bucket(Some(NOW - 2 * YEAR), NOW), 3);
        assert_eq!(age_bucket(Some(NOW - 40 * YEAR), NOW), 5);
        assert_eq!(age_bucket(Some(NOW + DAY), NOW), 0, "a future date is new");
    }

    #[test]
    fn counts_and_histograms_cover_the_blocked_accounts() {
        let spam = vec!["spam".to_string()];
        let both = vec!["spam".to_string(), "bot".to_string()];
        let mut accounts = vec![
            blocked(Some(NOW - 3 * YEAR), 1_759_276_800, 5), // 2025-10
            blocked(None, 1_764_547_200, 12_000),            // 2025-12
            blocked(Some(NOW - DAY), 1_764_547_200, 0),
        ];
        accounts[0].tags = &spam;
        accounts[1].tags = &both;
        accounts[2].kept = true;
        accounts.push(Facts {
            muted: true,
            followers: 7,
            ..Default::default()
        });
        accounts.push(Facts {
            gone: true,
            first_seen: 0,
            ..Default::default()
        });
        let i = compute(accounts, NOW);
        assert_eq!(
            i.counts,
            Counts {
                accounts: 5,
                blocked: 3,
                muted: 1,
                kept: 1,
                tagged: 2,
                gone: 1,
            }
        );
        let months: Vec<(&str, u64)> = i
            .blocks_by_month
            .iter()
            .map(|m| (m.month.as_str(), m.blocks))
            .collect();
        assert_eq!(months, [("2025-10", 1), ("2025-11", 0), ("2025-12", 2)]);
        let ages: Vec<u64> = i.account_age.iter().map(|b| b.accounts).collect();
        assert_eq!(ages, [1, 0, 0, 1, 0, 0, 1]);
        let fol: Vec<u64> = i.followers.iter().map(|b| b.accounts).collect();
        assert_eq!(fol, [1, 1, 0, 0, 0, 1, 0, 0]);
        assert_eq!(
            i.top_tags,
            [
                TagCount {
                    tag: "spam".into(),
                    accounts: 2
                },
                TagCount {
                    tag: "bot".into(),
                    accounts: 1
                }
            ]
        );
    }

    #[test]
    fn nothing_gives_empty_series_and_zero_bars() {
        let i = compute(std::iter::empty(), NOW);
        assert!(i.blocks_by_month.is_empty());
        assert_eq!(i.account_age.len(), AGE_BUCKETS.len() + 1);
        assert!(i.followers.iter().all(|b| b.accounts == 0));
    }

    #[test]
    fn months_run_across_a_year_end() {
        let a = [
            blocked(None, 1_733_011_200, 0), // 2024-12-01
            blocked(None, 1_738_368_000, 0), // 2025-02-01
        ];
        let i = compute(a, NOW);
        let names: Vec<&str> = i.blocks_by_month.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2024-12", "2025-01", "2025-02"]);
    }
}
