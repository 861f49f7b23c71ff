//! The durable queue of writes. Every state change of a job commits together with its action-log
//! entry (one transaction, `synchronous=FULL`), so a crash can never leave a write the log does
//! not know. A job is marked in flight (committed) before its request is sent, so a resumed run
//! knows which targets to check before sending again.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::log::{insert_entry, now_rfc3339, LogEntry};
use super::{now_unix, DbError, Store};
use crate::api::Write;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Skipped: the account is on the keep list.
    Kept,
    /// Failed for good, with the reason.
    Failed(String),
    /// A timed job not run because its account changed after it was queued; the reason says
    /// how (e.g. unmuted by hand).
    Superseded(String),
}

impl JobState {
    /// True once nothing more will happen to the job.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Pending | Self::InFlight)
    }

    /// The stored word (`failed` for every failure; the reason is stored beside it).
    pub fn word(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in-flight",
            Self::Done => "done",
            Self::AlreadyInState => "already-in-state",
            Self::SkippedSelf => "skipped-self",
            Self::NotFound => "not-found",
            Self::Cancelled => "cancelled",
            Self::Kept => "kept",
            Self::Failed(_) => "failed",
            Self::Superseded(_) => "superseded",
        }
    }

    /// The state of a stored word and reason.
    pub fn parse(word: &str, reason: Option<String>) -> Self {
        match word {
            "pending" => Self::Pending,
            "in-flight" => Self::InFlight,
            "done" => Self::Done,
            "already-in-state" => Self::AlreadyInState,
            "skipped-self" => Self::SkippedSelf,
            "not-found" => Self::NotFound,
            "cancelled" => Self::Cancelled,
            "kept" => Self::Kept,
            "superseded" => Self::Superseded(reason.unwrap_or_default()),
            _ => Self::Failed(reason.unwrap_or_else(|| word.to_string())),
        }
    }

    /// The action log's result for this (final) state: the word, or `failed: reason`.
    pub fn log_result(&self) -> String {
        match self {
            Self::Failed(r) => format!("failed: {r}"),
            Self::Superseded(r) => format!("superseded: {r}"),
            other => other.word().to_string(),
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Failed(r) | Self::Superseded(r) => Some(r),
            _ => None,
        }
    }
}

/// One queued write on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Queue-wide id, increasing.
    pub id: u64,
    /// The batch (one confirmation, one import, one undo) it belongs to.
    pub batch: String,
    /// Numeric id of the target account.
    pub target: String,
    /// Its handle when known, for display.
    pub username: Option<String>,
    /// What to do.
    pub action: Write,
    /// Where it stands.
    pub state: JobState,
    /// Not before this time (Unix seconds); `None` runs at once.
    pub due_at: Option<i64>,
    /// Requests sent for it so far.
    pub attempts: u32,
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do.
    pub action: Write,
    /// Numeric id of the target.
    pub target: String,
    /// Its handle when known.
    pub username: Option<String>,
    /// Not before this time (Unix seconds); `None` runs at once.
    pub due_at: Option<i64>,
}

impl NewJob {
    /// A job to run at once.
    pub fn now(action: Write, target: impl Into<String>, username: Option<String>) -> Self {
        Self {
            action,
            target: target.into(),
            username,
            due_at: None,
        }
    }
}

const JOB_COLUMNS: &str = "id, batch, target, username, action, state, reason, due_at, attempts";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let action: String = r.get(4)?;
    Ok(Job {
        id: r.get::<_, i64>(0)? as u64,
        batch: r.get(1)?,
        target: r.get(2)?,
        username: r.get(3)?,
        action: Write::parse(&action).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("unknown action {action}").into(),
            )
        })?,
        state: JobState::parse(&r.get::<_, String>(5)?, r.get(6)?),
        due_at: r.get(7)?,
        attempts: r.get::<_, i64>(8)? as u32,
    })
}

const OPEN: &str = "state IN ('pending', 'in-flight')";

