//! `xblocks stats [--json]`: the insights of the local database, offline (no request), as an
//! aligned table or the `stats` JSON document.

use std::fmt::Write as _;

use crate::app::insights::{self, Bucket, Facts, Insights};
use crate::cli::{GlobalArgs, StatsArgs};
use crate::store::db::Store;
use crate::store::paths::Paths;
use crate::text::thousands;

/// One account as stats reads it from the store.
#[derive(Debug, Clone, Default)]
struct Row {
    created_at: Option<i64>,
    first_seen: i64,
    followers: u64,
    blocked: bool,
    muted: bool,
    kept: bool,
    gone: bool,
    tags: Vec<String>,
}

impl Row {
    fn facts(&self) -> Facts<'_> {
        Facts {
            created_at: self.created_at,
            first_seen: self.first_seen,
            followers: self.followers,
            blocked: self.blocked,
            muted: self.muted,
            kept: self.kept,
            gone: self.gone,
            tags: &self.tags,
        }
    }
}

/// Runs `xblocks stats`.
pub async fn run(global: GlobalArgs, args: StatsArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    let rows = tokio::task::spawn_blocking(move || load(&paths)).await??;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let insights = insights::compute(rows.iter().map(Row::facts), now);
    if args.json {
        super::json::print(&insights)?;
    } else {
        if insights.counts.accounts == 0 {
            eprintln!("No account in the local database yet: `xblocks export` (or the TUI) stores the list.");
        }
        print!("{}", table(&insights));
    }
    Ok(())
}

/// The accounts of the profile's database: those listed now (with keep and tags), those the
/// last full sync found gone, and those muted through xblocks (the action log says which).
fn load(paths: &Paths) -> anyhow::Result<Vec<Row>> {
    let fail = super::profile_db::exit;
    let Some(store) = Store::open_existing(&paths.profile_dir).map_err(fail)? else {
        return Ok(Vec::new());
    };
    let listed = store.load_all().map_err(fail)?;
    let kept = store.kept().map_err(fail)?;
    let tags = store.all_tags().map_err(fail)?;
    let gone = store.diff_since_previous_full().map_err(fail)?.gone;
    let mut muted = store.muted_ids().map_err(fail)?;
    let row = |u: &crate::api::types::User, first_seen: i64| Row {
        created_at: u
            .created_at
            .as_deref()
            .and_then(crate::app::account::parse_rfc3339),
        first_seen,
        followers: u.public_metrics.unwrap_or_default().followers_count,
        kept: kept.contains(&u.id),
        tags: tags
            .get(&u.id)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default(),
        ..Row::default()
    };
    let mut rows: Vec<Row> = listed
        .iter()
        .map(|a| Row {
            blocked: true,
            muted: muted.remove(&a.user.id),
            ..row(&a.user, a.first_seen)
        })
        .collect();
    rows.extend(muted.into_iter().map(|_| Row {
        muted: true,
        ..Row::default()
    }));
    rows.extend(gone.iter().map(|u| Row {
        gone: true,
        ..row(u, 0)
    }));
    Ok(rows)
}

/// The insights as aligned text: one section per chart, label left, count and share right.
pub fn table(i: &Insights) -> String {
    let mut out = String::new();
    let c = &i.counts;
    section(&mut out, "Counts");
    for (label, n) in [
        ("blocked", c.blocked),
        ("muted", c.muted),
        ("kept", c.kept),
        ("tagged", c.tagged),
        ("gone since last full sync", c.gone),
    ] {
        let _ = writeln!(out, "  {label:<26} {:>11}", thousands(n));
    }
    let share = |n: u64| {
        if c.blocked == 0 {
            String::new()
        } else {
            format!("{:>5.1}%", n as f64 * 100.0 / c.blocked as f64)
        }
    };
    let rows = |out: &mut String, title: &str, rows: Vec<(String, u64)>| {
        section(out, title);
        if rows.is_empty() {
            out.push_str("  (none)\n");
        }
        for (label, n) in rows {
            let _ = writeln!(out, "  {label:<26} {:>11} {}", thousands(n), share(n));
        }
    };
    let months = i
        .blocks_by_month
        .iter()
        .map(|m| (m.month.clone(), m.blocks))
        .collect();
    rows(&mut out, "Blocks by first-seen month", months);
    let b = |v: &[Bucket]| v.iter().map(|b| (b.bucket.clone(), b.accounts)).collect();
    rows(&mut out, "Account age", b(&i.account_age));
    rows(&mut out, "Followers", b(&i.followers));
    let tags = i
        .top_tags
        .iter()
        .map(|t| (crate::text::sanitize(&t.tag), t.accounts))
        .collect();
    rows(&mut out, "Top tags", tags);
    out
}

fn section(out: &mut String, title: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(title);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_counts_and_shares() {
        let rows = [
            Row {
                blocked: true,
                followers: 12,
                first_seen: 1_764_547_200,
                tags: vec!["spam".into()],
                ..Row::default()
            },
            Row {
                blocked: true,
                followers: 12_345,
                first_seen: 1_764_547_200,
                ..Row::default()
            },
        ];
        let i = insights::compute(rows.iter().map(Row::facts), 1_764_547_200);
        let t = table(&i);
        assert!(t.starts_with("Counts\n  blocked "), "{t}");
        assert!(
            t.contains("\n  2025-12                              2 100.0%\n"),
            "{t}"
        );
        assert!(
            t.contains("\n  10k+                                 1  50.0%\n"),
            "{t}"
        );
        assert!(t.contains("Top tags\n  spam "), "{t}");
        let widths: Vec<usize> = t
            .lines()
            .filter(|l| l.starts_with("  ") && l.contains('%'))
            .map(|l| l.find('%').unwrap())
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "aligned: {t}");
    }
}
