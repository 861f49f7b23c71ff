//! The query language, notes, tags and the keep list through the binary against the emulator:
//! `export --where` equals a brute-force reference computed from `export --format csv` (and
//! jsonl for the fields csv lacks), and kept accounts are never unblocked by `import --unblock`
//! or `undo`.

use crate::common;
use std::collections::HashMap;

use common::{http_get, run, Env};

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

/// A count filter's value (`<100`, `>=1.5k`, `=0`, `10..2m`) on `n`, by hand.
fn count(n: i64, v: &str) -> bool {
    let num = |s: &str| -> i64 {
        let (digits, mult) = match s.chars().last() {
            Some('k') => (&s[..s.len() - 1], 1_000.0),
            Some('m') => (&s[..s.len() - 1], 1_000_000.0),
            _ => (s, 1.0),
        };
        (digits.parse::<f64>().unwrap() * mult) as i64
    };
    if let Some((lo, hi)) = v.split_once("..") {
        return num(lo) <= n && n <= num(hi);
    }
    for (op, f) in [
        ("<=", (|a, b| a <= b) as fn(i64, i64) -> bool),
        (">=", |a, b| a >= b),
        ("<", |a, b| a < b),
        (">", |a, b| a > b),
        ("=", |a, b| a == b),
    ] {
        if let Some(rest) = v.strip_prefix(op) {
            return f(n, num(rest));
        }
    }
    n == num(v)
}

