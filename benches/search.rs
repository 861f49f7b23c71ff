//! Search over 1,000,000 loaded accounts, and what each loaded account costs in memory.
//!
//! - Per keystroke, the time to its complete result, for the exact query language (0.2) beside
//!   0.1's fuzzy search (nucleo-matcher over handle, name and bio, as 0.1 ran it), words and
//!   filters. Wall time and the CPU time of the thread (`CLOCK_THREAD_CPUTIME_ID`) are
//!   printed side by side: on a loaded machine the wall time is mostly waiting for a core.
//! - Memory per loaded account as the resident memory (RSS) the process grows by while the
//!   accounts load the way the TUI loads them (pages of 1,000, a note and tags on 1 % of them),
//!   each layout measured in a fresh child process: this layout beside the one before it (every
//!   string of an account in its own allocation, the searchable text in a second copy).
//!
//! Run: `cargo bench --bench search` (prints figures; no assertions). Under `cargo test` it
//! runs a quick smoke pass with 20,000 accounts.

use std::collections::HashMap;
use std::time::{Duration, Instant, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use xblocks::app::{self, Action, Capability, Keymap, State};
use xblocks::query::{Index, Row};
use xblocks::text::SafeText;

#[path = "support/users.rs"]
mod users;

const NOW: u64 = 1_764_000_000;

/// A state with `n` accounts loaded as the TUI loads them: pages of 1,000, a note and tags on
/// one account in a hundred.
fn loaded(n: usize) -> State {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
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
    for i in (0..n as u32).step_by(100) {
        app::notes::set(
            &mut s,
            i,
            app::notes::Annotation {
                note: "blocked after the thread of 3 May".into(),
                tags: vec!["spam".into(), "crypto".into()],
            },
        );
    }
    s
}

/// One account as the layout before this one held it: each string in its own allocation.
#[allow(dead_code)]
struct OldAccount {
    id: SafeText,
    handle: SafeText,
    name: SafeText,
    bio: SafeText,
    location: SafeText,
    url: SafeText,
    pinned: Option<SafeText>,
    has_pin: bool,
    created_at: Option<i64>,
    first_seen: i64,
    followers: u64,
    following: u64,
    posts: u64,
    verified: bool,
    protected: bool,
    standing: u8,
}

/// The layout before this one: the accounts' strings apart, the searchable text again in the
/// index, ids in a map.
fn loaded_old(n: usize) -> (Vec<OldAccount>, Index, HashMap<u64, u32>) {
    let (mut accounts, mut index, mut ids) = (Vec::new(), Index::default(), HashMap::new());
    let mut notes = HashMap::new();
    for start in (0..n).step_by(1000) {
        let page: Vec<_> = (start..(start + 1000).min(n)).map(users::user).collect();
        for u in &page {
            let m = u.public_metrics.unwrap_or_default();
            let i = index.push(&Row::from_user(u, Some(NOW as i64)));
            ids.insert(u.id.parse::<u64>().unwrap(), i);
            accounts.push(OldAccount {
                id: SafeText::new_capped(&u.id, 24),
                handle: SafeText::new_capped(&u.username, 32),
                name: SafeText::new_capped(&u.name, 80),
                bio: SafeText::new_capped(u.description.as_deref().unwrap_or(""), 200),
                location: SafeText::new_capped(u.location.as_deref().unwrap_or(""), 80),
                url: SafeText::new_capped(u.url.as_deref().unwrap_or(""), 80),
                pinned: None,
                has_pin: false,
                created_at: Some(0),
                first_seen: NOW as i64,
                followers: m.followers_count,
                following: m.following_count,
                posts: m.tweet_count,
                verified: false,
                protected: false,
                standing: 0,
            });
        }
    }
    for i in (0..n as u32).step_by(100) {
        let tags = vec!["spam".to_string(), "crypto".to_string()];
        index.set_extra(i, "blocked after the thread of 3 May", &tags);
        notes.insert(i, tags);
    }
    (accounts, index, ids)
}

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`: nanoseconds, not scheduler ticks).
fn cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    if ok {
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

/// In a child process: loads `n` accounts in `layout` and prints the RSS growth per account.
fn rss_child(layout: &str, n: usize) {
    let before = rss();
    let (per, estimate) = if layout == "new" {
        let s = loaded(n);
        let grown = rss().saturating_sub(before);
        (grown as f64 / n as f64, s.memory_per_account())
    } else {
        let old = loaded_old(n);
        let grown = rss().saturating_sub(before);
        std::hint::black_box(&old);
        (grown as f64 / n as f64, 0)
    };
    println!("{per:.0} {estimate}");
}

/// Runs [`rss_child`] in a fresh process: (RSS bytes per account, the state's estimate).
fn measure_rss(layout: &str, n: usize) -> (String, String) {
    let exe = std::env::current_exe().expect("the bench binary");
    let out = std::process::Command::new(exe)
        .args(["--rss-child", layout, &n.to_string()])
        .output()
        .expect("the child runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut parts = text.split_whitespace().map(str::to_string);
    (
        parts.next().unwrap_or_else(|| "?".into()),
        parts.next().unwrap_or_else(|| "?".into()),
    )
}

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// One keystroke's cost: wall and CPU time until its complete result.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

/// Types `text` after `/`; returns, per keystroke, the time until its complete result, the
/// longest single update (what one frame waits for), then the match count.
fn type_query(s: &mut State, text: &str) -> (Vec<Cost>, Duration, usize) {
    app::update(s, key(KeyCode::Esc));
    app::update(s, key(KeyCode::Char('/')));
    let mut per_key = Vec::new();
    let mut longest = Duration::ZERO;
    for c in text.chars() {
        let (t0, c0) = (Instant::now(), cpu());
        app::update(s, key(KeyCode::Char(c)));
        longest = longest.max(t0.elapsed());
        while s.searching() {
            let t1 = Instant::now();
            app::update(s, Action::SearchStep);
            longest = longest.max(t1.elapsed());
        }
        per_key.push(Cost {
            wall: t0.elapsed(),
            cpu: cpu().saturating_sub(c0),
        });
    }
    (per_key, longest, s.view.len())
}

/// 0.1's search: nucleo fuzzy score of handle, name and bio of every account, then ranked.
fn fuzzy(texts: &[[String; 3]], query: &str) -> usize {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut found: Vec<(u32, u32)> = Vec::new();
    for (i, [handle, name, bio]) in texts.iter().enumerate() {
        let mut best = None;
        for (hay, weight) in [(handle.as_str(), 2), (name.as_str(), 2), (bio.as_str(), 1)] {
            if let Some(sc) = pattern.score(Utf32Str::new(hay, &mut buf), &mut matcher) {
                best = best.max(Some(sc * weight));
            }
        }
        if let Some(b) = best {
            found.push((b, i as u32));
        }
    }
    found.sort_unstable_by_key(|&(sc, i)| (std::cmp::Reverse(sc), i));
    found.len()
}

/// 0.1's fuzzy search typed key by key.
fn type_fuzzy(texts: &[[String; 3]], q: &str) -> (Vec<Cost>, usize) {
    let mut per_key = Vec::new();
    let mut count = 0;
    for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
        let (t0, c0) = (Instant::now(), cpu());
        count = fuzzy(texts, &q[..end]);
        per_key.push(Cost {
            wall: t0.elapsed(),
            cpu: cpu().saturating_sub(c0),
        });
    }
    (per_key, count)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// `worst wall (cpu)` of a typed query.
fn worst(per_key: &[Cost]) -> String {
    let wall = per_key.iter().map(|c| c.wall).max().unwrap_or_default();
    let cpu = per_key.iter().map(|c| c.cpu).max().unwrap_or_default();
    format!("{} wall, {} CPU", ms(wall), ms(cpu))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--rss-child") {
        let n = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        return rss_child(&args[at + 1], n);
    }
    let full = args.iter().any(|a| a == "--bench");
    let n = if full { 1_000_000 } else { 20_000 };
    println!("xblocks search bench: {n} accounts loaded");

    let (new, estimate) = measure_rss("new", n);
    let (old, _) = measure_rss("old", n);
    println!(
        "memory per loaded account (RSS growth while {n} load, 1 % with a note and tags): {new} B (goal <= 350 B); the layout before: {old} B; the state's own estimate: {estimate} B"
    );

    let mut s = loaded(n);
    let texts: Vec<[String; 3]> = (0..s.accounts.len() as u32)
        .map(|i| {
            let a = s.account(i);
            [a.handle.to_string(), a.name.to_string(), a.bio.to_string()]
        })
        .collect();
    println!("per keystroke to its complete result, worst of the keystrokes (goal < 50 ms):");
    for q in [
        "crypto",
        "gardenbot",
        "\"coffee travel\"",
        "crypto -bot followers:>50k",
        "age:>5y verified:no -news",
        "followers:1k..10k posts:=1000",
    ] {
        let (per_key, longest, count) = type_query(&mut s, q);
        println!(
            "  0.2 exact  {q:<30} {count:>8} matches: {} (each: {}); longest single update {}",
            worst(&per_key),
            per_key
                .iter()
                .map(|c| ms(c.cpu))
                .collect::<Vec<_>>()
                .join(", "),
            ms(longest)
        );
        if !q.contains(':') {
            let (per_key, count) = type_fuzzy(&texts, q);
            println!(
                "  0.1 fuzzy  {q:<30} {count:>8} \"matches\": {} (each: {})",
                worst(&per_key),
                per_key
                    .iter()
                    .map(|c| ms(c.cpu))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    for q in ["c", "crypto", "gardenbot", "crypto -bot followers:>50k"] {
        let parsed = xblocks::query::parse(q).unwrap();
        let (t0, c0) = (Instant::now(), cpu());
        let found = s.index.search(&parsed, NOW as i64).len();
        println!(
            "  evaluator alone {q:<26} {found:>8} matches in {} wall, {} CPU",
            ms(t0.elapsed()),
            ms(cpu().saturating_sub(c0))
        );
    }
}
