//! Review (`A`): one account at a time, with its full detail. Each key records a decision and moves
//! on; nothing is written until the end, when one confirm sends every decision as one batch.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::account::Standing;
use super::action::Effect;
use super::state::{Mode, State, Target};
use super::update::info;
use crate::api::Write;

/// Longest note the review accepts.
pub const NOTE_CHARS: usize = 500;

/// What the user decided for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Keep blocked, and put it on the keep list (never unblocked in bulk).
    Keep,
    /// Unblock.
    Unblock,
    /// Mute.
    Mute,
    /// Looked at, nothing to do.
    Skip,
}

impl Decision {
    /// The word shown in the review (`keep`, `unblock`…).
    pub fn word(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Unblock => "unblock",
            Decision::Mute => "mute",
            Decision::Skip => "skip",
        }
    }
}

/// What the review is going through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every loaded account.
    All,
    /// The matches of this query.
    Query(String),
    /// The marked accounts.
    Marked,
}

/// The review's own state (it lives in [`Mode::Review`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Accounts under review (indices into `State::accounts`), in the list's order.
    pub items: Vec<u32>,
    /// Position in `items` of the account shown.
    pub pos: usize,
    /// Decisions so far, by account index.
    pub decisions: HashMap<u32, Decision>,
    /// Notes written during the review, by account index.
    pub notes: HashMap<u32, String>,
    /// A note being typed for the account shown.
    pub noting: Option<String>,
    /// The final confirm is showing.
    pub confirming: bool,
    /// What the review goes through.
    pub scope: Scope,
}

/// What the confirm sends, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Accounts to keep.
    pub keep: usize,
    /// Accounts to unblock.
    pub unblock: usize,
    /// Accounts to mute.
    pub mute: usize,
    /// Accounts skipped.
    pub skip: usize,
    /// Notes written.
    pub notes: usize,
}

impl Review {
    /// The account index shown now.
    pub fn current(&self) -> Option<u32> {
        self.items.get(self.pos).copied()
    }

    /// Decisions counted by kind.
    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            notes: self.notes.len(),
            ..Tally::default()
        };
        for d in self.decisions.values() {
            match d {
                Decision::Keep => t.keep += 1,
                Decision::Unblock => t.unblock += 1,
                Decision::Mute => t.mute += 1,
                Decision::Skip => t.skip += 1,
            }
        }
        t
    }

    /// True when confirming would change something.
    pub fn has_changes(&self) -> bool {
        let t = self.tally();
        t.keep + t.unblock + t.mute + t.notes > 0
    }
}

/// Opens the review over the marked accounts, else the current query's matches, else every
/// loaded account; accounts already unblocked or pending this session are left out.
pub(super) fn open(state: &mut State) {
    let (mut items, scope): (Vec<u32>, Scope) = if !state.marks.is_empty() {
        let mut m: Vec<u32> = state.view.clone();
        m.retain(|i| state.marks.contains(i));
        (m, Scope::Marked)
    } else if !state.query.is_empty() {
        (state.view.clone(), Scope::Query(state.query.clone()))
    } else {
        (state.view.clone(), Scope::All)
    };
    items.retain(|&i| {
        matches!(
            state.accounts.standing(i),
            Standing::Blocked | Standing::Muted
        )
    });
    if items.is_empty() {
        state.message = Some(info("Nothing to review: no blocked account in the list."));
        return;
    }
    state.message = None;
    state.mode = Mode::Review(Box::new(Review {
        items,
        pos: 0,
        decisions: HashMap::new(),
        notes: HashMap::new(),
        noting: None,
        confirming: false,
        scope,
    }));
}

