//! The query language, notes, tags and the keep list through the binary against the emulator:
//! `export --where` equals a brute-force reference computed from `export --format csv` (and
//! jsonl for the fields csv lacks), and kept accounts are never unblocked by `import --unblock`
//! or `undo`.

use crate::common;
use std::collections::HashMap;

use common::{run, Env};

fn ok(env: &Env, args: &[&str]) -> String {
    let mut c = env.cmd();
    c.args(args);
    let out = run(c);
    assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
    out.stdout
}

/// One exported account as the reference sees it.
struct Row {
    id: String,
    handle: String,
    name: String,
    bio: String,
    location: String,
    url: String,
    followers: i64,
    following: i64,
    posts: i64,
    listed: i64,
    created: i64,
    first_seen: i64,
    verified: bool,
    protected: bool,
    default_avatar: bool,
    note: String,
    tags: Vec<String>,
    kept: bool,
}

fn unix(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

fn day(s: &str) -> i64 {
    unix(&format!("{s}T00:00:00Z"))
}

/// The accounts from `export --format csv`, completed from `export --format jsonl`.
fn rows(env: &Env) -> Vec<Row> {
    let csv_text = ok(env, &["export", "--cached", "--format", "csv"]);
    let jsonl = ok(env, &["export", "--cached", "--format", "jsonl"]);
    let extra: HashMap<String, serde_json::Value> = jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["user"]["id"].as_str().unwrap().to_string(), v)
        })
        .collect();
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header.join(","),
        "id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen,note,tags,kept"
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let x = &extra[&rec[0]];
            let u = &x["user"];
            let url = u["entities"]["url"]["urls"][0]["expanded_url"]
                .as_str()
                .or(u["url"].as_str())
                .unwrap_or("")
                .to_string();
            Row {
                id: rec[0].to_string(),
                handle: rec[1].to_string(),
                name: rec[2].to_string(),
                bio: rec[9].to_string(),
                location: u["location"].as_str().unwrap_or("").to_string(),
                url,
                followers: rec[4].parse().unwrap(),
                following: rec[5].parse().unwrap(),
                posts: rec[6].parse().unwrap(),
                listed: u["public_metrics"]["listed_count"].as_i64().unwrap(),
                created: unix(&rec[3]),
                first_seen: unix(&rec[10]),
                verified: &rec[7] == "true",
                protected: &rec[8] == "true",
                default_avatar: u["profile_image_url"]
                    .as_str()
                    .unwrap_or("")
                    .contains("default_profile_images"),
                note: rec[11].to_string(),
                tags: rec[12].split_whitespace().map(str::to_string).collect(),
                kept: &rec[13] == "true",
            }
        })
        .collect()
}

/// The brute-force reference of one term.
fn term(r: &Row, t: &str, now: i64) -> bool {
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let y = 365 * 86_400;
    let hit = match t.split_once(':') {
        Some(("followers", "<100")) => r.followers < 100,
        Some(("followers", "1k..50k")) => (1000..=50_000).contains(&r.followers),
        Some(("following", ">500")) => r.following > 500,
        Some(("posts", "<=10")) => r.posts <= 10,
        Some(("listed", ">5")) => r.listed > 5,
        Some(("age", ">5y")) => now - r.created > 5 * y,
        Some(("age", "<2y")) => now - r.created < 2 * y,
        Some(("joined", "<2012-01-01")) => r.created < day("2012-01-01"),
        Some(("joined", "2015")) => (day("2015-01-01")..day("2016-01-01")).contains(&r.created),
        Some(("seen", ">2026-06-01")) => r.first_seen >= day("2026-06-02"),
        Some(("verified", "yes")) => r.verified,
        Some(("protected", "no")) => !r.protected,
        Some(("avatar", "default")) => r.default_avatar,
        Some(("bio", "empty")) => r.bio.trim().is_empty(),
        Some(("tag", name)) => r.tags.iter().any(|x| x == name),
        Some(("note", w)) => r.note.to_lowercase().contains(w),
        Some(("kept", "yes")) => r.kept,
        Some(("gone", "no")) => true,
        Some((k, v)) => panic!("the reference lacks {k}:{v}"),
        None => {
            let w = t.trim_matches('"').to_lowercase();
            [&r.handle, &r.name, &r.bio, &r.location, &r.url, &r.note]
                .iter()
                .any(|f| f.to_lowercase().contains(&w))
                || r.tags.iter().any(|x| x.contains(&w))
        }
    };
    hit != neg
}

/// Splits a query into terms (quoted phrases stay whole).
fn terms(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|t| !t.is_empty()).collect()
}

