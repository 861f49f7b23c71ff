//! Snapshots of every pane and state, drawn into ratatui's `TestBackend` through the public API.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use xblocks::api::types::{PublicMetrics, Tweet, User};
use xblocks::app::{self, Action, Capability, Keymap, State};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

fn user(i: usize) -> User {
    User {
        id: (1_500_000_000_000_000_000u64 + i as u64).to_string(),
        username: format!("account_{i}"),
        name: format!("Account Number {i}"),
        description: Some(format!(
            "Bio of account {i}: posts about gardening, trains and the weather in spring."
        )),
        created_at: Some("2015-06-01T12:00:00.000Z".into()),
        location: Some("Lisbon".into()),
        url: Some("https://t.co/abc".into()),
        verified: Some(i.is_multiple_of(3)),
        protected: Some(i.is_multiple_of(5)),
        public_metrics: Some(PublicMetrics {
            followers_count: (i as u64 * 7919) % 2_000_000,
            following_count: 321,
            tweet_count: 45_678,
            listed_count: 2,
        }),
        ..Default::default()
    }
}

fn hostile_users() -> Vec<User> {
    let raw = [
        (
            "rtl",
            "\u{202E}evil\u{202C} name",
            "bio \u{2066}isolated\u{2069} text",
        ),
        (
            "esc",
            "\x1b[2J\x1b[31mRED\x1b[0m",
            "title \x1b]0;pwned\x07 osc and \x1b]52;c;aGk=\x07 clipboard",
        ),
        (
            "cjk",
            "漢字漢字漢字漢字漢字漢字漢字漢字漢字",
            "全角文字のバイオ、とても長いテキストで折り返しを確認します。",
        ),
        (
            "zalgo",
            "Z\u{0351}\u{0352}\u{0353}\u{0354}\u{0355}a\u{0301}\u{0302}\u{0303}lgo",
            "combining\u{0300}\u{0301}\u{0302}\u{0303}\u{0304}",
        ),
        (
            "emoji",
            "👨\u{200D}👩\u{200D}👧 family 🏳\u{FE0F}\u{200D}🌈",
            "line1\nline2\r\n\tline3",
        ),
        (
            "c1",
            "\u{9b}31mC1 csi\u{85}next",
            "\u{90}dcs payload\u{9c} after",
        ),
        ("blank", "\x1b[2J\u{202E}\u{200B}", ""),
    ];
    raw.iter()
        .enumerate()
        .map(|(i, (h, n, b))| User {
            id: (900 + i).to_string(),
            username: h.to_string(),
            name: n.to_string(),
            description: Some(b.to_string()),
            location: Some("\x1b[5mblink\x1b[0m\u{200F}".into()),
            ..Default::default()
        })
        .collect()
}

fn page(users: Vec<User>, next: Option<&str>) -> Action {
    Action::PageLoaded {
        first: true,
        users,
        pinned: HashMap::new(),
        next_token: next.map(str::to_string),
    }
}

fn state(w: u16, h: u16) -> State {
    let mut s = State::new("me_myself", "default", Keymap::default(), now());
    app::update(&mut s, Action::Resize(w, h));
    app::update(&mut s, Action::Capability(Capability::Full));
    s
}

fn loaded(w: u16, h: u16, n: usize, more: bool) -> State {
    let mut s = state(w, h);
    app::start(&mut s);
    app::update(
        &mut s,
        page((0..n).map(user).collect(), more.then_some("next")),
    );
    s
}

fn key(s: &mut State, c: char) {
    app::update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
}

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    t.draw(|f| xblocks::ui::render(s, f)).unwrap();
    t
}