/// Keys of the review.
pub(super) fn on_key(state: &mut State, key: KeyEvent, mut r: Box<Review>, out: &mut Vec<Effect>) {
    if let Some(text) = r.noting.take() {
        on_note_key(key, &mut r, text);
        state.mode = Mode::Review(r);
        return;
    }
    if r.confirming {
        on_confirm_key(state, key, r, out);
        return;
    }
    use super::keymap::{KeyAction as K, KeyMode};
    match state.keymap.lookup(KeyMode::Review, &key) {
        Some(K::Keep) => decide(&mut r, Decision::Keep),
        Some(K::Unblock) => decide(&mut r, Decision::Unblock),
        Some(K::Mute) => decide(&mut r, Decision::Mute),
        Some(K::Skip) => decide(&mut r, Decision::Skip),
        Some(K::Note) => {
            let current = r.current().and_then(|i| r.notes.get(&i)).cloned();
            r.noting = Some(current.unwrap_or_default());
        }
        Some(K::Back) => r.pos = r.pos.saturating_sub(1),
        Some(K::Finish) => {
            if r.has_changes() {
                r.confirming = true;
            } else {
                state.message = Some(info("Review closed; nothing decided."));
                return;
            }
        }
        _ => {}
    }
    state.mode = Mode::Review(r);
}

/// Records `d` for the account shown and moves to the next one (the confirm after the last).
fn decide(r: &mut Review, d: Decision) {
    let Some(i) = r.current() else { return };
    r.decisions.insert(i, d);
    if r.pos + 1 < r.items.len() {
        r.pos += 1;
    } else {
        r.confirming = true;
    }
}

fn on_note_key(key: KeyEvent, r: &mut Review, mut text: String) {
    match key.code {
        KeyCode::Esc => {}
        KeyCode::Enter => {
            if let Some(i) = r.current() {
                let text = text.trim().to_string();
                if text.is_empty() {
                    r.notes.remove(&i);
                } else {
                    r.notes.insert(i, text);
                }
            }
        }
        KeyCode::Backspace => {
            text.pop();
            r.noting = Some(text);
        }
        KeyCode::Char(c)
            if !c.is_control()
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && text.chars().count() < NOTE_CHARS =>
        {
            text.push(c);
            r.noting = Some(text);
        }
        _ => r.noting = Some(text),
    }
}

fn on_confirm_key(state: &mut State, key: KeyEvent, mut r: Box<Review>, out: &mut Vec<Effect>) {
    use super::keymap::{KeyAction as K, KeyMode};
    match state.keymap.lookup(KeyMode::ReviewSend, &key) {
        Some(K::Yes) => send(state, &r, out),
        Some(K::No) => {
            state.message = Some(info("Review discarded; nothing sent."));
        }
        Some(K::Back) => {
            r.confirming = false;
            state.mode = Mode::Review(r);
        }
        _ => state.mode = Mode::Review(r),
    }
}

