//! The queue view: progress of the current batch, the ETA from the write budget, open jobs with
//! their state, timed jobs due later with their due time, then recent finished ones.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::strings;
use super::theme::Theme;
use crate::api::Write;
use crate::app::duration;
use crate::app::queue_view::{held_read_only, JobRow, QueuePane, QueueSnapshot};
use crate::app::state::clock;
use crate::app::{KeyMode, State};
use crate::store::db::JobState;
use crate::text::fit;
use crate::text::thousands;

/// Draws the queue view over `area`, leaving the hint and status rows at the bottom visible.
pub fn render(state: &State, pane: &QueuePane, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let empty = QueueSnapshot::default();
    let q = state.snapshots.queue.as_ref().unwrap_or(&empty);
    let mut title = format!(" Queue · {} open", thousands(q.open_total as u64));
    if q.due_later > 0 {
        title.push_str(&format!(" · {} due later", thousands(q.due_later as u64)));
    }
    if q.paused {
        title.push_str(" · PAUSED");
    }
    title.push(' ');
    let keys = format!(" {} ", super::strings::view_keys(state, KeyMode::Queue));
    let Some(inner) = super::view_frame(&title, &keys, theme, area, buf) else {
        return;
    };
    let w = inner.width as usize;
    let mut lines = summary(state, q, theme, w);
    if inner.height < 10 {
        // Small terminals: keep the progress and the ETA, give the rest to the jobs.
        lines.truncate(2);
    }
    let body_h = (inner.height as usize).saturating_sub(lines.len());
    let rows = job_lines(state, q, theme, w);
    if rows.is_empty() {
        lines.push(Line::styled(
            fit(
                "The queue is empty: confirmed blocks, unblocks and mutes show here.",
                w,
            ),
            theme.dim,
        ));
    }
    lines.extend(rows.into_iter().skip(pane.scroll).take(body_h));
    Paragraph::new(lines).render(inner, buf);
}

/// Progress, ETA and budget, and why jobs are held.
fn summary<'a>(state: &State, q: &QueueSnapshot, theme: &Theme, w: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if let Some(b) = &q.batch {
        let pct = b.done * 100 / b.total.max(1);
        let bar_w = 10;
        let filled = b.done * bar_w / b.total.max(1);
        out.push(Line::raw(fit(
            &format!(
                "Batch {}/{} done [{}{}] {pct}% · {}",
                b.done,
                b.total,
                "#".repeat(filled),
                "·".repeat(bar_w - filled),
                b.id
            ),
            w,
        )));
    }
    let eta = if q.open_total == 0 {
        "Nothing to do.".to_string()
    } else if q.unsent() == 0 {
        match q.later.first() {
            Some(j) => format!(
                "Nothing due now. Next: {} {} {}.",
                j.action.verb(),
                who(state, j),
                due_in(state, j)
            ),
            None => "Nothing due now.".to_string(),
        }
    } else if q.paused {
        format!("Paused: press {} to resume.", pause_key(state))
    } else if !q.running && !held_read_only(state) {
        format!(
            "Not running: press {} to run the open jobs.",
            pause_key(state)
        )
    } else if held_read_only(state) && only_plan_writes(q) {
        "Queued for later: this plan can't block or unblock through the API.".to_string()
    } else {
        match state.eta_secs(q.unsent()) {
            0 => "ETA: now, within the current rate-limit window.".to_string(),
            s => format!("ETA: about {} at the current rate limits.", clock(s)),
        }
    };
    out.push(Line::raw(fit(&eta, w)));
    let budget = match state.budget {
        Some(b) => format!(
            "Writes: {}/{} left in this window, resets in {}.",
            b.remaining,
            b.limit,
            clock(state.secs_until(b.reset))
        ),
        None => format!(
            "Writes: {} per {} window (budget not seen yet).",
            crate::app::state::DEFAULT_WRITE_LIMIT,
            clock(state.window_secs)
        ),
    };
    out.push(Line::styled(fit(&budget, w), theme.dim));
    if let Some(why) = &q.held {
        out.push(Line::styled(fit(&format!("Held: {why}"), w), theme.warn));
    }
    out.push(Line::raw(""));
    out
}

/// True when every open job shown is a block or unblock (writes the plan may refuse).
fn only_plan_writes(q: &QueueSnapshot) -> bool {
    q.open
        .iter()
        .all(|j| matches!(j.action, Write::Block | Write::Unblock))
}

