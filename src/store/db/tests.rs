use super::*;
use crate::api::types::User;
use crate::api::Write;

fn user(id: u64) -> User {
    User {
        id: id.to_string(),
        name: format!("Name {id}"),
        username: format!("User{id}"),
        description: Some(format!("bio {id}")),
        ..User::default()
    }
}

fn users(ids: &[u64]) -> Vec<User> {
    ids.iter().map(|&i| user(i)).collect()
}

fn ids(list: &[StoredAccount]) -> Vec<u64> {
    list.iter().map(|a| a.user.id.parse().unwrap()).collect()
}

fn full_sync(s: &Store, pages: &[&[u64]]) -> usize {
    let id = s.begin_sync(SyncKind::Full).unwrap();
    let mut pos = 0;
    for p in pages {
        s.upsert_page(id, pos, &users(p)).unwrap();
        pos += p.len() as u64;
    }
    s.finish_sync(id, SyncTotals::default()).unwrap()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_database_is_private_in_wal_mode_at_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profiles/default");
    let s = Store::open(&profile).unwrap();
    let path = profile.join(FILE_NAME);
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&profile), 0o700);
    }
    let c = s.conn();
    let q = |sql: &str| -> String {
        c.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert!(q("PRAGMA journal_mode").contains("wal"));
    assert_eq!(q("PRAGMA synchronous"), "Integer(2)");
    assert_eq!(q("PRAGMA user_version"), format!("Integer({VERSION})"));
    assert_eq!(q("PRAGMA page_size"), format!("Integer({PAGE_SIZE})"));
    assert_eq!(
        q("PRAGMA application_id"),
        format!("Integer({})", schema::APPLICATION_ID)
    );
    drop(c);
    drop(s);
    // Reopening changes nothing.
    Store::open(&profile).unwrap();
}

#[test]
fn each_migration_step_applies_on_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Connection::open(dir.path().join("x.db")).unwrap();
    for n in 1..=VERSION {
        schema::migrate_to(&mut c, n - 1, n).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, n);
        // Running a step again is a no-op, not an error.
        schema::migrate_to(&mut c, n - 1, n).unwrap();
    }
    for table in [
        "accounts", "syncs", "spend", "jobs", "log", "notes", "tags", "keep", "meta",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table}");
    }
}

/// A profile folder under `dir` holding a database at schema `version`, and its connection.
fn database_at(dir: &Path, version: i64) -> (std::path::PathBuf, Connection) {
    let profile = dir.join("p");
    std::fs::create_dir_all(&profile).unwrap();
    let mut c = Connection::open(profile.join(FILE_NAME)).unwrap();
    schema::migrate_to(&mut c, 0, version).unwrap();
    (profile, c)
}

#[test]
fn a_schema_1_database_keeps_its_accounts_and_loses_the_unused_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, c) = database_at(dir.path(), 1);
    c.execute(
        "INSERT INTO accounts (id, json, username, username_lc, name, first_seen, last_seen, \
             first_sync, seen_sync, seen_pos) \
         VALUES ('7', '{\"id\":\"7\"}', 'Seven', 'seven', 'S', 100, 200, 1, 1, 0)",
        [],
    )
    .unwrap();
    drop(c);
    let s = Store::open(&profile).unwrap();
    let a = s.account_by_handle("SEVEN").unwrap().unwrap();
    assert_eq!((a.first_seen, a.last_seen), (100, 200));
    let c = s.conn();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'accounts'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(names.contains(&"accounts_order".to_string()), "{names:?}");
    assert!(
        names.contains(&"accounts_username".to_string()),
        "{names:?}"
    );
    assert!(!names
        .iter()
        .any(|n| n.contains("followers") || n.contains("first_seen")));
    // A file made earlier keeps its page size.
    let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, 4096);
}

fn refused(profile: &Path, bytes: &[u8]) -> DbError {
    std::fs::create_dir_all(profile).unwrap();
    let path = profile.join(FILE_NAME);
    std::fs::write(&path, bytes).unwrap();
    let err = Store::open(profile).unwrap_err();
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was changed");
    let names: Vec<_> = std::fs::read_dir(profile)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "files appeared beside it: {names:?}");
    let line = err.to_string();
    assert!(!line.contains('\n'), "{line}");
    assert!(line.contains(&path.display().to_string()), "{line}");
    err
}

