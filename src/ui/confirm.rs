//! The confirm pane, for every [`Confirm`]: for writes it names the accounts and the count, what
//! the action does, the ETA at the current rate limits and the capability (`y`/`n`, or typing
//! the count back for bulk); cancelling the queue and undo say what they will do. The answer
//! keys come from the keymap. Also the block-by-handle prompt.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::strings;
use super::theme::Theme;
use crate::api::Write;
use crate::app::duration;
use crate::app::state::{clock, Confirm, WriteConfirm, TYPE_BACK_OVER};
use crate::app::{Capability, KeyAction, KeyMode, State};
use crate::text::thousands;
use crate::text::{fit, sanitize};

/// Most accounts named one per line before "…and N more".
const NAMED: usize = 5;

/// Draws the confirm pane centred in `area` (over the view it was asked from).
pub fn render(state: &State, confirm: &Confirm, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match confirm {
        Confirm::Write(write) => render_write(state, confirm, write, theme, area, buf),
        Confirm::Quit(p) => super::quit::render(state, *p, theme, area, buf),
        Confirm::Sync(plan) => {
            let s = &state.snapshots.sync;
            let caps = s.caps(plan.facts.spent_today);
            let mut lines: Vec<Line> =
                crate::sync::plan::lines(&plan.plan, &s.prices, &caps, plan.facts.complete)
                    .into_iter()
                    .map(Line::raw)
                    .collect();
            lines.push(Line::raw(""));
            lines.push(Line::raw(strings::FULL_SYNC_EFFECT));
            let answer = answer(state, confirm);
            render_question(" Full sync? ", lines, answer, theme, area, buf);
        }
        Confirm::CancelQueue { open, pane } => {
            super::queue::render(state, pane, theme, area, buf);
            let s = if *open == 1 { "" } else { "s" };
            let open = thousands(*open as u64);
            let body = format!(
                "Cancel all {open} open job{s}? Nothing more is sent for them; each is logged \
                 as cancelled in the action log."
            );
            let title = format!(" Cancel {open} open job{s}? ");
            let answer = answer(state, confirm);
            render_question(&title, vec![Line::raw(body)], answer, theme, area, buf);
        }
        Confirm::Undo {
            batch,
            verb,
            count,
            pane,
        } => {
            super::history::render(state, pane, theme, area, buf);
            let s = if *count == 1 { "" } else { "s" };
            let body = format!(
                "Undo batch {batch}: {verb} {count} account{s}? The inverse writes are queued \
                 and paced by the rate limits."
            );
            let answer = answer(state, confirm);
            render_question(
                " Undo the last batch? ",
                vec![Line::raw(body)],
                answer,
                theme,
                area,
                buf,
            );
        }
    }
}

/// What each answer key of `confirm` is called (the pane's bottom line and the hint line say the
/// same): `y cancel them · n keep them`.
pub fn answer_word(confirm: &Confirm, a: KeyAction) -> Option<&'static str> {
    let (yes, no) = match confirm {
        Confirm::Write(w) if w.later => {
            return match a {
                KeyAction::Yes => Some("save"),
                KeyAction::MuteInstead => Some("mute"),
                KeyAction::No => Some("cancel"),
                _ => None,
            }
        }
        Confirm::Write(w) => (w.verb.verb(), "cancel"),
        Confirm::Sync(_) => ("sync", "send nothing"),
        Confirm::CancelQueue { .. } => ("cancel them", "keep them"),
        Confirm::Undo { .. } => ("queue the undo", "keep it"),
        Confirm::Quit(_) => return None,
    };
    match a {
        KeyAction::Yes => Some(yes),
        KeyAction::No => Some(no),
        _ => None,
    }
}

/// The answer line of a confirm pane from the keymap.
fn answer(state: &State, confirm: &Confirm) -> String {
    format!(
        " {} ",
        state
            .keymap
            .hint(&[KeyMode::Confirm], |a, _| answer_word(confirm, a))
    )
}

