//! Keys as data: the table of actions, their default keys and descriptions, overridable from the
//! `[keys]` table of `config.toml`. The help overlay is rendered from this same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something a key can ask for in the normal (list) mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAction {
    /// Cursor down one row.
    Down,
    /// Cursor up one row.
    Up,
    /// First row.
    Top,
    /// Last loaded row.
    Bottom,
    /// One screen down.
    PageDown,
    /// One screen up.
    PageUp,
    /// Start an exact search (the query language).
    Search,
    /// Mark or unmark the selected account.
    Mark,
    /// Mark exactly the accounts the search lists (all loaded ones without a search).
    MarkAll,
    /// Put the selected (or marked) accounts on the keep list, or take them off.
    Keep,
    /// Edit the selected account's note.
    Note,
    /// Edit the selected account's tags.
    Tags,
    /// Pick the list's columns.
    Columns,
    /// Show the message log.
    Log,
    /// Clear all marks.
    ClearMarks,
    /// Unblock the marked accounts (or the selected one).
    Unblock,
    /// Block an account by handle.
    Block,
    /// Mute the marked accounts (or the selected one).
    Mute,
    /// Open the selected profile in the browser.
    Open,
    /// Copy the selected handle to the clipboard (OSC 52).
    Copy,
    /// Reload the block list from the first page.
    Refresh,
    /// Cycle the sort column.
    Sort,
    /// Reverse the sort order.
    ReverseSort,
    /// Show or hide the detail pane.
    Detail,
    /// Show the help overlay.
    Help,
    /// Show the durable queue.
    Queue,
    /// Show the action log.
    History,
    /// Show what changed since the last sync.
    Diff,
    /// Show insights: counts and charts of the list.
    Insights,
    /// Review the list (or the query's matches, or the marks) one account at a time.
    Review,
    /// Quit.
    Quit,
}

/// One row of the keymap: the action, its name in `config.toml`, its keys and what it does.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The action.
    pub action: KeyAction,
    /// Its name in the `[keys]` table of `config.toml`.
    pub name: &'static str,
    /// Keys that trigger it.
    pub keys: Vec<KeyEvent>,
    /// One-line description shown in the help overlay.
    pub help: &'static str,
}

/// The keymap: bindings in help order.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// Every binding, in the order the help overlay lists them.
    pub bindings: Vec<Binding>,
}

const DEFAULTS: &[(KeyAction, &str, &[&str], &str)] = &[
    (KeyAction::Down, "down", &["j", "Down"], "move down"),
    (KeyAction::Up, "up", &["k", "Up"], "move up"),
    (KeyAction::Top, "top", &["g", "Home"], "first account"),
    (
        KeyAction::Bottom,
        "bottom",
        &["G", "End"],
        "last loaded account",
    ),
    (
        KeyAction::PageDown,
        "page_down",
        &["PageDown", "Ctrl-f", "Ctrl-d"],
        "one screen down",
    ),
    (
        KeyAction::PageUp,
        "page_up",
        &["PageUp", "Ctrl-b", "Ctrl-u"],
        "one screen up",
    ),
    (
        KeyAction::Search,
        "search",
        &["/"],
        "exact search: words, \"a phrase\", -not, key:value",
    ),
    (KeyAction::Mark, "mark", &["Space"], "mark / unmark"),
    (
        KeyAction::MarkAll,
        "mark_all",
        &["V"],
        "mark exactly the listed matches",
    ),
    (
        KeyAction::Keep,
        "keep",
        &["K"],
        "keep list: never unblock (toggle)",
    ),
    (KeyAction::Note, "note", &["n"], "edit the note"),
    (KeyAction::Tags, "tags", &["t"], "edit tags (+name -name)"),
    (
        KeyAction::Columns,
        "columns",
        &["c"],
        "pick the list's columns",
    ),
    (KeyAction::Log, "log", &["L"], "message log (last 200)"),
    (
        KeyAction::ClearMarks,
        "clear_marks",
        &["Esc"],
        "clear marks / search",
    ),
    (
        KeyAction::Unblock,
        "unblock",
        &["u"],
        "unblock marked or selected",
    ),
    (KeyAction::Block, "block", &["b"], "block by handle"),
    (KeyAction::Mute, "mute", &["m"], "mute instead"),
    (KeyAction::Open, "open", &["o"], "open profile in browser"),
    (KeyAction::Copy, "copy", &["y"], "copy handle (OSC 52)"),
    (
        KeyAction::Refresh,
        "refresh",
        &["r"],
        "reload the block list",
    ),
    (KeyAction::Sort, "sort", &["s"], "sort by next column"),
    (
        KeyAction::ReverseSort,
        "reverse_sort",
        &["S"],
        "reverse sort order",
    ),
    (
        KeyAction::Detail,
        "detail",
        &["Enter", "Tab"],
        "show / hide detail",
    ),
    (
        KeyAction::Queue,
        "queue",
        &["Q"],
        "queue: progress, ETA, p pause, c cancel",
    ),
    (
        KeyAction::History,
        "history",
        &["H"],
        "history: action log, / filter, U undo",
    ),
    (
        KeyAction::Diff,
        "diff",
        &["D"],
        "diff: new and gone since last sync",
    ),
    (
        KeyAction::Insights,
        "insights",
        &["I"],
        "insights: counts and charts",
    ),
    (
        KeyAction::Review,
        "review",
        &["A"],
        "review one at a time, then send once",
    ),
    (KeyAction::Help, "help", &["?"], "this help"),
    (KeyAction::Quit, "quit", &["q", "Ctrl-c"], "quit"),
];

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(action, name, keys, help)| Binding {
                action: *action,
                name,
                keys: keys.iter().filter_map(|k| parse_key(k)).collect(),
                help,
            })
            .collect();
        Self { bindings }
    }
}