/// The brute-force reference of one term.
fn term(r: &Row, t: &str, now: i64) -> bool {
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let y = 365 * 86_400;
    let hit = match t.split_once(':') {
        Some(("followers", v)) => count(r.followers, v),
        Some(("following", v)) => count(r.following, v),
        Some(("posts", v)) => count(r.posts, v),
        Some(("listed", v)) => count(r.listed, v),
        Some(("age", ">5y")) => now - r.created > 5 * y,
        Some(("age", "<2y")) => now - r.created < 2 * y,
        Some(("joined", "<2012-01-01")) => r.created < day("2012-01-01"),
        Some(("joined", "2015")) => (day("2015-01-01")..day("2016-01-01")).contains(&r.created),
        Some(("seen", v)) if v.starts_with('>') => r.first_seen >= day(&v[1..]) + 86_400,
        Some(("verified", v)) => r.verified == (v == "yes"),
        Some(("protected", v)) => r.protected == (v == "yes"),
        Some(("avatar", "default")) => r.default_avatar,
        Some(("bio", "empty")) => r.bio.trim().is_empty(),
        Some(("tag", name)) => r.tags.iter().any(|x| x == name),
        Some(("note", w)) => r.note.to_lowercase().contains(w),
        Some(("kept", v)) => r.kept == (v == "yes"),
        // Every exported or listed account is in the block list.
        Some(("gone", v)) => v == "no",
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
        "posts:>=1.5k".into(),
        "followers:=0".into(),
        "following:10..2m".into(),
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

/// `import --dry-run --look-up --json` of `file`: the plan document, with the accounts the
/// database does not know looked up at X (stderr is kept for the caller).
fn plan(env: &Env, file: &std::path::Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut c = env.cmd();
    c.args([
        "import",
        file.to_str().unwrap(),
        "--dry-run",
        "--look-up",
        "--json",
    ])
    .args(extra);
    let out = run(c);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let doc = serde_json::from_str(&out.stdout).expect("only the plan document on stdout");
    (doc, out.stderr)
}

fn ids_of(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().or(x.as_str()).unwrap().to_string())
        .collect()
}

#[test]
fn the_guard_skips_accounts_a_follow_joins_to_you_unless_forced() {
    let env = Env::enterprise(60);
    env.login();
    let emu = env.emu();
    let connected = emu.connected_accounts(4);
    assert!(
        connected.iter().any(|c| c.2) && connected.iter().any(|c| c.3),
        "the world has both kinds of follow: {connected:?}"
    );
    let free = emu.unblocked_accounts(2);
    let file = env.config_dir().join("list.txt");
    let lines: Vec<String> = connected[..3]
        .iter()
        .map(|c| c.0.clone())
        .chain(free.iter().map(|f| format!("@{}", f.1)))
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();

    // The plan names the followed accounts and what the lookup costs, sending no write.
    let (doc, stderr) = plan(&env, &file, &[]);
    assert!(
        stderr.contains("lookup at X: 5 accounts in 2 requests, at most $0.050 on pay-per-use"),
        "{stderr}"
    );
    assert_eq!(doc["lookup"]["accounts"], 5);
    assert_eq!(doc["lookup"]["requests"], 2);
    assert_eq!(doc["counts"]["followed"], 3);
    let followed = doc["followed"].as_array().unwrap();
    for (c, f) in connected[..3].iter().zip(followed) {
        assert_eq!(f["id"], c.0.as_str());
        assert_eq!(f["username"], c.1.as_str());
        assert_eq!(
            (f["you_follow"] == true, f["follows_you"] == true),
            (c.2, c.3)
        );
    }
    let free_ids: Vec<String> = free.iter().map(|f| f.0.clone()).collect();
    assert_eq!(ids_of(&doc["to_write"]), free_ids);
    assert!(
        !emu.request_log()
            .iter()
            .any(|r| r.method != "GET" && r.path.contains("/blocking")),
        "a dry run sends no write"
    );

    // A daily cap below the lookup's worst case: nothing is sent at all.
    std::fs::write(
        env.config_dir().join("config.toml"),
        "[billing]\ndaily_cap = 0.04\n",
    )
    .unwrap();
    let lookups = |emu: &xblocks::emulator::Emulator| {
        emu.request_log()
            .iter()
            .filter(|r| r.path.starts_with("/2/users?") || r.path.starts_with("/2/users/by?"))
            .count()
    };
    let before = lookups(emu);
    let mut c = env.cmd();
    c.args(["import", file.to_str().unwrap(), "--dry-run", "--look-up"]);
    let out = run(c);
    assert_eq!(out.code, 6, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("lookup at X: 5 accounts"),
        "the cost comes first: {}",
        out.stdout
    );
    assert!(out.stderr.contains("daily_cap"), "{}", out.stderr);
    assert_eq!(lookups(emu), before, "no lookup crossed the cap");
    std::fs::remove_file(env.config_dir().join("config.toml")).unwrap();

    // The real import blocks the free ones only.
    let out = ok(&env, &["import", file.to_str().unwrap()]);
    assert!(
        out.contains("skipped, a follow joins you (--force blocks them anyway): 3"),
        "{out}"
    );
    let blocked = emu.blocked_ids();
    assert!(free_ids.iter().all(|f| blocked.contains(f)));
    assert!(connected[..3].iter().all(|c| !blocked.contains(&c.0)));

    // `block` skips one too (exit 1, saying how to force it); --force blocks it.
    let (id, handle, ..) = &connected[3];
    let mut c = env.cmd();
    c.args(["block", &format!("@{handle}")]);
    let out = run(c);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!("skipped @{handle} ({id}):"))
            && out.stdout.contains("--force blocks them anyway"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("lookup at X: 1 account in 1 request"),
        "{}",
        out.stderr
    );
    assert!(!emu.blocked_ids().contains(id));
    let out = ok(&env, &["block", "--force", &format!("@{handle}")]);
    assert!(out.contains(&format!("blocked @{handle}")), "{out}");
    assert!(emu.blocked_ids().contains(id));

    // X ended the follows with the block: after an unblock, a block needs no --force.
    ok(&env, &["unblock", id]);
    assert!(!emu.blocked_ids().contains(id));
    ok(&env, &["block", id]);
    assert!(emu.blocked_ids().contains(id));

    // import --force blocks the followed ones as well.
    let out = ok(&env, &["import", file.to_str().unwrap(), "--force"]);
    assert!(
        out.contains("a follow joins you, blocked anyway (--force): 3"),
        "{out}"
    );
    let blocked = emu.blocked_ids();
    assert!(connected[..3].iter().all(|c| blocked.contains(&c.0)));
}

