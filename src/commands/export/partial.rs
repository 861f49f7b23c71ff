//! A resumable export to a file: accounts so far as JSON lines beside the target
//! (`.<name>.xblocks-partial.jsonl`) and a checkpoint with the next pagination token
//! (`.<name>.xblocks-partial.json`). The target is written, atomically, only at the end.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::Known;
use super::Output;
use crate::api::types::{RawUser, User};
use crate::store::atomic::{write_atomic, AtomicFile};

/// Where a resumed export continues.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Account the list belongs to (a checkpoint of another account is ignored).
    pub user_id: String,
    /// Token of the next page to fetch; `None` before the first page.
    pub next_token: Option<String>,
}

/// The partial files of one export target.
pub struct Partial {
    data_path: PathBuf,
    state_path: PathBuf,
    data: File,
    /// Ids already written (an id is never written twice).
    pub seen: HashSet<String>,
    /// Where to continue.
    pub checkpoint: Checkpoint,
}

/// `.<name>.xblocks-partial<suffix>` beside `target`.
pub(super) fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    target.with_file_name(format!(".{name}.xblocks-partial{suffix}"))
}

impl Partial {
    /// Opens the partial export of `target` for `user_id`: resumes a matching checkpoint,
    /// else starts afresh. Returns whether it resumed.
    pub fn open(target: &Path, user_id: &str) -> io::Result<(Self, bool)> {
        let data_path = sibling(target, ".jsonl");
        let state_path = sibling(target, ".json");
        let saved: Option<Checkpoint> = read_nofollow(&state_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|c: &Checkpoint| c.user_id == user_id);
        let mut seen = HashSet::new();
        let resumed = match saved {
            Some(cp) if data_path.exists() => {
                for line in
                    BufReader::new(open_nofollow(&data_path, OpenOptions::new().read(true))?)
                        .lines()
                {
                    let line = line?;
                    // A line cut short by a crash is dropped; its page is fetched again.
                    if let Some(id) = serde_json::from_str::<serde_json::Value>(&line)
                        .ok()
                        .as_ref()
                        .and_then(user_id_of)
                    {
                        seen.insert(id);
                    }
                }
                Some(cp)
            }
            _ => None,
        };
        let is_resumed = resumed.is_some();
        if !is_resumed {
            open_nofollow(
                &data_path,
                OpenOptions::new().write(true).create(true).truncate(true),
            )?;
        }
        let data = rewrite_valid_lines(&data_path)?;
        let checkpoint = resumed.unwrap_or(Checkpoint {
            user_id: user_id.to_string(),
            next_token: None,
        });
        Ok((
            Self {
                data_path,
                state_path,
                data,
                seen,
                checkpoint,
            },
            is_resumed,
        ))
    }

    /// Appends the accounts not written yet, makes them durable, then records `next_token`.
    /// Returns how many were new.
    pub fn append(&mut self, users: &[RawUser], next_token: Option<String>) -> io::Result<usize> {
        let mut buf = Vec::new();
        let mut added = 0;
        for u in users {
            let Some(id) = u.id() else { continue };
            if self.seen.insert(id) {
                buf.extend_from_slice(u.json().as_bytes());
                buf.push(b'\n');
                added += 1;
            }
        }
        self.data.write_all(&buf)?;
        self.data.sync_data()?;
        self.checkpoint.next_token = next_token;
        let json = serde_json::to_vec(&self.checkpoint).map_err(io::Error::other)?;
        write_atomic(&self.state_path, &json, false)?;
        Ok(added)
    }

    /// Removes the partial files (nothing worth resuming, or a position X no longer accepts).
    pub fn discard(self) {
        let _ = fs::remove_file(&self.state_path);
        let _ = fs::remove_file(&self.data_path);
    }

    /// Writes `target` in `format` from the partial data (atomically), removes the partial
    /// files, and returns the accounts read (each with X's object) and how many were written
    /// (the filter keeps some).
    pub fn finish(
        self,
        target: &Path,
        output: &Output,
        known: &dyn Fn(&str) -> Known,
    ) -> io::Result<(Vec<(User, String)>, usize)> {
        let mut writer = output.writer(AtomicFile::create(target)?)?;
        let mut users = Vec::new();
        let data = open_nofollow(&self.data_path, OpenOptions::new().read(true))?;
        for line in BufReader::new(data).lines() {
            // Each line is one object on one line, as `append` wrote it.
            let line = line?;
            let u: User = serde_json::from_str(&line)?;
            writer.raw(&u, &line, &known(&u.id))?;
            users.push((u, line));
        }
        let written = writer.written();
        writer.finish()?.commit()?;
        let _ = fs::remove_file(&self.state_path);
        let _ = fs::remove_file(&self.data_path);
        Ok((users, written))
    }
}

/// The `id` of a user object.
pub fn user_id_of(v: &serde_json::Value) -> Option<String> {
    v.get("id")?.as_str().map(str::to_string)
}

/// Keeps only complete JSON lines (drops a torn last line) and opens the file for appending.
fn rewrite_valid_lines(path: &Path) -> io::Result<File> {
    let text = read_nofollow(path)?;
    let keep = match text.iter().rposition(|b| *b == b'\n') {
        Some(i) => i + 1,
        None => 0,
    };
    if keep != text.len() {
        let f = open_nofollow(path, OpenOptions::new().write(true))?;
        f.set_len(keep as u64)?;
    }
    open_nofollow(path, OpenOptions::new().append(true))
}

/// Opens a progress file without following a link: the progress files live beside the
/// export, maybe in a shared dir like `/tmp`, where anyone could plant a link to a file of ours.
fn open_nofollow(path: &Path, opts: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    opts.open(path)
}

fn read_nofollow(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io::Read::read_to_end(
        &mut open_nofollow(path, OpenOptions::new().read(true))?,
        &mut bytes,
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ExportFormat;

    fn user(id: &str) -> RawUser {
        let v =
            serde_json::json!({ "id": id, "name": format!("n{id}"), "username": format!("u{id}") });
        serde_json::from_str(&v.to_string()).unwrap()
    }

    #[test]
    fn resumes_from_the_checkpoint_without_repeating_ids() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let (mut p, resumed) = Partial::open(&target, "7").unwrap();
        assert!(!resumed);
        p.append(&[user("1"), user("2")], Some("tok2".into()))
            .unwrap();
        drop(p);
        // A torn line from a crash is ignored.
        let data = sibling(&target, ".jsonl");
        let mut f = OpenOptions::new().append(true).open(&data).unwrap();
        f.write_all(b"{\"id\":\"3\",\"na").unwrap();
        drop(f);

        let (mut p, resumed) = Partial::open(&target, "7").unwrap();
        assert!(resumed);
        assert_eq!(p.checkpoint.next_token.as_deref(), Some("tok2"));
        assert_eq!(p.append(&[user("2"), user("3")], None).unwrap(), 1);
        assert_eq!(
            p.finish(
                &target,
                &Output {
                    format: ExportFormat::Ids,
                    filter: None,
                    query: None,
                },
                &|_| Known::default()
            )
            .unwrap()
            .0
            .len(),
            3
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "1\n2\n3\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn another_accounts_checkpoint_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let (mut p, _) = Partial::open(&target, "7").unwrap();
        p.append(&[user("1")], Some("t".into())).unwrap();
        drop(p);
        let (p, resumed) = Partial::open(&target, "8").unwrap();
        assert!(!resumed);
        assert!(p.seen.is_empty());
        assert_eq!(p.checkpoint.next_token, None);
    }
}
