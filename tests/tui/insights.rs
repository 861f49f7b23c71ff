//! Snapshots of the insights view (`I`) at 80×24 and 120×40, in colour and under NO_COLOR.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use xblocks::api::types::{PublicMetrics, User};
use xblocks::app::{self, Action, Keymap, Mode, State};

const NOW: u64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn user(i: u64) -> User {
    // Spread creation dates over 15 years and followers over seven orders of magnitude.
    let created = NOW - (i * 7_919 % (15 * 365)) * 86_400;
    let created = time::OffsetDateTime::from_unix_timestamp(created as i64)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    User {
        id: (1_000 + i).to_string(),
        username: format!("acct_{i}"),
        name: format!("Account {i}"),
        created_at: (!i.is_multiple_of(17)).then_some(created),
        public_metrics: Some(PublicMetrics {
            followers_count: [0, 3, 42, 420, 4_200, 42_000, 420_000, 4_200_000][(i % 8) as usize]
                + i % 5,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn state(size: (u16, u16), no_color: bool) -> State {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let mut s = State::new("me", "default", Keymap::default(), now);
    s.no_color = no_color;
    app::update(&mut s, Action::Resize(size.0, size.1));
    app::update(
        &mut s,
        Action::PageLoaded {
            first: true,
            users: (0..400).map(user).collect(),
            pinned: Default::default(),
            next_token: None,
        },
    );
    // First seen over the last 14 months, more recently more often.
    for i in 0..s.accounts.len() as u32 {
        let months_ago = (i as i64 * i as i64) % 197 / 14;
        let t = NOW as i64 - months_ago * 30 * 86_400 - 3_600;
        s.index.set_first_seen(i, Some(t));
    }
    // Tags on a tenth of the accounts, a few kept.
    for i in 0..40u32 {
        let tags = match i % 3 {
            0 => vec!["spam".to_string()],
            1 => vec!["bot".to_string(), "spam".to_string()],
            _ => vec!["harassment".to_string()],
        };
        app::notes::set(
            &mut s,
            i,
            app::notes::Annotation {
                note: String::new(),
                tags,
            },
        );
        if i % 8 == 0 {
            s.index.set_flag(i, xblocks::query::Flag::Kept, true);
        }
    }
    app::update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('I'), KeyModifiers::SHIFT)),
    );
    assert!(matches!(s.mode, Mode::Insights(_)));
    s
}

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    t.draw(|f| xblocks::ui::render(s, f)).unwrap();
    t
}

#[test]
fn insights_80x24() {
    let s = state((80, 24), false);
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn insights_120x40() {
    let s = state((120, 40), false);
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn insights_80x24_no_color_has_the_same_bars_and_no_colour() {
    let plain = draw(&state((80, 24), true));
    let coloured = draw(&state((80, 24), false));
    let buf = plain.backend().buffer();
    assert_eq!(
        buf.content.iter().map(|c| c.symbol()).collect::<String>(),
        coloured
            .backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect::<String>(),
        "the same picture without colour"
    );
    assert!(buf
        .content
        .iter()
        .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset));
    assert!(
        buf.content.iter().any(|c| c.symbol() == "█"),
        "bars are drawn"
    );
}

#[test]
fn esc_closes_insights_and_counts_follow_the_session() {
    let mut s = state((80, 24), false);
    app::update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert_eq!(s.mode, Mode::Normal);
    let _ = SystemTime::now();
}
