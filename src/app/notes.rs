//! Notes, tags and the keep list in the TUI: `n` edits the note, `t` the tags (`+name -name`),
//! `K` toggles the keep list. Changes show at once (and are searchable); the worker stores them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Command, Effect};
use super::state::{Mode, State};
use super::update::{error, info};
use crate::query::Flag;

/// Longest note kept, in characters.
pub const NOTE_CHARS: usize = 500;
/// Longest tag name, in characters.
pub const TAG_CHARS: usize = 32;

/// Note and tags of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotation {
    /// Free text (sanitized, one line).
    pub note: String,
    /// Tag names, lower-case, sorted, unique.
    pub tags: Vec<String>,
}

/// Which field an [`Edit`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The note.
    Note,
    /// The tags.
    Tags,
}

/// The note or tags editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Which field.
    pub field: Field,
    /// Account index.
    pub index: u32,
    /// Text typed so far.
    pub text: String,
}

/// A tag name as stored: sanitized, lower-case, at most [`TAG_CHARS`]; `None` when not a name
/// (empty, or with spaces or commas).
pub fn tag_name(raw: &str) -> Option<String> {
    let t = crate::text::sanitize(raw).to_lowercase();
    (!t.is_empty() && t.chars().count() <= TAG_CHARS && !t.contains([' ', ','])).then_some(t)
}

/// A note as stored: sanitized to one line, at most [`NOTE_CHARS`].
pub fn note_text(raw: &str) -> String {
    crate::text::sanitize(raw)
        .chars()
        .take(NOTE_CHARS)
        .collect()
}