impl Keymap {
    /// The default keymap with the `[keys]` table of a `config.toml` applied, e.g.
    /// `down = ["j", "Down", "Ctrl-n"]`. Returns the keymap and one message per ignored entry.
    pub fn from_config(toml_text: &str) -> (Self, Vec<String>) {
        let mut map = Self::default();
        let mut problems = Vec::new();
        let table = match toml_text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!(
                    "config.toml is not valid TOML ({e}); using default keys"
                ));
                return (map, problems);
            }
        };
        let Some(keys) = table.get("keys").and_then(|k| k.as_table()) else {
            return (map, problems);
        };
        for (name, value) in keys {
            let Some(binding) = map.bindings.iter_mut().find(|b| b.name == name) else {
                problems.push(format!("config.toml: unknown key action `{name}`"));
                continue;
            };
            let list: Vec<&str> = match value {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                _ => {
                    problems.push(format!(
                        "config.toml: keys.{name} must be a string or a list"
                    ));
                    continue;
                }
            };
            let parsed: Vec<KeyEvent> = list.iter().filter_map(|k| parse_key(k)).collect();
            if parsed.len() != list.len() || parsed.is_empty() {
                problems.push(format!(
                    "config.toml: keys.{name} has a key that is not understood"
                ));
            }
            if !parsed.is_empty() {
                binding.keys = parsed;
            }
        }
        (map, problems)
    }

    /// The action bound to a key press, if any.
    pub fn lookup(&self, key: &KeyEvent) -> Option<KeyAction> {
        let key = normalize(*key);
        self.bindings
            .iter()
            .find(|b| b.keys.contains(&key))
            .map(|b| b.action)
    }

    /// The first key bound to `action`, as shown to users (e.g. `u`).
    pub fn key_name(&self, action: KeyAction) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(key_label)
            .unwrap_or_else(|| "?".into())
    }
}

/// Drops modifiers that do not change meaning (Shift on a printable char is in the char already).
fn normalize(key: KeyEvent) -> KeyEvent {
    let mut mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    if let KeyCode::Char(c) = key.code {
        if !c.is_ascii_alphabetic() || !mods.contains(KeyModifiers::CONTROL) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let c = if mods.contains(KeyModifiers::CONTROL) {
            c.to_ascii_lowercase()
        } else {
            c
        };
        return KeyEvent::new(KeyCode::Char(c), mods);
    }
    if key.code == KeyCode::BackTab {
        mods = KeyModifiers::NONE;
    }
    KeyEvent::new(key.code, mods)
}

/// Parses a key name: a single character, `Ctrl-x`, `Alt-x`, or a named key such as `Down`,
/// `PageUp`, `Space`, `Enter`, `Esc`, `Tab`, `Home`, `End`, `F1`.
pub fn parse_key(text: &str) -> Option<KeyEvent> {
    let (mods, rest) = if let Some(r) = text
        .strip_prefix("Ctrl-")
        .or_else(|| text.strip_prefix("C-"))
    {
        (KeyModifiers::CONTROL, r)
    } else if let Some(r) = text
        .strip_prefix("Alt-")
        .or_else(|| text.strip_prefix("M-"))
    {
        (KeyModifiers::ALT, r)
    } else {
        (KeyModifiers::NONE, text)
    };
    let code = match rest {
        "Down" => KeyCode::Down,
        "Up" => KeyCode::Up,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PageDown" => KeyCode::PageDown,
        "PageUp" => KeyCode::PageUp,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Space" => KeyCode::Char(' '),
        "Backspace" => KeyCode::Backspace,
        f if f.len() > 1 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok()?),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
        _ => return None,
    };
    Some(normalize(KeyEvent::new(code, mods)))
}

/// How a key is shown in help and hints.
pub fn key_label(key: &KeyEvent) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else if key.modifiers.contains(KeyModifiers::ALT) {
        format!("Alt-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_vim_keys_and_arrows() {
        let map = Keymap::default();
        let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(map.lookup(&k(KeyCode::Char('j'))), Some(KeyAction::Down));
        assert_eq!(map.lookup(&k(KeyCode::Down)), Some(KeyAction::Down));
        assert_eq!(
            map.lookup(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyAction::Bottom)
        );
        assert_eq!(
            map.lookup(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(KeyAction::Quit)
        );
        assert!(map.bindings.iter().all(|b| !b.keys.is_empty()));
    }

    #[test]
    fn config_overrides_and_reports_problems() {
        let (map, problems) = Keymap::from_config(
            "[keys]\ndown = [\"n\", \"Ctrl-n\"]\nbogus = \"x\"\nup = \"???\"\n",
        );
        let k = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(map.lookup(&k), Some(KeyAction::Down));
        assert_eq!(
            map.lookup(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (_, bad) = Keymap::from_config("not toml [");
        assert_eq!(bad.len(), 1);
    }
}