#[test]
fn export_where_equals_a_brute_force_reference_from_the_csv() {
    let env = Env::enterprise(400);
    env.login();
    ok(&env, &["export", "--format", "ids"]);
    let all = rows(&env);
    // Notes, tags and the keep list on a few accounts, through the binary.
    let (a, b, c) = (&all[3], &all[7], &all[11]);
    ok(&env, &["note", &a.id, "Paid", "troll", "account"]);
    ok(&env, &["tag", &format!("@{}", a.handle), "+spam", "+Bots"]);
    ok(&env, &["tag", &b.id, "+spam"]);
    ok(&env, &["keep", &c.id, &b.id]);
    ok(&env, &["keep", "--remove", &b.id]);
    assert_eq!(ok(&env, &["note", &a.id]).trim(), "Paid troll account");
    assert!(ok(&env, &["keep", "--list"]).contains(&c.id));
    let all = rows(&env);
    assert_eq!(all[3].note, "Paid troll account");
    assert_eq!(all[3].tags, ["bots", "spam"]);
    assert!(all[11].kept && !all[7].kept);

    let word: String = all[5]
        .bio
        .split_whitespace()
        .next()
        .unwrap()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let words: Vec<&str> = all[9].bio.split_whitespace().take(2).collect();
    let phrase = format!("\"{}\"", words.join(" ").to_lowercase());
    let handle_part = all[2].handle[1..4].to_uppercase();
    let queries = [
        word.clone(),
        handle_part.clone(),
        phrase.clone(),
        format!("-{word}"),
        format!("{word} -{handle_part}"),
        format!("-{phrase} followers:<100"),
        "followers:1k..50k".into(),
        "following:>500 -verified:yes".into(),
        "posts:<=10".into(),
        "listed:>5".into(),
        "age:>5y".into(),
        "age:<2y protected:no".into(),
        "joined:<2012-01-01".into(),
        "joined:2015".into(),
        "seen:>2026-06-01".into(),
        "verified:yes".into(),
        "avatar:default".into(),
        "bio:empty".into(),
        "tag:spam".into(),
        "-tag:spam".into(),
        "note:troll".into(),
        "troll".into(),
        "bots".into(),
        "kept:yes".into(),
        "-kept:yes gone:no".into(),
    ];
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut nonempty = 0;
    for q in &queries {
        let want: Vec<&str> = all
            .iter()
            .filter(|r| terms(q).iter().all(|t| term(r, t, now)))
            .map(|r| r.id.as_str())
            .collect();
        let got = ok(
            &env,
            &["export", "--cached", "--format", "ids", "--where", q],
        );
        let got: Vec<&str> = got.lines().collect();
        assert_eq!(got, want, "query {q}");
        nonempty += usize::from(!want.is_empty() && want.len() < all.len());
    }
    assert!(
        nonempty >= 15,
        "the queries must select something: {nonempty}"
    );

    let mut c = env.cmd();
    c.args(["export", "--cached", "--where", "colour:red"]);
    let out = run(c);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("column 1") && out.stderr.contains("followers:"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
}

#[test]
fn kept_accounts_are_never_unblocked_by_import_or_undo() {
    let env = Env::enterprise(60);
    env.login();
    ok(&env, &["export", "--format", "ids"]);
    let ids = env.emu().blocked_ids();
    let (kept, free) = (&ids[..2], &ids[2..5]);
    ok(&env, &["keep", &kept[0], &kept[1]]);
    let file = env.config_dir().join("targets.txt");
    std::fs::write(&file, [kept, free].concat().join("\n")).unwrap();
    let out = ok(&env, &["import", file.to_str().unwrap(), "--unblock"]);
    assert!(
        out.contains("kept (on the keep list, never unblocked): 2"),
        "{out}"
    );
    let blocked = env.emu().blocked_ids();
    assert!(
        kept.iter().all(|k| blocked.contains(k)),
        "kept stay blocked"
    );
    assert!(
        free.iter().all(|f| !blocked.contains(f)),
        "the rest are unblocked"
    );

    // Block the three again, keep one of them, then undo that block batch.
    let again = env.config_dir().join("again.txt");
    std::fs::write(&again, free.join("\n")).unwrap();
    ok(&env, &["import", again.to_str().unwrap()]);
    ok(&env, &["keep", &free[0]]);
    let out = ok(&env, &["undo"]);
    assert!(out.contains("1 on the keep list left blocked"), "{out}");
    let blocked = env.emu().blocked_ids();
    assert!(blocked.contains(&free[0]), "the kept one stays blocked");
    assert!(!blocked.contains(&free[1]) && !blocked.contains(&free[2]));
    assert!(kept.iter().all(|k| blocked.contains(k)));
}