#[test]
fn random_bytes_truncated_foreign_and_newer_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let random: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(matches!(
        refused(&dir.path().join("a"), &random),
        DbError::Corrupt { .. }
    ));

    // A real database, cut in half.
    let good = dir.path().join("good");
    let s = Store::open(&good).unwrap();
    let id = s.begin_sync(SyncKind::Full).unwrap();
    s.upsert_page(id, 0, &users(&(1..2000).collect::<Vec<_>>()))
        .unwrap();
    drop(s);
    let bytes = std::fs::read(good.join(FILE_NAME)).unwrap();
    assert!(bytes.len() > 8192);
    assert!(matches!(
        refused(&dir.path().join("b"), &bytes[..bytes.len() / 2]),
        DbError::Corrupt { .. }
    ));
    assert!(matches!(
        refused(&dir.path().join("b2"), &bytes[..50]),
        DbError::Corrupt { .. }
    ));

    // Another program's database.
    let other = dir.path().join("other.db");
    let c = Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE history (id INTEGER); INSERT INTO history VALUES (1);")
        .unwrap();
    drop(c);
    let err = refused(&dir.path().join("c"), &std::fs::read(&other).unwrap());
    assert!(matches!(err, DbError::Foreign { .. }), "{err}");

    // Ours, from a newer xblocks.
    let newer = dir.path().join("newer.db");
    let c = Connection::open(&newer).unwrap();
    c.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = {};",
        schema::APPLICATION_ID,
        VERSION + 1
    ))
    .unwrap();
    drop(c);
    let err = refused(&dir.path().join("d"), &std::fs::read(&newer).unwrap());
    assert!(matches!(err, DbError::Newer { .. }), "{err}");
    assert!(err.to_string().contains("newer xblocks"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_link_directory_or_fifo_in_its_place_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let decoy = dir.path().join("decoy");
    std::fs::write(&decoy, b"keep me").unwrap();
    let p = dir.path().join("p1");
    std::fs::create_dir_all(&p).unwrap();
    std::os::unix::fs::symlink(&decoy, p.join(FILE_NAME)).unwrap();
    let err = Store::open(&p).unwrap_err();
    assert!(matches!(err, DbError::NotRegular { what, .. } if what == "a symbolic link"));
    assert_eq!(std::fs::read(&decoy).unwrap(), b"keep me");

    let p = dir.path().join("p2");
    std::fs::create_dir_all(p.join(FILE_NAME)).unwrap();
    assert!(matches!(
        Store::open(&p).unwrap_err(),
        DbError::NotRegular {
            what: "a directory",
            ..
        }
    ));

    let p = dir.path().join("p3");
    std::fs::create_dir_all(&p).unwrap();
    let fifo = std::ffi::CString::new(p.join(FILE_NAME).to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let err = Store::open(&p).unwrap_err();
    assert!(err.to_string().contains("a FIFO"), "{err}");
    assert!(Store::open_existing(&p).is_err());
}

#[test]
fn pages_count_new_and_known_and_load_in_x_order_across_top_ups() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(full_sync(&s, &[&[5, 4, 3], &[2, 1]]), 0);
    assert_eq!(ids(&s.load_all().unwrap()), [5, 4, 3, 2, 1]);
    // A top-up: two new blocks on top, then a page of known accounts.
    let t = s.begin_sync(SyncKind::TopUp).unwrap();
    let c = s.upsert_page(t, 0, &users(&[7, 6, 5])).unwrap();
    assert_eq!(c, PageCount { new: 2, known: 1 });
    s.finish_sync(t, SyncTotals::default()).unwrap();
    assert_eq!(ids(&s.load_all().unwrap()), [7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(s.listed_count().unwrap(), 7);
    // A full sync finds 4 and 2 gone; first_seen stays.
    let before = s.accounts_by_id(&["3".into()]).unwrap()["3"].first_seen;
    assert_eq!(full_sync(&s, &[&[7, 6, 5], &[3, 1]]), 2);
    let now = s.load_all().unwrap();
    assert_eq!(ids(&now), [7, 6, 5, 3, 1]);
    assert_eq!(now[3].first_seen, before);
    assert_eq!(s.is_listed("4").unwrap(), Some(false));
    assert_eq!(s.is_listed("99").unwrap(), None);
    let mut gone = s.gone_in_last_full_sync().unwrap();
    gone.sort();
    assert_eq!(gone, ["2", "4"], "the TUI takes these out of the list");
    let d = s.diff_since_previous_full().unwrap();
    let names = |v: &[User]| v.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
    assert_eq!(names(&d.new), ["7", "6"]);
    let mut gone = names(&d.gone);
    gone.sort();
    assert_eq!(gone, ["2", "4"]);
    assert!(d.previous_at.is_some() && d.latest_at.is_some());
    // Handles resolve any case; the JSON is X's object as stored.
    assert_eq!(s.account_by_handle("user7").unwrap().unwrap().user.id, "7");
    let json = s.accounts_json().unwrap();
    assert_eq!(json.len(), 5);
    let back: User = serde_json::from_str(&json[0].0).unwrap();
    assert_eq!(back, user(7));
    assert_eq!(s.listed_handles().unwrap().len(), 5);
    // Relisted after being gone: new again, not gone.
    let t = s.begin_sync(SyncKind::TopUp).unwrap();
    assert_eq!(
        s.upsert_page(t, 0, &users(&[4])).unwrap(),
        PageCount { new: 1, known: 0 }
    );
    assert_eq!(ids(&s.load_all().unwrap())[0], 4);
    assert_eq!(s.gone_in_last_full_sync().unwrap(), ["2"]);
}

fn listed_ids(part: &ListedSlice) -> Vec<u64> {
    part.ids().map(|id| id.parse().unwrap()).collect()
}

#[test]
fn the_list_streams_in_slices_in_x_order_and_stops_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    full_sync(&s, &[&[9, 8, 7, 6], &[5, 4, 3, 2, 1]]);
    let mut parts = Vec::new();
    s.load_listed_in(2, 3, |part| {
        parts.push(listed_ids(&part));
        true
    })
    .unwrap();
    assert_eq!(parts, [vec![9, 8], vec![7, 6, 5], vec![4, 3, 2], vec![1]]);
    let mut taken = 0;
    s.load_listed_in(2, 3, |_| {
        taken += 1;
        taken < 2
    })
    .unwrap();
    assert_eq!(taken, 2, "no slice after the one refused");
    let empty = Store::open(&dir.path().join("empty")).unwrap();
    empty
        .load_listed_in(2, 3, |_| panic!("nothing to hand"))
        .unwrap();
}

/// (id, handle, name, bio, first_seen) of every listed account, as the list loads them.
fn listed(s: &Store) -> Vec<(String, String, String, String, i64)> {
    let mut out = Vec::new();
    s.load_listed_in(usize::MAX, usize::MAX, |part| {
        out.extend(part.iter().map(|a| {
            let t = |s: &str| s.to_string();
            (t(a.id), t(a.username), t(a.name), t(a.bio), a.first_seen)
        }));
        true
    })
    .unwrap();
    out
}

#[test]
fn the_list_loads_from_the_order_index_alone_and_what_full_accounts_hold() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    full_sync(&s, &[&[5, 4, 3], &[2, 1]]);
    let want: Vec<_> = s
        .load_all()
        .unwrap()
        .into_iter()
        .map(|a| {
            let u = a.user;
            (
                u.id,
                u.username,
                u.name,
                u.description.unwrap(),
                a.first_seen,
            )
        })
        .collect();
    assert_eq!(listed(&s), want);
    let plan: String = s
        .conn()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT list, first_seen, rowid FROM accounts \
             WHERE gone_at IS NULL ORDER BY seen_sync DESC, seen_pos",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("COVERING INDEX accounts_order"), "{plan}");
    // A row without a list row this build reads (none, damaged, another layout) is built from
    // its columns instead: nothing is lost, the order holds.
    s.conn()
        .execute_batch(
            "UPDATE accounts SET list = NULL WHERE id = '4'; \
             UPDATE accounts SET list = x'01ff' WHERE id = '3'; \
             UPDATE accounts SET list = x'09' WHERE id = '1';",
        )
        .unwrap();
    assert_eq!(listed(&s), want);
}

#[test]
fn a_schema_2_database_gets_a_list_row_for_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, c) = database_at(dir.path(), 2);
    let x = r#"{"id":"8","name":"Eight","username":"Eight8","pinned_tweet_id":"5",
        "url":"https://t.co/x","entities":{"url":{"urls":[{"expanded_url":"https://eight.example"}]}}}"#;
    c.execute(
        "INSERT INTO accounts (id, json, username, username_lc, name, url, first_seen, \
             last_seen, first_sync, seen_sync, seen_pos) \
         VALUES ('8', ?1, 'Eight8', 'eight8', 'Eight', 'https://t.co/x', 100, 200, 1, 1, 0), \
                ('7', 'not json', 'Seven', 'seven', 'S\u{7}', '', 90, 200, 1, 1, 1)",
        [x],
    )
    .unwrap();
    drop(c);
    let s = Store::open(&profile).unwrap();
    let nulls: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM accounts WHERE list IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nulls, 0);
    let mut got = Vec::new();
    s.load_listed_in(9, 9, |part| {
        got.extend(
            part.iter()
                .map(|a| (a.id.to_string(), a.url.to_string(), a.has_pin, a.first_seen)),
        );
        true
    })
    .unwrap();
    // X's stored object gives the expanded link and the pin; an object that does not parse
    // falls back to the columns.
    assert_eq!(
        got,
        [
            ("8".into(), "https://eight.example".into(), true, 100),
            ("7".into(), String::new(), false, 90)
        ]
    );
}

