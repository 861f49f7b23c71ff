//! The durable action queue: an append-only JSON-lines log, one fsynced line per change.
//!
//! A crash at any byte loses nothing committed: replay reads every complete line and drops a
//! torn last one. A job is marked `in-flight` (and synced) before its request is sent, so a
//! resumed run knows which targets must be checked before being written again.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a job does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Block the target.
    Block,
    /// Unblock the target.
    Unblock,
    /// Mute the target.
    Mute,
    /// Unmute the target.
    Unmute,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 4] = [Self::Block, Self::Unblock, Self::Mute, Self::Unmute];

    /// The action that undoes this one.
    pub fn inverse(self) -> Self {
        match self {
            Self::Block => Self::Unblock,
            Self::Unblock => Self::Block,
            Self::Mute => Self::Unmute,
            Self::Unmute => Self::Mute,
        }
    }

    /// The past participle, as in "unblocked @name".
    pub fn past(self) -> &'static str {
        match self {
            Self::Block => "blocked",
            Self::Unblock => "unblocked",
            Self::Mute => "muted",
            Self::Unmute => "unmuted",
        }
    }

    /// The verb, as users read it.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Unblock => "unblock",
            Self::Mute => "mute",
            Self::Unmute => "unmute",
        }
    }
}

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "reason")]
pub enum JobState {
    /// Not started.
    Pending,
    /// Request possibly sent; must be verified before sending again.
    InFlight,
    /// Done by this queue.
    Done,
    /// The target was already in the wanted state.
    AlreadyInState,
    /// The target is the signed-in account.
    SkippedSelf,
    /// The target does not exist.
    NotFound,
    /// Cancelled by the user.
    Cancelled,
    /// Failed for good, with the reason.
    Failed(String),
}

impl JobState {
    /// True once nothing more will happen to the job.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Pending | Self::InFlight)
    }
}

/// One queued action on one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Queue-wide id, increasing.
    pub id: u64,
    /// The batch (one import, one bulk action) the job belongs to.
    pub batch: String,
    /// Numeric id of the target account.
    pub target: String,
    /// Its handle when known, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What to do.
    pub action: Action,
    /// Where it stands.
    #[serde(flatten)]
    pub state: JobState,
}

/// One line of the log.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    Add(Job),
    Set {
        id: u64,
        #[serde(flatten)]
        state: JobState,
    },
}

/// Errors opening or writing the queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The file could not be read or written.
    #[error("queue file {path}: {source}")]
    Io {
        /// The queue file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A complete line in the middle of the file is not a record this version understands.
    #[error("queue file {path} line {line} is corrupt or from a newer xblocks; move it aside to start a new queue")]
    Corrupt {
        /// The queue file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
}

/// The durable queue of one profile.
#[derive(Debug)]
pub struct Queue {
    path: PathBuf,
    file: File,
    jobs: BTreeMap<u64, Job>,
}

impl Queue {
    /// Opens (or creates) the queue at `path`, replaying its log.
    pub fn open(path: &Path) -> Result<Self, QueueError> {
        let io = |source| QueueError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(path).map_err(io)?;
        let (jobs, good_len) = replay(&file, path)?;
        let len = file.seek(SeekFrom::End(0)).map_err(io)?;
        if good_len < len {
            file.set_len(good_len).map_err(io)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            jobs,
        })
    }

    /// Adds jobs for `targets` (id, optional handle) in one synced write; returns their ids.
    pub fn enqueue(
        &mut self,
        batch: &str,
        action: Action,
        targets: &[(String, Option<String>)],
    ) -> Result<Vec<u64>, QueueError> {
        let mut next = self.jobs.keys().next_back().map_or(1, |k| k + 1);
        let jobs: Vec<Job> = targets
            .iter()
            .map(|(target, username)| {
                let job = Job {
                    id: next,
                    batch: batch.to_string(),
                    target: target.clone(),
                    username: username.clone(),
                    action,
                    state: JobState::Pending,
                };
                next += 1;
                job
            })
            .collect();
        let records: Vec<Record> = jobs.iter().cloned().map(Record::Add).collect();
        self.append(&records)?;
        let ids = jobs.iter().map(|j| j.id).collect();
        self.jobs.extend(jobs.into_iter().map(|j| (j.id, j)));
        Ok(ids)
    }

    /// Records a new state for job `id` (synced before returning).
    pub fn set(&mut self, id: u64, state: JobState) -> Result<(), QueueError> {
        self.append(&[Record::Set {
            id,
            state: state.clone(),
        }])?;
        if let Some(job) = self.jobs.get_mut(&id) {
            job.state = state;
        }
        Ok(())
    }

    /// Records one new state for many jobs in one synced write (e.g. cancelling thousands).
    pub fn set_many(&mut self, ids: &[u64], state: JobState) -> Result<(), QueueError> {
        let records: Vec<Record> = ids
            .iter()
            .map(|&id| Record::Set {
                id,
                state: state.clone(),
            })
            .collect();
        self.append(&records)?;
        for id in ids {
            if let Some(job) = self.jobs.get_mut(id) {
                job.state = state.clone();
            }
        }
        Ok(())
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values()
    }

    /// Jobs still to run (pending or in flight), oldest first.
    pub fn open_jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values().filter(|j| !j.state.is_final())
    }

    /// The id of the most recent batch, if any.
    pub fn last_batch(&self) -> Option<&str> {
        self.jobs.values().next_back().map(|j| j.batch.as_str())
    }

    /// The queue file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&mut self, records: &[Record]) -> Result<(), QueueError> {
        let mut buf = Vec::new();
        for r in records {
            serde_json::to_writer(&mut buf, r).expect("queue records serialise");
            buf.push(b'\n');
        }
        let io = |source| QueueError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&buf).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// Replays the log; returns the jobs and the length of the valid prefix (a torn tail is dropped).
