//! The append-only action log: one JSON line per write xblocks made (time, batch, target,
//! action, result, the API's request id), the source of the history view and of undo.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::queue::Action;

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When the answer came (RFC 3339 UTC).
    pub at: String,
    /// The batch the write belonged to.
    pub batch: String,
    /// Numeric id of the target.
    pub target: String,
    /// Its handle when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What was done.
    pub action: Action,
    /// Outcome: `done`, `already-in-state`, `not-found`, or `failed: …`.
    pub result: String,
    /// The API's request (transaction) id, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Appends `entry` to the log at `path` (created 0600) and syncs it.
pub fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path)?;
    let mut line = serde_json::to_vec(entry).expect("log entries serialise");
    line.push(b'\n');
    file.write_all(&line)?;
    file.sync_data()
}

/// Appends `entries` to the log at `path` in one synced write.
pub fn append_all(path: &Path, entries: &[Entry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path)?;
    let mut buf = Vec::new();
    for e in entries {
        serde_json::to_writer(&mut buf, e).expect("log entries serialise");
        buf.push(b'\n');
    }
    file.write_all(&buf)?;
    file.sync_data()
}

/// Reads every complete entry; a torn or foreign line is skipped, never fatal.
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect())
}

/// The entries of the most recent batch that changed something, newest last.
pub fn last_batch(entries: &[Entry]) -> Vec<&Entry> {
    let Some(batch) = entries
        .iter()
        .rev()
        .find(|e| e.result == "done")
        .map(|e| e.batch.as_str())
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| e.batch == batch && e.result == "done")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(batch: &str, target: &str, result: &str) -> Entry {
        Entry {
            at: "2026-11-25T00:00:00Z".into(),
            batch: batch.into(),
            target: target.into(),
            username: None,
            action: Action::Unblock,
            result: result.into(),
            request_id: None,
        }
    }

    #[test]
    fn appends_reads_back_and_skips_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("actions.jsonl");
        append(&path, &entry("a", "1", "done")).unwrap();
        append(&path, &entry("b", "2", "done")).unwrap();
        append(&path, &entry("b", "3", "not-found")).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"at\":\"2026").unwrap();
        let all = read(&path).unwrap();
        assert_eq!(all.len(), 3);
        // A torn tail followed by a batch append: the batch reads back whole.
        let dir2 = tempfile::tempdir().unwrap();
        let path2 = dir2.path().join("actions.jsonl");
        append_all(
            &path2,
            &[entry("c", "4", "cancelled"), entry("c", "5", "cancelled")],
        )
        .unwrap();
        append_all(&path2, &[]).unwrap();
        assert_eq!(read(&path2).unwrap().len(), 2);
        let last: Vec<&str> = last_batch(&all).iter().map(|e| e.target.as_str()).collect();
        assert_eq!(last, ["2"]);
    }
}