#[test]
fn unknown_user_fields_survive_in_the_stored_json() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let u: User = serde_json::from_str(
        r#"{"id":"1","name":"a","username":"b","parody":true,"public_metrics":{"followers_count":3,"following_count":1,"tweet_count":2,"listed_count":0}}"#,
    )
    .unwrap();
    let id = s.begin_sync(SyncKind::Full).unwrap();
    s.upsert_page(id, 0, std::slice::from_ref(&u)).unwrap();
    let (json, _) = &s.accounts_json().unwrap()[0];
    assert_eq!(serde_json::from_str::<User>(json).unwrap(), u);
    let a = &s.load_all().unwrap()[0];
    assert_eq!(a.user.public_metrics.unwrap().followers_count, 3);
    assert_eq!(a.user.pinned_tweet_id, None);
    // The pinned post's id comes back from X's object (the TUI offers to load the post).
    let pinned = User {
        pinned_tweet_id: Some("1546867778363469824".into()),
        ..user(2)
    };
    s.upsert_page(id, 1, std::slice::from_ref(&pinned)).unwrap();
    let back = s.accounts_by_id(&["2".into()]).unwrap();
    assert_eq!(
        back["2"].user.pinned_tweet_id.as_deref(),
        Some("1546867778363469824")
    );
}

