//! The `--json` convention through the binary: one document on stdout, errors as one JSON line
//! on stderr with the same exit code as the process.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output};

use common::{run, Env};

fn xblocks(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(args)
        .env("XBLOCKS_CONFIG_DIR", dir)
        .env_remove("XBLOCKS_ACCESS_TOKEN")
        .env("XBLOCKS_API_BASE", "http://127.0.0.1:9")
        .env("XBLOCKS_AUTH_BASE", "http://127.0.0.1:9")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Parses stderr as the error document and checks it against the exit code.
fn error_doc(o: &Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("stderr is not the JSON error ({e}): {stderr}"));
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 2, "exactly error and exit: {v}");
    assert!(v["error"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert_eq!(v["exit"].as_i64(), o.status.code().map(i64::from), "{v}");
    assert!(o.stdout.is_empty(), "nothing on stdout");
    v
}

#[test]
fn a_usage_error_with_json_is_the_json_error_document() {
    let dir = tempfile::tempdir().unwrap();
    let o = xblocks(dir.path(), &["export", "--no-such-flag", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = error_doc(&o);
    assert!(
        v["error"].as_str().unwrap().contains("--no-such-flag"),
        "{v}"
    );
}

#[test]
fn without_json_errors_stay_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = xblocks(dir.path(), &["export", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(serde_json::from_str::<serde_json::Value>(stderr.trim()).is_err());
}

/// The account-age bucket of `created` (Unix seconds) at `now`, from the documented edges.
fn age_bucket(created: Option<i64>, now: i64) -> &'static str {
    let Some(c) = created else { return "?" };
    let days = (now - c).max(0) / 86_400;
    match days {
        d if d < 30 => "<30d",
        d if d < 365 => "<1y",
        d if d < 2 * 365 => "<2y",
        d if d < 5 * 365 => "<5y",
        d if d < 10 * 365 => "<10y",
        _ => "10y+",
    }
}

fn follower_bucket(n: u64) -> &'static str {
    match n {
        0 => "0",
        1..=9 => "1+",
        10..=99 => "10+",
        100..=999 => "100+",
        1_000..=9_999 => "1k+",
        10_000..=99_999 => "10k+",
        100_000..=999_999 => "100k+",
        _ => "1m+",
    }
}

fn unix(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

/// `[{"bucket": b, "accounts": n}, ...]` as a map, zero bars left out.
fn bars(v: &serde_json::Value) -> BTreeMap<String, u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["bucket"].as_str().unwrap().to_string(),
                b["accounts"].as_u64().unwrap(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn stats_json_equals_a_reference_computed_from_export_csv() {
    let env = Env::enterprise(1200);
    env.login();
    let mut c = env.cmd();
    c.args(["export", "--format", "csv"]);
    let csv_out = run(c);
    assert_eq!(csv_out.code, 0, "{}", csv_out.stderr);
    let mut c = env.cmd();
    c.args(["stats", "--json"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    let now = v["computed_at"].as_i64().unwrap();

    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (created, followers, first_seen) = (col("created_at"), col("followers"), col("first_seen"));
    let mut rows = 0u64;
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    let mut ages: BTreeMap<String, u64> = BTreeMap::new();
    let mut fol: BTreeMap<String, u64> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        rows += 1;
        *months.entry(r[first_seen][..7].to_string()).or_default() += 1;
        let c = (!r[created].is_empty()).then(|| unix(&r[created]));
        *ages.entry(age_bucket(c, now).to_string()).or_default() += 1;
        *fol.entry(follower_bucket(r[followers].parse().unwrap()).to_string())
            .or_default() += 1;
    }
    assert_eq!(rows, 1200);
    assert_eq!(v["counts"]["blocked"].as_u64(), Some(rows));
    assert_eq!(v["counts"]["accounts"].as_u64(), Some(rows));
    let got_months: BTreeMap<String, u64> = v["blocks_by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["blocks"].as_u64().unwrap(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(got_months, months);
    assert_eq!(bars(&v["account_age"]), ages);
    assert_eq!(bars(&v["followers"]), fol);
    assert!(fol.len() >= 4, "the emulator spreads followers: {fol:?}");
    // The documented shape: every key, and nothing else.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "computed_at",
            "counts",
            "blocks_by_month",
            "account_age",
            "followers",
            "top_tags"
        ]
    );
    let counts: Vec<&str> = v["counts"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        counts,
        ["accounts", "blocked", "muted", "kept", "tagged", "gone"]
    );

    // Headless, the same numbers as an aligned table.
    let mut c = env.cmd();
    c.arg("stats");
    let table = run(c);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .contains("  blocked                          1,200\n"),
        "{}",
        table.stdout
    );
}
