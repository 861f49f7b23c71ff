//! The profile database through the binary: an online export stores the list with
//! `first_seen`, `export --cached` works offline and keeps `first_seen` across syncs, and a
//! database from a newer xblocks is refused with a clear message.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use xblocks::emulator::{self, Config, Emulator};

const SCOPES: &[&str] = &["tweet.read", "users.read", "block.read", "block.write"];

fn run(emu: &Emulator, token: &str, dir: &Path, api_base: Option<&str>, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .env(
            "XBLOCKS_API_BASE",
            api_base.map_or_else(|| emu.base_url(), String::from),
        )
        .env("XBLOCKS_CONFIG_DIR", dir)
        .env("XBLOCKS_ACCESS_TOKEN", token)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn csv_rows(out: &Output) -> Vec<Vec<String>> {
    csv::Reader::from_reader(&out.stdout[..])
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_export_is_offline_and_keeps_first_seen() {
    let emu = emulator::start(Config {
        users: 30,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let (emu_ref, t, d) = (&emu, token.as_str(), dir.path());

    let first =
        tokio::task::block_in_place(|| run(emu_ref, t, d, None, &["export", "--format", "csv"]));
    assert!(first.status.success());
    // It remembers whose list it stored (a later offline start with this token shows it).
    let db = xblocks::store::db::Store::open(&d.join("profiles/default")).unwrap();
    assert_eq!(db.remembered_account().unwrap(), Some(emu.me()));
    // The list it stored shows each profile link as X expands it, never the t.co one.
    let mut links = Vec::new();
    db.load_listed_in(100, 100, |part| {
        links.extend(part.iter().map(|a| a.url.to_string()));
        true
    })
    .unwrap();
    assert_eq!(links.len(), 30);
    assert!(links.iter().any(|l| !l.is_empty()), "{links:?}");
    assert!(!links.iter().any(|l| l.contains("t.co/")), "{links:?}");
    drop(db);
    let rows = csv_rows(&first);
    assert_eq!(rows.len(), 30);
    assert!(
        rows.iter().all(|r| !r[10].is_empty()),
        "first_seen is filled"
    );

    // Unblock one, sync again a second later: the others keep their first_seen.
    let (me, _) = emu.me();
    let gone = rows[0][0].clone();
    let c = reqwest::Client::new();
    let r = c
        .delete(format!("{}/2/users/{me}/blocking/{gone}", emu.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = tokio::task::block_in_place(|| {
        run(
            emu_ref,
            t,
            d,
            None,
            &["export", "--live", "--format", "csv"],
        )
    });
    assert!(second.status.success());

    let offline = tokio::task::block_in_place(|| {
        run(
            emu_ref,
            t,
            d,
            Some("http://127.0.0.1:1"),
            &["export", "--cached", "--format", "csv"],
        )
    });
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    let cached = csv_rows(&offline);
    assert_eq!(cached.len(), 29);
    assert!(cached.iter().all(|r| r[0] != gone));
    for row in &cached {
        let before = rows.iter().find(|r| r[0] == row[0]).unwrap();
        assert_eq!(row[10], before[10], "first_seen of {} changed", row[0]);
    }

    // A database written by a newer xblocks is refused, never touched.
    let file = dir.path().join("profiles/default/xblocks.db");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    let before = std::fs::read(&file).unwrap();
    for args in [&["export", "--cached"][..], &["export"]] {
        let refused = tokio::task::block_in_place(|| run(emu_ref, t, d, None, args));
        assert_eq!(refused.status.code(), Some(1));
        let err = String::from_utf8_lossy(&refused.stderr);
        assert!(err.contains("newer xblocks"), "{err}");
        assert!(err.contains(file.to_str().unwrap()), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "the database was touched"
        );
    }
    emu.shutdown().await;
}