/// Applies `+name -name name` edits to `tags`; returns the new list, or the bad word.
pub fn edit_tags(tags: &[String], edits: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = tags.to_vec();
    for word in edits.split_whitespace() {
        let (add, name) = match word.strip_prefix('-') {
            Some(n) => (false, n),
            None => (true, word.strip_prefix('+').unwrap_or(word)),
        };
        let name = tag_name(name).ok_or_else(|| word.to_string())?;
        out.retain(|t| *t != name);
        if add {
            out.push(name);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Sets the note and tags of account `i` in the state and the search index.
pub fn set(state: &mut State, i: u32, a: Annotation) {
    state.index.set_extra(i, &a.note, &a.tags);
    if a.note.is_empty() && a.tags.is_empty() {
        state.notes.remove(&i);
    } else {
        state.notes.insert(i, a);
    }
}

/// `n` / `t`: opens the editor for the selected account.
pub(super) fn open(state: &mut State, field: Field) {
    let Some(&index) = state.view.get(state.cursor) else {
        state.message = Some(info("Select an account first."));
        return;
    };
    let text = match field {
        Field::Note => state
            .notes
            .get(&index)
            .map(|a| a.note.clone())
            .unwrap_or_default(),
        Field::Tags => String::new(),
    };
    state.mode = Mode::Edit(Edit { field, index, text });
}

/// Keys in the editor: text, Backspace, Enter saves, Esc cancels.
pub(super) fn on_key(state: &mut State, key: KeyEvent, mut edit: Edit, out: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Esc => state.message = Some(info("Nothing changed.")),
        KeyCode::Enter => save(state, edit, out),
        KeyCode::Backspace => {
            edit.text.pop();
            state.mode = Mode::Edit(edit);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() => {
            if edit.text.chars().count() < NOTE_CHARS {
                edit.text.push(c);
            }
            state.mode = Mode::Edit(edit);
        }
        _ => state.mode = Mode::Edit(edit),
    }
}

fn save(state: &mut State, edit: Edit, out: &mut Vec<Effect>) {
    let i = edit.index;
    if i as usize >= state.accounts.len() {
        return;
    }
    let account = state.account(i);
    let id = account.id.to_string();
    let handle = account.handle.to_string();
    let mut a = state.notes.get(&i).cloned().unwrap_or_default();
    match edit.field {
        Field::Note => {
            save_note(state, i, &edit.text, out);
            state.message = Some(info(if note_text(&edit.text).is_empty() {
                format!("Note of @{handle} cleared.")
            } else {
                format!("Note of @{handle} saved.")
            }));
            return;
        }
        Field::Tags => match edit_tags(&a.tags, &edit.text) {
            Ok(tags) => {
                a.tags = tags;
                state.message = Some(info(if a.tags.is_empty() {
                    format!("@{handle} has no tags.")
                } else {
                    format!("Tags of @{handle}: {}.", a.tags.join(" "))
                }));
                out.push(
                    Command::SaveTags {
                        id,
                        tags: a.tags.clone(),
                    }
                    .into(),
                );
            }
            Err(bad) => {
                state.message = Some(error(format!(
                    "\"{bad}\" is not a tag: a tag is one word of at most {TAG_CHARS} characters (+name adds, -name removes). Nothing changed."
                )));
                return;
            }
        },
    }
    set(state, i, a);
}

/// `K`: puts the marked (or selected) accounts on the keep list, or takes them off when all
/// of them are on it.
pub(super) fn toggle_keep(state: &mut State, out: &mut Vec<Effect>) {
    let picked: Vec<u32> = if state.marks.is_empty() {
        state.view.get(state.cursor).copied().into_iter().collect()
    } else {
        let mut m: Vec<u32> = state.marks.iter().copied().collect();
        m.sort_unstable();
        m
    };
    if picked.is_empty() {
        state.message = Some(info("Select an account first."));
        return;
    }
    let keep_them = !picked.iter().all(|&i| state.index.flag(i, Flag::Kept));
    keep(state, &picked, keep_them, out);
    let keep = keep_them;
    let who = match picked.as_slice() {
        [one] => format!("@{}", state.account(*one).handle),
        many => format!("{} accounts", crate::text::thousands(many.len() as u64)),
    };
    state.message = Some(info(if keep {
        format!("{who} on the keep list: bulk unblock, import --unblock and undo skip it.")
    } else {
        format!("{who} off the keep list.")
    }));
}

/// Puts accounts on the keep list (or takes them off) and asks the worker to store it.
pub(super) fn keep(state: &mut State, picked: &[u32], on: bool, out: &mut Vec<Effect>) {
    if picked.is_empty() {
        return;
    }
    let ids = picked
        .iter()
        .map(|&i| {
            state.index.set_flag(i, Flag::Kept, on);
            state.accounts.id(i)
        })
        .collect();
    out.push(Command::SetKept { ids, kept: on }.into());
}

/// Sets the note of account `i` (empty clears it) and asks the worker to store it.
pub(super) fn save_note(state: &mut State, i: u32, text: &str, out: &mut Vec<Effect>) {
    if i as usize >= state.accounts.len() {
        return;
    }
    let id = state.accounts.id(i);
    let mut a = state.notes.get(&i).cloned().unwrap_or_default();
    a.note = note_text(text);
    out.push(
        Command::SaveNote {
            id,
            note: a.note.clone(),
        }
        .into(),
    );
    set(state, i, a);
}

/// Notes, tags and keep flags loaded from the store, by account id.
pub(super) fn on_loaded(state: &mut State, items: Vec<super::action::Annotated>) {
    for item in items {
        let Some(i) = state.index_of(&item.id) else {
            state.pending_notes.push(item);
            continue;
        };
        apply(state, i, item);
    }
}

fn apply(state: &mut State, i: u32, item: super::action::Annotated) {
    state.index.set_flag(i, Flag::Kept, item.kept);
    set(
        state,
        i,
        Annotation {
            note: item.note,
            tags: item.tags,
        },
    );
}

/// After accounts were added: annotations that arrived before their account apply now.
pub(super) fn catch_up(state: &mut State) {
    if state.pending_notes.is_empty() {
        return;
    }
    let items = std::mem::take(&mut state.pending_notes);
    for item in items {
        match state.index_of(&item.id) {
            Some(i) => apply(state, i, item),
            None => state.pending_notes.push(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_edits_add_remove_and_refuse_bad_names() {
        let t = edit_tags(&[], "+Spam troll").unwrap();
        assert_eq!(t, ["spam", "troll"]);
        let t = edit_tags(&t, "-spam +ok +ok").unwrap();
        assert_eq!(t, ["ok", "troll"]);
        assert_eq!(edit_tags(&t, "+a,b"), Err("+a,b".into()));
        assert_eq!(edit_tags(&t, "-"), Err("-".into()));
        assert_eq!(note_text("a\nb\x1b[31m"), "a b");
    }
}