/// `whole` is the confirm `confirm` is the write of.
fn render_write(
    state: &State,
    whole: &Confirm,
    confirm: &WriteConfirm,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let n = confirm.targets.len();
    let verb = confirm.verb;
    let plural = if n == 1 { "" } else { "s" };
    let matching = confirm
        .query
        .as_ref()
        .map(|q| format!(" matching \"{}\"", sanitize(q)))
        .unwrap_or_default();
    let count = thousands(n as u64);
    let title = if confirm.later {
        format!(" Unblock {count} account{plural}{matching} later? ")
    } else {
        format!(
            " {} {count} account{plural}{matching}? ",
            capitalized(verb.verb())
        )
    };
    let w = area.width.min(72).saturating_sub(2) as usize;
    let mut lines: Vec<Line> = confirm
        .targets
        .iter()
        .take(NAMED)
        .map(|t| {
            Line::from(vec![
                Span::styled(fit(&format!("@{}", t.handle), 20.min(w)), theme.marked),
                Span::raw(fit(&format!(" {}", t.name), w.saturating_sub(20))),
            ])
        })
        .collect();
    if n > NAMED {
        lines.push(Line::styled(
            format!("…and {} more", thousands((n - NAMED) as u64)),
            theme.dim,
        ));
    }
    if confirm.kept > 0 {
        lines.push(Line::styled(
            format!(
                "{} on the keep list left out (never unblocked).",
                strings::accounts(confirm.kept)
            ),
            theme.warn,
        ));
    }
    lines.push(Line::raw(""));
    if confirm.later {
        lines.push(Line::styled(strings::LATER_EFFECT, theme.warn));
    } else {
        lines.push(Line::raw(strings::effect(verb)));
    }
    if confirm.timed() {
        lines.push(Line::raw(""));
        lines.extend(duration_lines(state, confirm).into_iter().map(Line::raw));
    }
    lines.push(Line::raw(""));
    let eta = state.eta_secs(n);
    let eta_text = if eta == 0 {
        "ETA: now, within the current rate-limit window.".to_string()
    } else {
        format!("ETA: about {} at the current rate limits.", clock(eta))
    };
    if !confirm.later {
        lines.push(Line::raw(eta_text));
    }
    let cap = match &state.capability {
        Capability::ReadOnly { reason } => format!("Capability: READ-ONLY — {}", sanitize(reason)),
        c => format!("Capability: {}", strings::capability_label(c)),
    };
    lines.push(Line::styled(cap, theme.dim));
    let keys = &state.keymap;
    let answer = if confirm.later || n <= TYPE_BACK_OVER {
        Line::styled(answer(state, whole), theme.warn)
    } else {
        Line::from(vec![
            Span::styled(
                format!(
                    " Type {n} then {}: ",
                    keys.key_name(KeyMode::Confirm, KeyAction::Yes)
                ),
                theme.warn,
            ),
            Span::styled(format!("{}▏", confirm.typed), theme.marked),
            Span::styled(
                format!(
                    " · {} cancels ",
                    keys.key_name(KeyMode::Confirm, KeyAction::No)
                ),
                theme.warn,
            ),
        ])
    };
    render_pane(&title, lines, answer, theme, area, buf);
}

/// How long a block or mute lasts, the key that changes it, and when it ends by itself.
fn duration_lines(state: &State, confirm: &WriteConfirm) -> Vec<String> {
    let key = state.keymap.key_name(KeyMode::Confirm, KeyAction::Duration);
    let Some(secs) = confirm.undo_after else {
        let choices: Vec<String> = duration::CHOICES
            .iter()
            .flatten()
            .map(|&c| duration::words(Some(c)).replacen("for ", "", 1))
            .collect();
        return vec![format!(
            "How long: for good · {key}: {}",
            choices.join(", ")
        )];
    };
    let undone = match confirm.verb {
        Write::Block => "Unblocked",
        _ => "Unmuted",
    };
    let at = duration::short_time(state.now_unix().saturating_add(secs as i64));
    vec![
        format!(
            "How long: {} ({key} changes it)",
            duration::words(Some(secs))
        ),
        format!(
            "{undone} by itself at {at} UTC: by xblocks while it runs, else at its next start \
             or by `xblocks run-due`."
        ),
    ]
}

/// A confirm pane with a plain question.
fn render_question(
    title: &str,
    lines: Vec<Line>,
    answer: String,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    render_pane(
        title,
        lines,
        Line::styled(answer, theme.warn),
        theme,
        area,
        buf,
    );
}

/// Draws `lines` in a warning-bordered pane centred in `area`, `answer` on its bottom border.
fn render_pane(
    title: &str,
    lines: Vec<Line>,
    answer: Line,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let w = area.width.min(72).saturating_sub(2) as usize;
    // Rows as the paragraph wraps them (at word boundaries, so often more than width / w).
    let height: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            crate::text::wrap(&text, w.max(1)).len().max(1)
        })
        .sum();
    let rect = super::centered(area, 72, (height + 2).min(u16::MAX as usize) as u16);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(title.to_string(), theme.header))
        .title_bottom(answer);
    let inner = block.inner(rect);
    block.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

/// Draws the block-by-handle prompt centred in `area`.
pub fn render_prompt(text: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rect = super::centered(area, 48, 5);
    super::clear_overlay(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(" Block by handle ", theme.header));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let lines = vec![
        Line::from(vec![
            Span::raw("@"),
            Span::styled(format!("{}▏", sanitize(text)), theme.marked),
        ]),
        Line::styled("Enter looks it up · Esc cancels", theme.dim),
    ];
    Paragraph::new(lines).render(inner, buf);
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
