//! The files of a 0.1 profile (`queue.jsonl`, `actions.jsonl`, `cache/`, `*-later.txt`,
//! `lock`), read once into the database on first use and then renamed `*.migrated`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::db::{parse_rfc3339, DbError, JobState, LogEntry, Store};
use crate::api::types::User;
use crate::api::Write;

/// One 0.1 queue job with its last state.
#[derive(Debug, Clone, PartialEq)]
pub struct OldJob {
    /// Its batch.
    pub batch: String,
    /// Target id.
    pub target: String,
    /// Handle when known.
    pub username: Option<String>,
    /// The write.
    pub action: Write,
    /// Its state.
    pub state: JobState,
}

/// One 0.1 full sync from `cache/`.
#[derive(Debug, Clone, PartialEq)]
pub struct OldSync {
    /// When it finished (Unix seconds).
    pub at: i64,
    /// The accounts in X's order, each with its `first_seen` (Unix seconds).
    pub accounts: Vec<(User, i64)>,
}

/// Everything a 0.1 profile held besides its token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OldProfile {
    /// The queue, oldest job first.
    pub jobs: Vec<OldJob>,
    /// The action log.
    pub log: Vec<LogEntry>,
    /// The previous and the last full sync, oldest first.
    pub syncs: Vec<OldSync>,
}

const FILES: &[&str] = &[
    "queue.jsonl",
    "actions.jsonl",
    "cache",
    "unblock-later.txt",
    "block-later.txt",
    "mute-later.txt",
    "lock",
];

fn bad(path: &Path, what: String) -> DbError {
    DbError::Legacy {
        path: path.to_path_buf(),
        what,
    }
}

/// True when `profile_dir` holds files of a 0.1 profile not imported yet.
pub fn has_files(profile_dir: &Path) -> bool {
    FILES
        .iter()
        .any(|f| profile_dir.join(f).symlink_metadata().is_ok())
}

/// Imports a 0.1 profile's files into `store` (one transaction) and renames them `*.migrated`;
/// does nothing when there are none. A damaged file is refused, naming it, and left as it is.
pub fn migrate(store: &Store, profile_dir: &Path) -> Result<bool, DbError> {
    let present: Vec<PathBuf> = FILES
        .iter()
        .map(|f| profile_dir.join(f))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if present.is_empty() {
        return Ok(false);
    }
    let old = read(profile_dir)?;
    store.import_v01(&old)?;
    for p in present {
        let mut to = p.clone().into_os_string();
        to.push(".migrated");
        std::fs::rename(&p, &to).map_err(|e| bad(&p, format!("cannot be renamed ({e})")))?;
    }
    Ok(true)
}

/// Reads the 0.1 files of `dir`.
pub fn read(dir: &Path) -> Result<OldProfile, DbError> {
    let mut old = OldProfile {
        jobs: read_queue(&dir.join("queue.jsonl"))?,
        log: read_log(&dir.join("actions.jsonl"))?,
        syncs: Vec::new(),
    };
    for name in ["blocking.previous.json", "blocking.json"] {
        if let Some(s) = read_snapshot(&dir.join("cache").join(name))? {
            old.syncs.push(s);
        }
    }
    for (file, action) in [
        ("unblock-later.txt", Write::Unblock),
        ("block-later.txt", Write::Block),
        ("mute-later.txt", Write::Mute),
    ] {
        let path = dir.join(file);
        let Some(text) = read_text(&path)? else {
            continue;
        };
        for id in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            old.jobs.push(OldJob {
                batch: "later-0.1".into(),
                target: id.to_string(),
                username: None,
                action,
                state: JobState::Pending,
            });
        }
    }
    Ok(old)
}

fn read_text(path: &Path) -> Result<Option<String>, DbError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(bad(path, format!("cannot be read ({e})"))),
    }
}

fn state_of(v: &Value) -> Option<JobState> {
    let word = v.get("state")?.as_str()?;
    let reason = v.get("reason").and_then(Value::as_str).map(String::from);
    Some(JobState::parse(word, reason))
}

/// Replays `queue.jsonl`: complete lines in order, a torn last line dropped.
fn read_queue(path: &Path) -> Result<Vec<OldJob>, DbError> {
    let Some(text) = read_text(path)? else {
        return Ok(Vec::new());
    };
    let mut jobs: Vec<(u64, OldJob)> = Vec::new();
    let complete = text.rfind('\n').map_or("", |i| &text[..i]);
    for (n, line) in complete.lines().enumerate() {
        let corrupt = || {
            bad(
                path,
                format!(
                    "line {} is corrupt or from a newer xblocks; move it aside to start without it",
                    n + 1
                ),
            )
        };
        let v: Value = serde_json::from_str(line).map_err(|_| corrupt())?;
        let id = v.get("id").and_then(Value::as_u64).ok_or_else(corrupt)?;
        let state = state_of(&v).ok_or_else(corrupt)?;
        match v.get("op").and_then(Value::as_str) {
            Some("add") => {
                let text = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
                let action = text("action")
                    .and_then(|a| Write::parse(&a))
                    .ok_or_else(corrupt)?;
                jobs.push((
                    id,
                    OldJob {
                        batch: text("batch").ok_or_else(corrupt)?,
                        target: text("target").ok_or_else(corrupt)?,
                        username: text("username"),
                        action,
                        state,
                    },
                ));
            }
            Some("set") => {
                if let Some((_, j)) = jobs.iter_mut().find(|(i, _)| *i == id) {
                    j.state = state;
                }
            }
            _ => return Err(corrupt()),
        }
    }
    jobs.sort_by_key(|(id, _)| *id);
    Ok(jobs.into_iter().map(|(_, j)| j).collect())
}

/// Every complete entry of `actions.jsonl`; torn or foreign lines are skipped, as 0.1 did.
fn read_log(path: &Path) -> Result<Vec<LogEntry>, DbError> {
    let Some(text) = read_text(path)? else {
        return Ok(Vec::new());
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn read_snapshot(path: &Path) -> Result<Option<OldSync>, DbError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    let damaged = || {
        bad(
            path,
            "is damaged; move it aside (the next sync rebuilds the list)".into(),
        )
    };
    let v: Value = serde_json::from_str(&text).map_err(|_| damaged())?;
    let at = v
        .get("synced_at")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .ok_or_else(damaged)?;
    let mut accounts = Vec::new();
    for a in v
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or_else(damaged)?
    {
        let mut a = a.clone();
        let first = a
            .as_object_mut()
            .and_then(|o| o.remove("first_seen"))
            .and_then(|f| f.as_str().and_then(parse_rfc3339))
            .unwrap_or(at);
        let user: User = serde_json::from_value(a).map_err(|_| damaged())?;
        accounts.push((user, first));
    }
    Ok(Some(OldSync { at, accounts }))
}