fn job_lines<'a>(state: &State, q: &QueueSnapshot, theme: &Theme, w: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let write_wait = state
        .waits
        .iter()
        .filter(|wt| {
            matches!(
                strings::endpoint_name(&wt.endpoint).as_str(),
                "blocks" | "unblocks" | "mutes"
            )
        })
        .map(|wt| state.secs_until(wt.until))
        .max();
    let held = held_read_only(state);
    for (n, job) in q.open.iter().enumerate() {
        let plan_write = matches!(job.action, Write::Block | Write::Unblock);
        let (label, style) = if held && plan_write {
            ("queued for later (read-only)".to_string(), theme.warn)
        } else if q.paused {
            ("paused".to_string(), theme.dim)
        } else if n == 0 && q.running {
            match write_wait {
                Some(s) => (format!("waiting: rate limit {}", clock(s)), theme.warn),
                None => ("in flight".to_string(), theme.ok),
            }
        } else if job.state == JobState::InFlight {
            ("in flight (checked first)".to_string(), theme.warn)
        } else {
            ("pending".to_string(), theme.base)
        };
        out.push(row(state, job, label, style, w));
    }
    if q.unsent() > q.open.len() {
        out.push(Line::styled(
            fit(
                &format!(
                    "…and {} more open jobs",
                    thousands((q.unsent() - q.open.len()) as u64)
                ),
                w,
            ),
            theme.dim,
        ));
    }
    if !q.later.is_empty() {
        out.push(Line::styled(fit("Timed: due later", w), theme.header));
    }
    for job in &q.later {
        let label = if q.paused {
            format!("{} (paused)", due_in(state, job))
        } else {
            due_in(state, job)
        };
        out.push(row(state, job, label, theme.dim, w));
    }
    if q.due_later > q.later.len() {
        out.push(Line::styled(
            fit(
                &format!("…and {} more timed jobs", q.due_later - q.later.len()),
                w,
            ),
            theme.dim,
        ));
    }
    if !q.recent.is_empty() {
        out.push(Line::styled(fit("Recent", w), theme.header));
    }
    for job in &q.recent {
        let (label, style) = match &job.state {
            JobState::Done => ("done".to_string(), theme.ok),
            JobState::AlreadyInState => ("already so".to_string(), theme.dim),
            JobState::SkippedSelf => ("skipped: yourself".to_string(), theme.dim),
            JobState::NotFound => ("not found".to_string(), theme.dim),
            JobState::Cancelled => ("cancelled".to_string(), theme.dim),
            JobState::Kept => ("skipped: kept".to_string(), theme.dim),
            JobState::Superseded(why) => (format!("not sent: {why}"), theme.dim),
            JobState::Failed(r) => (format!("failed: {r}"), theme.error),
            JobState::Pending | JobState::InFlight => ("open".to_string(), theme.base),
        };
        out.push(row(state, job, label, style, w));
    }
    out
}

/// When a timed job runs: `in 6d 23h · 2025-12-01 16:00`, or `due now · …` once its time came.
fn due_in(state: &State, job: &JobRow) -> String {
    let Some(due) = job.due_at else {
        return "now".into();
    };
    let left = due - state.now_unix();
    let when = if left > 0 {
        format!("in {}", duration::span(left))
    } else {
        "due now".to_string()
    };
    format!("{when} · {}", duration::short_time(due))
}

/// `@handle`, or `id N` for a job queued by id only (named from the loaded list when it can be).
fn who(state: &State, job: &JobRow) -> String {
    let loaded = || {
        state
            .index_of(job.target.as_str())
            .map(|i| state.account(i).handle)
    };
    match job.username.clone().or_else(loaded) {
        Some(u) => format!("@{u}"),
        None => format!("id {}", job.target),
    }
}

fn row<'a>(state: &State, job: &JobRow, label: String, style: Style, w: usize) -> Line<'a> {
    let who = who(state, job);
    let verb_w = 8.min(w);
    let who_w = 24.min(w.saturating_sub(verb_w) / 2);
    let rest = w.saturating_sub(verb_w + who_w);
    Line::from(vec![
        Span::raw(fit(job.action.verb(), verb_w)),
        Span::raw(fit(&who, who_w.saturating_sub(1))),
        Span::raw(" ".repeat(who_w.min(1))),
        Span::styled(fit(&label, rest), style),
    ])
}

/// The queue view's pause / resume key.
fn pause_key(state: &State) -> String {
    state.keymap.key_name(
        crate::app::KeyMode::Queue,
        crate::app::KeyAction::PauseQueue,
    )
}