#[test]
fn syncs_spend_and_meta_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert!(s.last_sync().unwrap().is_none());
    let id = s.begin_sync(SyncKind::TopUp).unwrap();
    let totals = SyncTotals {
        requests: 3,
        accounts: 2500,
        cost_usd: 2.5,
    };
    s.finish_sync(id, totals).unwrap();
    let last = s.last_sync().unwrap().unwrap();
    assert_eq!((last.kind, last.totals), (SyncKind::TopUp, totals));
    assert!(s.last_full_syncs(1).unwrap().is_empty());
    s.add_spend("2020-02-02", 0.25).unwrap();
    s.add_spend("2020-02-02", 0.001).unwrap();
    assert!((s.spent_on("2020-02-02").unwrap() - 0.251).abs() < 1e-9);
    assert_eq!(s.spent_on("2020-02-01").unwrap(), 0.0);
    assert_eq!(s.spent_today().unwrap(), 0.0);
    s.add_spend(&syncs::utc_day(now_unix()), 1.5).unwrap();
    assert_eq!(s.spent_today().unwrap(), 1.5);
    assert_eq!(syncs::utc_day(0), "1970-01-01");

    assert_eq!(s.meta(MetaKey::ApiBase).unwrap(), None);
    s.set_meta(MetaKey::ApiBase, "http://127.0.0.1:9").unwrap();
    assert_eq!(
        s.meta(MetaKey::ApiBase).unwrap().as_deref(),
        Some("http://127.0.0.1:9")
    );
    s.set_capability("read-only", Some("Enterprise only"))
        .unwrap();
    let cap = s.capability().unwrap().unwrap();
    assert_eq!(cap.value, "read-only");
    assert_eq!(cap.reason.as_deref(), Some("Enterprise only"));
    s.set_capability("full", None).unwrap();
    assert_eq!(s.capability().unwrap().unwrap().reason, None);
}