/// Sends every decision at once: the writes go to the queue together, as one batch.
fn send(state: &mut State, r: &Review, out: &mut Vec<Effect>) {
    let t = r.tally();
    let mut writes: Vec<(Write, u32)> = Vec::new();
    let mut order: Vec<(usize, u32)> = r
        .decisions
        .keys()
        .map(|&i| (r.items.iter().position(|&x| x == i).unwrap_or(0), i))
        .collect();
    order.sort_unstable();
    let mut keep = Vec::new();
    for (_, i) in order {
        let verb = match r.decisions[&i] {
            Decision::Unblock => Write::Unblock,
            Decision::Mute => Write::Mute,
            Decision::Keep => {
                keep.push(i);
                continue;
            }
            Decision::Skip => continue,
        };
        writes.push((verb, i));
    }
    for (verb, i) in writes {
        let a = state.account(i);
        let target = Target {
            id: a.id.to_string(),
            handle: a.handle.clone(),
            name: a.name.clone(),
            outside: None,
        };
        super::input::queue_write(state, verb, target, out);
    }
    // Keep decisions put the accounts on the keep list; notes are stored.
    super::notes::keep(state, &keep, true, out);
    for (&i, note) in &r.notes {
        super::notes::save_note(state, i, note, out);
    }
    let mut parts = Vec::new();
    for (n, what) in [
        (t.unblock, "unblock"),
        (t.mute, "mute"),
        (t.keep, "keep"),
        (t.notes, "note"),
    ] {
        if n > 0 {
            let plural = if n == 1 { "" } else { "s" };
            parts.push(format!(
                "{} {what}{plural}",
                crate::text::thousands(n as u64)
            ));
        }
    }
    state.message = Some(info(format!(
        "Review sent as one batch: {}. {} shows the queue.",
        parts.join(", "),
        state.key(super::keymap::KeyAction::Queue)
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_support::{code, key, only_page, state_at, type_text, user};
    use crate::app::{update, Action, Command};

    fn state(n: u64) -> State {
        let mut s = state_at(1_700_000_000);
        update(&mut s, only_page((1..=n).map(user).collect()));
        s
    }

    fn review(s: &State) -> &Review {
        match &s.mode {
            Mode::Review(r) => r,
            m => panic!("not reviewing: {m:?}"),
        }
    }

    #[test]
    fn decisions_wait_for_the_confirm_then_go_out_together() {
        let mut s = state(5);
        assert!(update(&mut s, key('A')).is_empty());
        assert_eq!(review(&s).items.len(), 5);
        assert!(update(&mut s, key('u')).is_empty(), "nothing sent yet");
        assert!(update(&mut s, key('m')).is_empty());
        assert!(update(&mut s, key('K')).is_empty());
        assert!(update(&mut s, key('b')).is_empty());
        assert_eq!(review(&s).pos, 2, "back one account");
        update(&mut s, key('u')); // u3: keep becomes unblock
        assert_eq!(review(&s).pos, 3);
        update(&mut s, key('n'));
        type_text(&mut s, "spam bot");
        update(&mut s, code(KeyCode::Enter));
        assert_eq!(review(&s).notes.values().next().unwrap(), "spam bot");
        update(&mut s, key('s'));
        assert!(!review(&s).confirming);
        update(&mut s, key('s'));
        assert!(review(&s).confirming, "the last decision opens the confirm");
        assert_eq!(
            review(&s).tally(),
            Tally {
                keep: 0,
                unblock: 2,
                mute: 1,
                skip: 2,
                notes: 1
            }
        );
        let cmds = update(&mut s, key('y'));
        assert_eq!(
            cmds,
            vec![
                Command::Write(vec![
                    (Write::Unblock, "1".into()),
                    (Write::Mute, "2".into()),
                    (Write::Unblock, "3".into()),
                ]),
                Command::SaveNote {
                    id: "4".into(),
                    note: "spam bot".into()
                },
            ]
        );
        assert_eq!(s.mode, Mode::Normal);
        assert_eq!(s.pending(), 3);
        assert_eq!(s.accounts.standing(0), Standing::Pending);
        assert!(s.message.as_ref().unwrap().text.contains("one batch"));
    }

    #[test]
    fn review_runs_over_the_query_matches_or_the_marks() {
        let mut s = state(12);
        update(&mut s, key('/'));
        type_text(&mut s, "u1");
        update(&mut s, code(KeyCode::Enter));
        while s.searching() {
            update(&mut s, Action::SearchStep);
        }
        let matches = s.view.len();
        assert!((3..12).contains(&matches), "{matches}");
        update(&mut s, key('A'));
        assert_eq!(review(&s).items.len(), matches);
        assert_eq!(review(&s).scope, Scope::Query("u1".into()));
        update(&mut s, code(KeyCode::Esc));
        assert_eq!(s.mode, Mode::Normal, "nothing decided: leaves at once");
        update(&mut s, code(KeyCode::Esc));
        update(&mut s, key(' '));
        update(&mut s, key(' '));
        update(&mut s, key('A'));
        assert_eq!(review(&s).scope, Scope::Marked);
        assert_eq!(review(&s).items.len(), 2);
    }

    #[test]
    fn esc_in_the_confirm_goes_back_and_n_discards() {
        let mut s = state(3);
        update(&mut s, key('A'));
        update(&mut s, key('m'));
        update(&mut s, code(KeyCode::Esc));
        assert!(review(&s).confirming);
        update(&mut s, code(KeyCode::Esc));
        assert!(!review(&s).confirming, "back to the review");
        update(&mut s, key('q'));
        assert!(update(&mut s, key('n')).is_empty());
        assert_eq!(s.mode, Mode::Normal);
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn a_note_esc_keeps_the_old_note() {
        let mut s = state(2);
        update(&mut s, key('A'));
        update(&mut s, key('n'));
        update(&mut s, key('x'));
        update(&mut s, code(KeyCode::Esc));
        assert!(review(&s).notes.is_empty());
        assert!(review(&s).noting.is_none());
        assert!(matches!(s.mode, Mode::Review(_)));
    }
}