/// An account X's lookup returned that the database does not know: no note, tags, keep flag or
/// first-seen date (so `seen:` never holds).
fn unknown_row(u: &serde_json::Value) -> Row {
    let m = &u["public_metrics"];
    let n = |k: &str| m[k].as_i64().unwrap();
    Row {
        id: u["id"].as_str().unwrap().to_string(),
        handle: u["username"].as_str().unwrap().to_string(),
        name: u["name"].as_str().unwrap().to_string(),
        bio: u["description"].as_str().unwrap_or("").to_string(),
        location: u["location"].as_str().unwrap_or("").to_string(),
        url: u["entities"]["url"]["urls"][0]["expanded_url"]
            .as_str()
            .or(u["url"].as_str())
            .unwrap_or("")
            .to_string(),
        followers: n("followers_count"),
        following: n("following_count"),
        posts: n("tweet_count"),
        listed: n("listed_count"),
        created: unix(u["created_at"].as_str().unwrap()),
        first_seen: i64::MIN,
        verified: u["verified"] == true,
        protected: u["protected"] == true,
        default_avatar: u["profile_image_url"]
            .as_str()
            .unwrap_or("")
            .contains("default_profile_images"),
        note: String::new(),
        tags: Vec::new(),
        kept: false,
    }
}

#[test]
fn import_where_writes_exactly_the_listed_accounts_that_match() {
    let env = Env::enterprise(150);
    env.login();
    ok(&env, &["export", "--format", "ids"]);
    let known = rows(&env);
    ok(&env, &["tag", &known[4].id, "+spam"]);
    ok(&env, &["note", &known[6].id, "spam", "ring"]);
    ok(&env, &["keep", &known[8].id]);
    let known = rows(&env);
    // Three accounts the database does not know, evaluated on X's answer to the lookup.
    let others = env.emu().unblocked_accounts(3);
    let ids: Vec<&str> = others.iter().map(|o| o.0.as_str()).collect();
    let token = env.emu().issue_token(common::SCOPES);
    let url = format!(
        "{}/2/users?ids={}&user.fields=created_at,description,location,url,public_metrics,verified,protected,profile_image_url,entities",
        env.base,
        ids.join(",")
    );
    let (status, _, body) = http_get(&env, &url, Some(&token));
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    let unknown: Vec<Row> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(unknown_row)
        .collect();
    assert_eq!(unknown.len(), 3);

    let file = env.config_dir().join("list.txt");
    let listed: Vec<&str> = known
        .iter()
        .map(|r| r.id.as_str())
        .chain(ids.clone())
        .collect();
    std::fs::write(&file, listed.join("\n")).unwrap();
    let word: String = known[10..]
        .iter()
        .find_map(|r| r.bio.split_whitespace().next())
        .unwrap()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut selective = 0;
    for q in [
        word.clone(),
        format!("-{word} followers:<10k"),
        "followers:1k..50k".to_string(),
        "age:>5y verified:no".into(),
        "spam".into(),
        "tag:spam".into(),
        "kept:yes".into(),
        "seen:>2000-01-01".into(),
        "-seen:>2000-01-01".into(),
    ] {
        let holds = |r: &Row| terms(&q).iter().all(|t| term(r, t, now));
        // Unblock: the listed accounts the database holds, less the kept one.
        let (doc, _) = plan(&env, &file, &["--unblock", "--where", &q]);
        let want: Vec<String> = known
            .iter()
            .filter(|r| holds(r) && !r.kept)
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(ids_of(&doc["to_write"]), want, "--unblock --where {q}");
        assert_eq!(doc["where"], q.as_str());
        let matched_kept = known.iter().filter(|r| holds(r) && r.kept).count();
        assert_eq!(doc["counts"]["kept"], matched_kept, "{q}");
        // Block: the accounts X knows and the database does not.
        let (doc, _) = plan(&env, &file, &["--where", &q]);
        let want: Vec<String> = unknown
            .iter()
            .filter(|r| holds(r))
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(ids_of(&doc["to_write"]), want, "--where {q}");
        let all_matches = known.iter().filter(|r| holds(r)).count() + want.len();
        assert_eq!(doc["counts"]["left_out"], listed.len() - all_matches, "{q}");
        selective += usize::from(all_matches > 0 && all_matches < listed.len());
    }
    assert!(
        selective >= 6,
        "the queries must select something: {selective}"
    );

    // A bad query is a usage error before anything is read or sent.
    let before = env.emu().request_log().len();
    let mut c = env.cmd();
    c.args(["import", file.to_str().unwrap(), "--where", "colour:red"]);
    let out = run(c);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--where"), "{}", out.stderr);
    assert_eq!(env.emu().request_log().len(), before);
}
