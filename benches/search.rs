//! Search over 1,000,000 loaded accounts: the time from a keystroke to its complete result,
//! for the exact query language (0.2) beside 0.1's fuzzy search (nucleo-matcher over handle,
//! name and bio, as 0.1 ran it), words and filters.
//!
//! Run: `cargo bench --bench search` (prints figures; no assertions). Under `cargo test` it
//! runs a quick smoke pass with 20,000 accounts.

use std::collections::HashMap;
use std::time::{Duration, Instant, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use xblocks::app::{self, Action, Capability, Keymap, State};

#[path = "support/users.rs"]
mod users;

fn loaded(n: usize) -> State {
    let now = UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let mut s = State::new("me", "default", Keymap::default(), now);
    app::update(&mut s, Action::Resize(120, 40));
    app::update(&mut s, Action::Capability(Capability::Full));
    let mut i = 0;
    while i < n {
        let count = 1000.min(n - i);
        app::update(
            &mut s,
            Action::PageLoaded {
                first: i == 0,
                users: (i..i + count).map(users::user).collect(),
                pinned: HashMap::new(),
                next_token: (i + count < n).then(|| "more".to_string()),
            },
        );
        s.loading = false;
        i += count;
    }
    s
}

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Types `text` after `/`; returns, per keystroke, the time until its complete result and the
/// longest single update (what one frame waits for), then the match count.
fn type_query(s: &mut State, text: &str) -> (Vec<Duration>, Duration, usize) {
    app::update(s, key(KeyCode::Esc));
    app::update(s, key(KeyCode::Char('/')));
    let mut per_key = Vec::new();
    let mut longest = Duration::ZERO;
    for c in text.chars() {
        let t0 = Instant::now();
        app::update(s, key(KeyCode::Char(c)));
        longest = longest.max(t0.elapsed());
        while s.searching() {
            let t1 = Instant::now();
            app::update(s, Action::SearchStep);
            longest = longest.max(t1.elapsed());
        }
        per_key.push(t0.elapsed());
    }
    (per_key, longest, s.view.len())
}

/// 0.1's search: nucleo fuzzy score of handle, name and bio of every account, then ranked.
fn fuzzy(s: &State, query: &str) -> usize {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut found: Vec<(u32, u32)> = Vec::new();
    for (i, a) in s.accounts.iter().enumerate() {
        let mut best = None;
        for (hay, weight) in [
            (a.handle.as_str(), 2),
            (a.name.as_str(), 2),
            (a.bio.as_str(), 1),
        ] {
            if let Some(sc) = pattern.score(Utf32Str::new(hay, &mut buf), &mut matcher) {
                best = best.max(Some(sc * weight));
            }
        }
        if let Some(b) = best {
            found.push((std::cmp::Reverse(b).0, i as u32));
        }
    }
    found.sort_unstable_by_key(|&(sc, i)| (std::cmp::Reverse(sc), i));
    found.len()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 1_000_000 } else { 20_000 };
    println!("xblocks search bench: {n} accounts loaded");
    let mut s = loaded(n);
    for q in [
        "crypto",
        "gardenbot",
        "\"coffee travel\"",
        "crypto -bot followers:>50k",
        "age:>5y verified:no -news",
        "followers:1k..10k posts:=1000",
    ] {
        let (per_key, longest, count) = type_query(&mut s, q);
        let worst = per_key.iter().max().copied().unwrap_or_default();
        println!(
            "exact  {q:<32} {count:>8} matches; per keystroke to complete result: worst {} (each: {}); longest single update {}",
            ms(worst),
            per_key.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", "),
            ms(longest)
        );
    }
    for q in ["c", "crypto", "gardenbot", "crypto -bot followers:>50k"] {
        let parsed = xblocks::query::parse(q).unwrap();
        let t0 = Instant::now();
        let found = s.index.search(&parsed, 1_764_000_000).len();
        println!(
            "evaluator alone {q:<26} {found:>8} matches in {}",
            ms(t0.elapsed())
        );
    }
    for q in ["crypto", "gardenbot"] {
        let mut per_key = Vec::new();
        let mut count = 0;
        for end in 1..=q.len() {
            let t0 = Instant::now();
            count = fuzzy(&s, &q[..end]);
            per_key.push(t0.elapsed());
        }
        let worst = per_key.iter().max().copied().unwrap_or_default();
        println!(
            "0.1 fuzzy {q:<29} {count:>8} \"matches\"; per keystroke to complete result: worst {} (each: {})",
            ms(worst),
            per_key.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
        );
    }
}
