//! TUI figures: frame render time with 1,000,000 accounts loaded vs 1,000, key-to-frame latency
//! during a rate-limit wait, bytes written for a one-row scroll at 120×40, memory per account.
//!
//! Run: `cargo bench --bench render` (prints figures; no assertions). Under `cargo test` (no
//! `--bench` argument) it runs a quick smoke pass with 20,000 accounts instead of 1,000,000.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::Terminal;
use xblocks::app::{self, Action, Capability, Keymap, State};

/// Counts live heap bytes so memory per account is measured, not estimated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - layout.size() as isize, Ordering::Relaxed);
        System.realloc(ptr, layout, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[path = "support/users.rs"]
mod users;
use users::user;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

fn loaded(n: usize) -> State {
    let mut s = State::new("me", "default", Keymap::default(), now());
    app::update(&mut s, Action::Resize(120, 40));
    app::update(&mut s, Action::Capability(Capability::Full));
    let mut i = 0;
    while i < n {
        let count = 1000.min(n - i);
        app::update(
            &mut s,
            Action::PageLoaded {
                first: i == 0,
                users: (i..i + count).map(user).collect(),
                pinned: HashMap::new(),
                next_token: (i + count < n).then(|| "more".to_string()),
            },
        );
        s.loading = false;
        i += count;
    }
    s
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Mean and max time to draw one frame, over `frames` frames, cursor in the middle.
fn frame_time(s: &mut State, frames: u32) -> (Duration, Duration) {
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mid = s.view.len() / 2;
    s.cursor = mid;
    s.offset = mid.saturating_sub(10);
    let mut max = Duration::ZERO;
    let start = Instant::now();
    for i in 0..frames {
        // Alternate the cursor so each frame has real changes to diff.
        s.cursor = mid + (i as usize % 2);
        let f0 = Instant::now();
        t.draw(|f| xblocks::ui::render(s, f)).unwrap();
        max = max.max(f0.elapsed());
    }
    (start.elapsed() / frames, max)
}

/// A `Write` that counts bytes.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes sent to a real terminal backend for the frame after `action`.
fn bytes_for(s: &mut State, action: Action) -> usize {
    let counter = Counter::default();
    let mut t = Terminal::new(CrosstermBackend::new(counter.clone())).unwrap();
    t.resize(ratatui::layout::Rect::new(0, 0, 120, 40)).unwrap();
    t.draw(|f| xblocks::ui::render(s, f)).unwrap();
    *counter.0.lock().unwrap() = 0;
    app::update(s, action);
    t.draw(|f| xblocks::ui::render(s, f)).unwrap();
    let n = *counter.0.lock().unwrap();
    n
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 1_000_000 } else { 20_000 };
    let big_label = if full {
        "1,000,000"
    } else {
        "20,000 (smoke run)"
    };
    println!("xblocks TUI render bench (120x40)");

    let before = LIVE.load(Ordering::Relaxed);
    let mut small = loaded(1_000);
    let small_bytes = LIVE.load(Ordering::Relaxed) - before;
    let before = LIVE.load(Ordering::Relaxed);
    let mut big = loaded(n);
    let big_bytes = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "memory per loaded account: {} B measured at 1,000 accounts, {} B at {big_label} (estimate from state: {} B)",
        small_bytes / 1_000,
        big_bytes / n as isize,
        big.memory_per_account()
    );

    let (mean_small, max_small) = frame_time(&mut small, 300);
    let (mean_big, max_big) = frame_time(&mut big, 300);
    println!(
        "frame render: {:?} mean / {:?} max with 1,000 accounts; {:?} mean / {:?} max with {big_label}",
        mean_small, max_small, mean_big, max_big
    );

    // Key-to-frame while a rate-limit wait runs and a page is in flight.
    app::update(
        &mut big,
        Action::RateWaiting {
            endpoint: "GET /2/users/:id/blocking".into(),
            until: now() + Duration::from_secs(600),
            bad_reset: false,
        },
    );
    big.loading = true;
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut max = Duration::ZERO;
    let n = 300;
    let start = Instant::now();
    for i in 0..n {
        let k0 = Instant::now();
        let _ = app::update(&mut big, key(if i % 2 == 0 { 'j' } else { 'k' }));
        t.draw(|f| xblocks::ui::render(&big, f)).unwrap();
        max = max.max(k0.elapsed());
    }
    println!(
        "key-to-frame (update + render) during a rate-limit wait, {big_label} loaded: {:?} mean / {:?} max",
        start.elapsed() / n,
        max
    );

    // Fuzzy search over all loaded accounts: each keystroke scores one slice (keys stay
    // responsive); the event loop then feeds slices until the scan completes.
    big.waits.clear();
    app::update(&mut big, key('/'));
    let mut per_key = Vec::new();
    let mut slowest_slice = Duration::ZERO;
    let total = Instant::now();
    for c in "crypto".chars() {
        let t0 = Instant::now();
        app::update(&mut big, key(c));
        per_key.push(t0.elapsed());
        while big.searching() {
            let t1 = Instant::now();
            app::update(&mut big, Action::SearchStep);
            slowest_slice = slowest_slice.max(t1.elapsed());
        }
    }
    println!(
        "search over {big_label} accounts (typing \"crypto\", {} matches): keystroke {:?}; slowest slice {:?}; all six complete in {:?}",
        big.view.len(),
        per_key,
        slowest_slice,
        total.elapsed()
    );

    // Sorting every loaded account (a key press that reorders everything).
    app::update(
        &mut big,
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    let mut sorts = Vec::new();
    for _ in 0..3 {
        let t0 = Instant::now();
        app::update(&mut big, key('s'));
        sorts.push((big.sort.label(), t0.elapsed()));
    }
    println!("sort {big_label} accounts: {sorts:?}");

    // Bytes to the terminal: cursor one row down inside the window, and a one-row scroll.
    let mut s = loaded(5_000);
    s.cursor = 10;
    s.offset = 0;
    let move_bytes = bytes_for(&mut s, key('j'));
    let rows = s.list_rows();
    s.cursor = rows - 1;
    s.offset = 0;
    let scroll_bytes = bytes_for(&mut s, key('j'));
    s.show_detail = true; // hide the detail pane on a wide terminal
    s.cursor = rows - 1;
    s.offset = 0;
    let scroll_list_only = bytes_for(&mut s, key('j'));
    println!(
        "bytes written at 120x40: {move_bytes} B for a cursor move of one row; {scroll_bytes} B for a one-row scroll of the list (with detail pane); {scroll_list_only} B for a one-row scroll with the detail hidden"
    );
}