fn replay(file: &File, path: &Path) -> Result<(BTreeMap<u64, Job>, u64), QueueError> {
    let mut jobs = BTreeMap::new();
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut good = 0u64;
    let mut number = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| QueueError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        number += 1;
        match serde_json::from_slice::<Record>(&line) {
            Ok(Record::Add(job)) => {
                jobs.insert(job.id, job);
            }
            Ok(Record::Set { id, state }) => {
                if let Some(job) = jobs.get_mut(&id) {
                    job.state = state;
                }
            }
            Err(_) => {
                return Err(QueueError::Corrupt {
                    path: path.to_path_buf(),
                    line: number,
                })
            }
        }
        good += n as u64;
    }
    Ok((jobs, good))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(ids: &[&str]) -> Vec<(String, Option<String>)> {
        ids.iter().map(|i| (i.to_string(), None)).collect()
    }

    #[test]
    fn survives_reopen_with_states() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.jsonl");
        let mut q = Queue::open(&path).unwrap();
        let ids = q
            .enqueue("b1", Action::Unblock, &targets(&["1", "2", "3"]))
            .unwrap();
        q.set(ids[0], JobState::InFlight).unwrap();
        q.set(ids[0], JobState::Done).unwrap();
        q.set(ids[1], JobState::Failed("gone".into())).unwrap();
        drop(q);
        let q = Queue::open(&path).unwrap();
        let states: Vec<_> = q.jobs().map(|j| j.state.clone()).collect();
        assert_eq!(
            states,
            [
                JobState::Done,
                JobState::Failed("gone".into()),
                JobState::Pending
            ]
        );
        assert_eq!(q.open_jobs().count(), 1);
        assert_eq!(q.last_batch(), Some("b1"));
    }

    #[test]
    fn a_crash_at_any_byte_loses_nothing_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.jsonl");
        let mut q = Queue::open(&path).unwrap();
        let ids = q
            .enqueue("b", Action::Block, &targets(&["7", "8"]))
            .unwrap();
        q.set(ids[0], JobState::Done).unwrap();
        drop(q);
        let full = std::fs::read(&path).unwrap();
        let committed_before_last = full[..full.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        for cut in 0..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let mut q = Queue::open(&path).unwrap();
            let done = q.jobs().filter(|j| j.state == JobState::Done).count();
            if cut == full.len() {
                assert_eq!(done, 1);
            }
            if cut >= committed_before_last {
                assert_eq!(q.jobs().count(), 2, "cut at {cut}");
            }
            q.set(1, JobState::Cancelled).unwrap();
            drop(q);
            assert!(Queue::open(&path).is_ok(), "reopen after cut at {cut}");
        }
    }

    #[test]
    fn corrupt_middle_line_is_refused_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.jsonl");
        std::fs::write(&path, b"{\"op\":\"bogus\"}\n{}\n").unwrap();
        let err = Queue::open(&path).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn set_many_is_one_durable_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.jsonl");
        let mut q = Queue::open(&path).unwrap();
        let ids = q
            .enqueue("b", Action::Unblock, &targets(&["1", "2", "3"]))
            .unwrap();
        q.set_many(&ids[1..], JobState::Cancelled).unwrap();
        drop(q);
        let q = Queue::open(&path).unwrap();
        let states: Vec<_> = q.jobs().map(|j| j.state.clone()).collect();
        assert_eq!(
            states,
            [JobState::Pending, JobState::Cancelled, JobState::Cancelled]
        );
    }

    #[test]
    fn inverse_actions() {
        assert_eq!(Action::Block.inverse(), Action::Unblock);
        assert_eq!(Action::Unmute.inverse(), Action::Mute);
    }
}