#[test]
fn loading() {
    let mut s = state(80, 12);
    app::start(&mut s);
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn empty() {
    let mut s = state(80, 12);
    app::start(&mut s);
    app::update(&mut s, page(vec![], None));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn list_first_page_with_more() {
    let mut s = loaded(80, 24, 1000, true);
    key(&mut s, ' ');
    key(&mut s, 'j');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn list_end_with_loading_row() {
    let mut s = loaded(80, 16, 1000, true);
    key(&mut s, 'G');
    assert!(s.loading);
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn wide_with_detail_and_pinned_post() {
    let mut s = state(120, 30);
    let mut u = user(7);
    u.pinned_tweet_id = Some("55".into());
    let mut pinned = HashMap::new();
    pinned.insert(
        "55".to_string(),
        Tweet {
            id: "55".into(),
            text: "My pinned post\x1b[8m hidden? no.".into(),
            created_at: None,
        },
    );
    app::update(
        &mut s,
        Action::PageLoaded {
            first: true,
            users: vec![user(3), u, user(12)],
            pinned,
            next_token: None,
        },
    );
    key(&mut s, 'j');
    insta::assert_snapshot!(draw(&s).backend());
}

/// A plan of a full sync over `listed` accounts, `seen_today` of them read today.
fn full_plan(listed: u64, seen_today: u64) -> app::sync_status::SyncPlan {
    let facts = xblocks::sync::plan::Facts {
        listed,
        seen_today,
        complete: true,
        spent_today: xblocks::api::price::Usd::from_dollars(1.25),
    };
    let plan = xblocks::sync::Plan::new(true, listed, seen_today, &Default::default(), None, now());
    app::sync_status::SyncPlan { plan, facts }
}

#[test]
fn confirm_full_sync_shows_the_plan() {
    let mut s = loaded(80, 24, 50, false);
    s.snapshots.sync.daily_cap = Some(xblocks::api::price::Usd::from_dollars(60.0));
    key(&mut s, 'R');
    app::update(&mut s, Action::SyncPlanned(full_plan(50_000, 20_000)));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn full_sync_progress_and_the_pinned_post_hint() {
    let mut s = state(120, 30);
    s.snapshots.sync.last_full = Some(now() - Duration::from_secs(2 * 86_400));
    app::start(&mut s);
    let mut u = user(7);
    u.pinned_tweet_id = Some("55".into());
    app::update(&mut s, page(vec![user(3), u, user(12)], None));
    key(&mut s, 'j');
    key(&mut s, 'R');
    app::update(&mut s, Action::SyncPlanned(full_plan(50_000, 0)));
    key(&mut s, 'y');
    app::update(
        &mut s,
        Action::SyncPage {
            pages: 12,
            accounts: 12_000,
            users: Vec::new(),
        },
    );
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn error_page_failed() {
    let mut s = state(80, 12);
    app::start(&mut s);
    app::update(
        &mut s,
        Action::PageFailed("The X API answered 503 (server error).".into()),
    );
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn rate_limit_wait_countdown() {
    let mut s = loaded(100, 14, 1000, true);
    key(&mut s, 'G');
    app::update(
        &mut s,
        Action::RateWaiting {
            endpoint: "GET /2/users/:id/blocking".into(),
            until: now() + Duration::from_secs(75),
            bad_reset: false,
        },
    );
    app::update(&mut s, Action::Tick(now() + Duration::from_secs(3)));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn confirm_single_unblock() {
    let mut s = loaded(80, 24, 50, false);
    key(&mut s, 'u');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn confirm_bulk_type_back_with_eta() {
    let mut s = loaded(80, 24, 200, false);
    s.window_secs = 900;
    key(&mut s, 'V');
    app::update(
        &mut s,
        Action::Budget {
            limit: 50,
            remaining: 10,
            reset: now() + Duration::from_secs(120),
        },
    );
    key(&mut s, 'u');
    key(&mut s, '2');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn confirm_mute_with_a_duration() {
    let mut s = loaded(80, 24, 50, false);
    key(&mut s, ' ');
    key(&mut s, ' ');
    key(&mut s, 'm');
    insta::assert_snapshot!("confirm_mute_for_good", draw(&s).backend());
    key(&mut s, 'd');
    key(&mut s, 'd');
    insta::assert_snapshot!("confirm_mute_for_7_days", draw(&s).backend());
    let mut s = loaded(120, 40, 50, false);
    key(&mut s, 'm');
    key(&mut s, 'd');
    insta::assert_snapshot!("confirm_mute_for_1_day_wide", draw(&s).backend());
}

#[test]
fn read_only_unblock_offers_later_and_mute() {
    let mut s = loaded(80, 12, 20, false);
    app::update(
        &mut s,
        Action::Capability(Capability::ReadOnly {
            reason: "block writes need the Enterprise plan.".into(),
        }),
    );
    key(&mut s, 'u');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn help_overlay() {
    let mut s = loaded(80, 30, 20, false);
    key(&mut s, '?');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn search_in_progress() {
    let mut s = loaded(80, 14, 300, false);
    key(&mut s, '/');
    for c in "ccount_12".chars() {
        key(&mut s, c);
    }
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn block_by_handle_prompt() {
    let mut s = loaded(80, 12, 20, false);
    key(&mut s, 'b');
    for c in "someone".chars() {
        key(&mut s, c);
    }
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn hostile_strings_stay_inside_the_borders() {
    let mut s = state(120, 20);
    app::update(&mut s, page(hostile_users(), None));
    key(&mut s, 'j');
    let t = draw(&s);
    for cell in t.backend().buffer().content() {
        let sym = cell.symbol();
        assert!(
            !sym.chars().any(|c| c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200C}' | '\u{200E}'..='\u{200F}')),
            "{sym:?}"
        );
        // A joiner only inside an emoji sequence drawn as one wide cell.
        if sym.contains('\u{200D}') {
            assert_eq!(unicode_width::UnicodeWidthStr::width(sym), 2, "{sym:?}");
        }
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn tiny_40x10() {
    let mut s = loaded(40, 10, 1000, true);
    key(&mut s, 'j');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn tiny_40x10_confirm_and_help() {
    let mut s = loaded(40, 10, 10, false);
    key(&mut s, 'u');
    insta::assert_snapshot!("tiny_confirm", draw(&s).backend());
    key(&mut s, 'n');
    key(&mut s, '?');
    insta::assert_snapshot!("tiny_help", draw(&s).backend());
}

#[test]
fn never_panics_at_any_size() {
    let mut base = loaded(80, 24, 50, true);
    app::update(&mut base, page(hostile_users(), Some("n")));
    for (w, h) in (0..=130)
        .step_by(7)
        .flat_map(|w| (0..=45).step_by(4).map(move |h| (w, h)))
    {
        for mode in ['x', 'u', '?', 'b', '/'] {
            let mut s = base.clone();
            app::update(&mut s, Action::Resize(w, h));
            key(&mut s, mode);
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| xblocks::ui::render(&s, f)).unwrap();
        }
    }
}

#[test]
fn no_color_draws_without_colours() {
    let mut s = loaded(100, 20, 30, false);
    s.no_color = true;
    key(&mut s, ' ');
    app::update(&mut s, Action::PageFailed("boom.".into()));
    let t = draw(&s);
    for cell in t.backend().buffer().content() {
        assert_eq!(cell.fg, Color::Reset);
        assert_eq!(cell.bg, Color::Reset);
    }
    let coloured = draw(&{
        let mut c = s.clone();
        c.no_color = false;
        c
    });
    assert!(coloured
        .backend()
        .buffer()
        .content()
        .iter()
        .any(|c| c.fg != Color::Reset || c.bg != Color::Reset));
}

/// A wide character just left of an overlay is blanked, so it cannot spill into the border.
#[test]
fn overlay_blanks_a_wide_char_straddling_its_left_edge() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    buf.set_string(0, 0, "ab🌻cdef", ratatui::style::Style::default());
    xblocks::ui::clear_overlay(Rect::new(3, 0, 4, 1), &mut buf);
    assert_eq!(buf[(2, 0)].symbol(), " ");
    assert_eq!(buf[(1, 0)].symbol(), "b");
}

#[test]
fn the_demo_shows_a_demo_badge_instead_of_the_profile() {
    let mut s = loaded(100, 20, 5, false);
    let plain = draw(&s).backend().to_string();
    assert!(
        plain.contains("default ·") && !plain.contains("DEMO"),
        "{plain}"
    );
    s.demo = true;
    let demo = draw(&s).backend().to_string();
    assert!(
        demo.contains(" DEMO ") && !demo.contains("default ·"),
        "{demo}"
    );
}

#[test]
fn a_crowded_status_bar_keeps_the_sync_state_visible_at_80_columns() {
    let mut s = loaded(80, 24, 2000, false);
    s.capability = Capability::Unknown;
    s.snapshots.cached = Some("2026-12-01T13:05:00Z".into());
    s.snapshots.sync.phase = app::sync_status::SyncPhase::Offline;
    s.snapshots.sync.spent_today = xblocks::api::price::Usd::from_dollars(2.0);
    let t = draw(&s);
    let buf = t.backend().buffer();
    let status: String = (0..80).map(|x| buf[(x, 23)].symbol().to_string()).collect();
    assert!(
        status.contains("· cached · offline · $2.000 today"),
        "{status}"
    );
    assert!(
        !status.contains("default"),
        "the profile goes first: {status}"
    );
}