/// Sets the state of job `id`, and logs it when final; returns the log entry.
fn set_state(
    tx: &Transaction<'_>,
    id: u64,
    state: &JobState,
    request_id: Option<&str>,
    now: i64,
) -> rusqlite::Result<Option<LogEntry>> {
    update_state(tx, id, state, now)?;
    if !state.is_final() {
        return Ok(None);
    }
    let job = tx
        .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?
        .query_row([id as i64], from_row)?;
    log_final(tx, &job, state, request_id, now).map(Some)
}

/// Writes `state` on job `id`'s row (an in-flight mark counts an attempt).
fn update_state(tx: &Transaction<'_>, id: u64, state: &JobState, now: i64) -> rusqlite::Result<()> {
    let in_flight = *state == JobState::InFlight;
    tx.prepare_cached(
        "UPDATE jobs SET state = ?2, reason = ?3, updated = ?4, \
             in_flight_at = CASE WHEN ?5 THEN ?4 ELSE NULL END, \
             attempts = attempts + CASE WHEN ?5 THEN 1 ELSE 0 END \
         WHERE id = ?1",
    )?
    .execute(params![
        id as i64,
        state.word(),
        state.reason(),
        now,
        in_flight
    ])
    .map(drop)
}

/// Logs the final `state` of `job` (its row already says it) and, for a write done, updates
/// the stored list; returns the entry.
fn log_final(
    tx: &Transaction<'_>,
    job: &Job,
    state: &JobState,
    request_id: Option<&str>,
    now: i64,
) -> rusqlite::Result<LogEntry> {
    let entry = LogEntry {
        at: now_rfc3339(),
        batch: job.batch.clone(),
        target: job.target.clone(),
        username: job.username.clone(),
        action: job.action,
        result: state.log_result(),
        request_id: request_id.map(str::to_string),
    };
    insert_entry(tx, &entry, Some(job.id))?;
    if *state == JobState::Done {
        // The list changed: the database knows it at once (a second unblock is "not blocked").
        match job.action {
            Write::Unblock => tx
                .prepare_cached(
                    "UPDATE accounts SET gone_at = ?2 WHERE id = ?1 AND gone_at IS NULL",
                )?
                .execute(params![entry.target, now])?,
            Write::Block => tx
                .prepare_cached(
                    "UPDATE accounts SET gone_at = NULL, gone_sync = NULL WHERE id = ?1",
                )?
                .execute([&entry.target])?,
            Write::Mute | Write::Unmute => 0,
        };
    }
    Ok(entry)
}

impl Store {
    /// Queues `jobs` as `batch` in one transaction; returns their ids in order.
    pub fn enqueue(&self, batch: &str, jobs: &[NewJob]) -> Result<Vec<u64>, DbError> {
        let now = now_unix();
        self.write(|tx| {
            let mut q = tx.prepare_cached(
                "INSERT INTO jobs (batch, action, target, username, state, due_at, created, updated) \
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6)",
            )?;
            let mut ids = Vec::with_capacity(jobs.len());
            for j in jobs {
                q.execute(params![batch, j.action.verb(), j.target, j.username, j.due_at, now])?;
                ids.push(tx.last_insert_rowid() as u64);
            }
            Ok(ids)
        })
    }