#[test]
fn notes_tags_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    s.set_note("1", "met at a conference").unwrap();
    assert_eq!(s.note("1").unwrap().as_deref(), Some("met at a conference"));
    s.set_note("1", "").unwrap();
    assert_eq!(s.note("1").unwrap(), None);
    s.set_note("2", "spam").unwrap();
    assert_eq!(s.notes().unwrap().len(), 1);
    s.change_tags("2", &["spam", "bot"], &[]).unwrap();
    s.change_tags("2", &["bot"], &["spam"]).unwrap();
    assert_eq!(
        s.tags("2").unwrap().into_iter().collect::<Vec<_>>(),
        ["bot"]
    );
    assert_eq!(s.all_tags().unwrap()["2"].len(), 1);
    assert_eq!(s.set_kept(&["1".into(), "2".into()], true).unwrap(), 2);
    assert_eq!(s.set_kept(&["1".into()], true).unwrap(), 0);
    assert!(s.is_kept("1").unwrap());
    assert_eq!(s.set_kept(&["1".into()], false).unwrap(), 1);
    assert_eq!(s.kept().unwrap().len(), 1);
}

#[test]
fn a_job_state_change_and_its_log_entry_commit_together() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let jobs = [
        NewJob::now(Write::Unblock, "1", Some("a".into())),
        NewJob::now(Write::Mute, "2", None),
        NewJob {
            due_at: Some(i64::MAX),
            ..NewJob::now(Write::Unmute, "3", None)
        },
    ];
    let ids = s.enqueue("b1", &jobs).unwrap();
    assert_eq!(s.open_jobs(None, Some(now_unix())).unwrap().len(), 2);
    assert_eq!(s.all_open_jobs().unwrap().len(), 3);
    s.mark_in_flight(ids[0]).unwrap();
    assert!(s.log_entries().unwrap().is_empty());
    let e = s
        .finish_job(ids[0], &JobState::Done, Some("req-1"))
        .unwrap();
    assert_eq!(
        (e.result.as_str(), e.request_id.as_deref()),
        ("done", Some("req-1"))
    );
    let job = s.job(ids[0]).unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 1));
    assert_eq!(s.batch_progress("b1").unwrap(), (1, 3));
    // Cancelling what is due now leaves the job due later.
    let cancelled = s.cancel_pending(None, Some(now_unix())).unwrap();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(s.all_open_jobs().unwrap().len(), 1);
    let cancelled = s.cancel_pending(None, None).unwrap();
    assert_eq!(cancelled.len(), 1);
    let log = s.log_entries().unwrap();
    assert_eq!(
        log.iter().map(|e| e.result.as_str()).collect::<Vec<_>>(),
        ["done", "cancelled", "cancelled"]
    );
    assert_eq!(s.last_changing_batch().unwrap().len(), 1);
    assert!(s.batch_exists("b1").unwrap());
    assert_eq!(s.recent_jobs(10).unwrap().len(), 3);
    let failed = JobState::Failed("nope".into());
    let more = s
        .enqueue("b2", &[NewJob::now(Write::Block, "4", None)])
        .unwrap();
    s.finish_job(more[0], &failed, None).unwrap();
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.job(more[0]).unwrap().unwrap().state, failed);
    assert_eq!(s.log_tail(1).unwrap()[0].result, "failed: nope");
    assert_eq!(
        s.last_result("4", Write::Block).unwrap().unwrap().result,
        "failed: nope"
    );
}

