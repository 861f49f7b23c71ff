//! The `--json` convention through the binary: one document on stdout, errors as one JSON line
//! on stderr with the same exit code as the process.

use crate::common;
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

fn profile_store(dir: &std::path::Path) -> xblocks::store::db::Store {
    xblocks::store::db::Store::open(&dir.join("profiles/default")).unwrap()
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn queue_and_history_json_have_their_documented_shapes() {
    use xblocks::api::Write;
    use xblocks::store::db::{JobState, NewJob};
    let dir = tempfile::tempdir().unwrap();
    let store = profile_store(dir.path());
    let now = xblocks::store::db::now_unix();
    let done = store
        .enqueue(
            "b-old",
            &[NewJob::now(Write::Block, "11", Some("eleven".into()))],
        )
        .unwrap();
    store
        .finish_job(done[0], &JobState::Done, Some("req-1"))
        .unwrap();
    let failed = store
        .enqueue("b-old", &[NewJob::now(Write::Unblock, "12", None)])
        .unwrap();
    store
        .finish_job(failed[0], &JobState::Failed("gone".into()), None)
        .unwrap();
    let mut later = NewJob::now(Write::Unmute, "13", Some("thirteen".into()));
    later.due_at = Some(now + 7 * 86_400);
    store
        .enqueue("b-timed", &[NewJob::now(Write::Mute, "14", None), later])
        .unwrap();
    drop(store);

    let o = xblocks(dir.path(), &["queue", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let q: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(keys(&q), ["open", "due_later", "recent"]);
    assert_eq!(q["due_later"], 1);
    let open = q["open"].as_array().unwrap();
    assert_eq!(open.len(), 2);
    for j in open.iter().chain(q["recent"].as_array().unwrap()) {
        assert_eq!(
            keys(j),
            [
                "id", "batch", "action", "target", "username", "state", "reason", "due_at",
                "attempts"
            ]
        );
    }
    let timed = open.iter().find(|j| j["target"] == "13").unwrap();
    assert_eq!(timed["action"], "unmute");
    assert_eq!(timed["state"], "pending");
    let due = timed["due_at"].as_str().unwrap();
    assert!(due.ends_with('Z') && due.len() == 20, "{due}");
    assert!(open
        .iter()
        .any(|j| j["target"] == "14" && j["due_at"].is_null()));
    let recent = q["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0]["state"], "failed", "newest first");
    assert_eq!(recent[0]["reason"], "gone");

    let o = xblocks(dir.path(), &["history", "--json", "--limit", "1"]);
    assert_eq!(o.status.code(), Some(0));
    let h: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(keys(&h), ["total", "entries"]);
    assert_eq!(h["total"], 2);
    let entries = h["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["target"], "12", "newest first");
    assert_eq!(entries[0]["result"], "failed: gone");
    for k in ["at", "batch", "target", "action", "result"] {
        assert!(entries[0].get(k).is_some(), "{k} in {}", entries[0]);
    }

    // The tables say the same in words.
    let o = xblocks(dir.path(), &["queue"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("2 open jobs (1 due later)\n"), "{text}");
    assert!(
        text.contains("@thirteen (13)")
            && (text.contains("(in 7d)") || text.contains("(in 6d 23h)")),
        "{text}"
    );
    let o = xblocks(dir.path(), &["history"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("block    @eleven (11)") && text.contains("failed: gone"),
        "{text}"
    );
}

#[test]
fn a_damaged_database_is_a_json_error_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    drop(profile_store(dir.path()));
    std::fs::write(
        dir.path().join("profiles/default/xblocks.db"),
        b"this is not sqlite at all, just text that fills a page".repeat(100),
    )
    .unwrap();
    for cmd in [
        ["queue", "--json"],
        ["history", "--json"],
        ["stats", "--json"],
    ] {
        let o = xblocks(dir.path(), &cmd);
        assert_eq!(o.status.code(), Some(1), "{cmd:?}");
        let v = error_doc(&o);
        assert!(v["error"].as_str().unwrap().contains("xblocks.db"), "{v}");
    }
}

#[test]
fn no_database_yet_is_an_empty_document_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = xblocks(dir.path(), &["queue", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let q: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(q["open"].as_array().unwrap().len(), 0);
    let o = xblocks(dir.path(), &["history", "--json"]);
    let h: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(h["total"], 0);
    assert!(
        !dir.path().join("profiles/default/xblocks.db").exists(),
        "reading creates nothing"
    );
}

#[test]
fn import_and_undo_dry_run_json_are_their_documented_plans() {
    let env = Env::enterprise(30);
    env.login();
    let blocked = env.emu().blocked_ids();
    let file = env.config_dir().join("list.txt");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n@nosuchuser12\n{}\n",
            blocked[0], blocked[1], blocked[0]
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();

    // Nothing logged yet: the undo plan is empty, not an error.
    let mut c = env.cmd();
    c.args(["undo", "--dry-run", "--json"]);
    let o = run(c);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let u: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(keys(&u), ["batch", "undo_batch", "count", "writes"]);
    assert!(u["batch"].is_null() && u["count"] == 0, "{u}");

    // The database knows the list; the unknown handle is left for X, with what that costs, and
    // a dry run sends nothing at all.
    let mut c = env.cmd();
    c.arg("sync");
    assert_eq!(run(c).code, 0);
    let requests = env.emu().request_log().len();
    let mut c = env.cmd();
    c.args(["import", file, "--unblock", "--dry-run", "--json"]);
    let o = run(c);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let p: serde_json::Value =
        serde_json::from_str(&o.stdout).expect("only the document on stdout");
    assert_eq!(
        env.emu().request_log().len(),
        requests,
        "a dry run sends nothing"
    );
    assert_eq!(
        keys(&p),
        [
            "action",
            "counts",
            "to_write",
            "already_in_state",
            "not_found",
            "followed",
            "where",
            "left_out",
            "lookup",
            "to_look_up"
        ]
    );
    assert_eq!(p["action"], "unblock");
    assert_eq!(
        p["counts"],
        serde_json::json!({"to_write": 2, "already_in_state": 0, "not_found": 0, "self": 0, "duplicates": 1, "kept": 0, "followed": 0, "forced": 0, "left_out": 0, "to_look_up": 1})
    );
    assert_eq!(
        p["lookup"],
        serde_json::json!({"accounts": 1, "requests": 1, "cost_usd_at_most": 0.01})
    );
    assert_eq!(p["to_write"][0]["id"], blocked[0].as_str());
    assert!(p["to_write"][0]["username"].is_string());
    assert_eq!(p["to_look_up"], serde_json::json!(["@nosuchuser12"]));
    assert_eq!(
        env.emu().blocked_ids().len(),
        30,
        "a dry run changes nothing"
    );

    // --json needs --dry-run: a usage error, as JSON.
    let mut c = env.cmd();
    c.args(["import", file, "--json"]);
    let o = run(c);
    assert_eq!(o.code, 2);
    let last = o.stderr.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["exit"], 2);

    // After a real import, undo --dry-run --json names its inverse writes.
    let mut c = env.cmd();
    c.args(["import", file, "--unblock"]);
    let o = run(c);
    assert_eq!(
        o.code, 4,
        "the file names one account X does not know: {}",
        o.stderr
    );
    let mut c = env.cmd();
    c.args(["undo", "--dry-run", "--json"]);
    let o = run(c);
    let u: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(u["count"], 2, "{u}");
    assert!(u["batch"].as_str().is_some_and(|b| !b.is_empty()));
    let w = u["writes"].as_array().unwrap();
    assert!(w.iter().all(|j| j["action"] == "block"), "{u}");
    let mut targets: Vec<&str> = w.iter().map(|j| j["target"].as_str().unwrap()).collect();
    targets.sort();
    let mut want = vec![blocked[0].as_str(), blocked[1].as_str()];
    want.sort();
    assert_eq!(targets, want);
    assert_eq!(
        env.emu().blocked_ids().len(),
        28,
        "the dry run undid nothing"
    );
}