    /// Marks job `id` in flight (committed before its request goes out).
    pub fn mark_in_flight(&self, id: u64) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| set_state(tx, id, &JobState::InFlight, None, now).map(drop))
    }

    /// Gives job `id` its final `state` and logs it, in one transaction; returns the entry.
    pub fn finish_job(
        &self,
        id: u64,
        state: &JobState,
        request_id: Option<&str>,
    ) -> Result<LogEntry, DbError> {
        let now = now_unix();
        self.write(|tx| {
            set_state(tx, id, state, request_id, now).map(|e| e.expect("a final state is logged"))
        })
    }

    /// The queue runner's one commit per job: gives the jobs run since the last commit their
    /// final states (`finished`, as read from the queue) with their log entries, then marks job
    /// `next` in flight, in one synced transaction. A job's result is durable before the next
    /// request goes out, and the next job's mark before its own request.
    pub fn settle_and_start(
        &self,
        finished: &[(Job, JobState)],
        next: Option<u64>,
    ) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| {
            for (job, state) in finished {
                debug_assert!(state.is_final());
                update_state(tx, job.id, state, now)?;
                log_final(tx, job, state, None, now)?;
            }
            match next {
                Some(id) => update_state(tx, id, &JobState::InFlight, now),
                None => Ok(()),
            }
        })
    }

    /// Gives many jobs one final `state` (e.g. cancelling thousands) with their log entries,
    /// in one transaction.
    pub fn finish_jobs(&self, ids: &[u64], state: &JobState) -> Result<Vec<LogEntry>, DbError> {
        let now = now_unix();
        self.write(|tx| {
            let mut out = Vec::with_capacity(ids.len());
            for &id in ids {
                out.extend(set_state(tx, id, state, None, now)?);
            }
            Ok(out)
        })
    }

    /// Cancels every pending job (of `batch`, or all; due by `due_by`, or whenever), logged;
    /// jobs in flight stay open (their request may have happened). Returns the cancelled jobs.
    pub fn cancel_pending(
        &self,
        batch: Option<&str>,
        due_by: Option<i64>,
    ) -> Result<Vec<Job>, DbError> {
        let now = now_unix();
        self.write(|tx| {
            let jobs: Vec<Job> = {
                let mut q = tx.prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'pending' \
                     AND (?1 IS NULL OR batch = ?1) \
                     AND (due_at IS NULL OR ?2 IS NULL OR due_at <= ?2) ORDER BY id"
                ))?;
                let rows = q.query_map(params![batch, due_by], from_row)?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut out = Vec::with_capacity(jobs.len());
            for mut j in jobs {
                set_state(tx, j.id, &JobState::Cancelled, None, now)?;
                j.state = JobState::Cancelled;
                out.push(j);
            }
            Ok(out)
        })
    }

    /// Open jobs (pending or in flight), of `batch` or all, due by `due_by` (jobs with no due
    /// time always), in run order.
    pub fn open_jobs(&self, batch: Option<&str>, due_by: Option<i64>) -> Result<Vec<Job>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE {OPEN} AND (?1 IS NULL OR batch = ?1) \
                 AND (due_at IS NULL OR ?2 IS NULL OR due_at <= ?2) ORDER BY id"
            ))?;
            let rows = q.query_map(params![batch, due_by], from_row)?;
            rows.collect()
        })
    }

    /// Every open job (including those due later), in run order.
    pub fn all_open_jobs(&self) -> Result<Vec<Job>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE {OPEN} ORDER BY id"
            ))?;
            let rows = q.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// Every job ever queued, oldest first.
    pub fn all_jobs(&self) -> Result<Vec<Job>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY id"))?;
            let rows = q.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// The last `n` finished jobs, newest first.
    pub fn recent_jobs(&self, n: usize) -> Result<Vec<Job>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE NOT {OPEN} ORDER BY updated DESC, id DESC \
                 LIMIT ?1"
            ))?;
            let rows = q.query_map([n as i64], from_row)?;
            rows.collect()
        })
    }

    /// (finished, total) jobs of `batch`.
    pub fn batch_progress(&self, batch: &str) -> Result<(usize, usize), DbError> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT count(*) FILTER (WHERE NOT {OPEN}), count(*) FROM jobs WHERE batch = ?1"
            ))?
            .query_row([batch], |r| {
                Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
            })
        })
    }

    /// True when a job of `batch` was ever queued.
    pub fn batch_exists(&self, batch: &str) -> Result<bool, DbError> {
        self.read(|c| {
            c.prepare_cached("SELECT 1 FROM jobs WHERE batch = ?1 LIMIT 1")?
                .query_row([batch], |_| Ok(()))
                .optional()
                .map(|r| r.is_some())
        })
    }

    /// The job with this id.
    pub fn job(&self, id: u64) -> Result<Option<Job>, DbError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?
                .query_row([id as i64], from_row)
                .optional()
        })
    }
}