#[test]
fn a_reader_sees_what_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Store::open_existing(dir.path()).unwrap().is_none());
    let w = Store::open(dir.path()).unwrap();
    let r = Store::open_existing(dir.path()).unwrap().unwrap();
    assert!(r.is_read_only());
    full_sync(&w, &[&[2, 1]]);
    assert_eq!(ids(&r.load_all().unwrap()), [2, 1]);
    let err = r.set_note("1", "x").unwrap_err();
    assert!(matches!(err, DbError::ReadOnly { .. }), "{err}");
}

#[test]
fn stored_pages_keep_x_objects_totals_and_spend_and_rewrite_only_changed_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let raw = |id: u64, bio: &str| {
        let json = format!(
            r#"{{"id":"{id}","name":"N","username":"u{id}","description":"{bio}","subscribes_to_you":false}}"#
        );
        (serde_json::from_str::<User>(&json).unwrap(), json)
    };
    let id = s.begin_sync(SyncKind::Full).unwrap();
    let batch = PageBatch {
        accounts: vec![raw(3, "a"), raw(2, "b")],
        first_pos: 0,
        totals: SyncTotals {
            requests: 2,
            accounts: 2,
            cost_usd: 0.002,
        },
        spend: Some(("2020-01-01".into(), 0.002)),
    };
    assert_eq!(
        s.store_pages(id, &batch).unwrap(),
        PageCount { new: 2, known: 0 }
    );
    assert_eq!(s.finish_sync(id, batch.totals).unwrap(), 0);
    // X's object is kept as sent (a field this client does not model included).
    assert_eq!(s.accounts_json().unwrap()[0].0, batch.accounts[0].1);
    assert!((s.spent_on("2020-01-01").unwrap() - 0.002).abs() < 1e-9);
    let rec = s.syncs(1).unwrap().remove(0);
    assert_eq!((rec.totals.requests, rec.totals.accounts), (2, 2));
    let first = s.accounts_by_id(&["3".into()]).unwrap()["3"].first_seen;

    // The next full sync: 3 changed its bio, 2 did not, 1 is new; 2's sighting moves.
    let id = s.begin_sync(SyncKind::Full).unwrap();
    let batch = PageBatch {
        accounts: vec![raw(1, "c"), raw(3, "new bio"), raw(2, "b")],
        ..PageBatch::default()
    };
    assert_eq!(
        s.store_pages(id, &batch).unwrap(),
        PageCount { new: 1, known: 2 }
    );
    s.finish_sync(id, SyncTotals::default()).unwrap();
    assert_eq!(ids(&s.load_all().unwrap()), [1, 3, 2]);
    let by_id = s.accounts_by_id(&["3".into(), "2".into()]).unwrap();
    assert_eq!(by_id["3"].user.description.as_deref(), Some("new bio"));
    assert_eq!(by_id["3"].first_seen, first);
    assert_eq!(by_id["2"].user.description.as_deref(), Some("b"));
    // Cache writes leave every other write synced to disk.
    let sync: i64 = s
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2);
}

#[test]
fn accounts_after_a_new_one_are_still_told_apart_known_gone_or_changed() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(full_sync(&s, &[&[4, 3, 2]]), 0);
    assert_eq!(full_sync(&s, &[&[4, 3]]), 1, "2 is gone");
    let first = s.accounts_by_id(&["3".into()]).unwrap()["3"].first_seen;
    // Each known or gone account comes right after a new one (the insert-first probe).
    let t = s.begin_sync(SyncKind::Full).unwrap();
    let mut changed = user(4);
    changed.name = "Renamed".into();
    let page = [user(9), user(3), user(8), user(2), user(7), changed];
    let c = s.upsert_page(t, 0, &page).unwrap();
    assert_eq!(c, PageCount { new: 4, known: 2 }, "2 was gone: new again");
    assert_eq!(s.finish_sync(t, SyncTotals::default()).unwrap(), 0);
    assert_eq!(ids(&s.load_all().unwrap()), [9, 3, 8, 2, 7, 4]);
    let by_id = s.accounts_by_id(&["3".into(), "4".into()]).unwrap();
    assert_eq!(
        by_id["3"].first_seen, first,
        "a known account keeps first_seen"
    );
    assert_eq!(by_id["4"].user.name, "Renamed");
    assert_eq!(s.is_listed("2").unwrap(), Some(true));
}
