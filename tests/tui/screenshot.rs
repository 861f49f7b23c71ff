//! `assets/screenshot.txt`: the demo's first screen drawn by the real renderer from the demo's
//! seeded accounts (fetched from the emulator over HTTP), at a fixed clock. `XBLOCKS_BLESS=1`
//! rewrites it; the test fails when the UI changed and the picture did not.

use std::time::{Duration, UNIX_EPOCH};

use futures::StreamExt;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use xblocks::api::pagination::{pages, ListKind};
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{self, Action, Capability, Keymap, State};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};

use crate::fixtures::SCOPES;

/// 2026-12-01T12:00:00Z.
const NOW: u64 = 1_796_126_400;

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_screenshot_in_assets_is_current() {
    let emu = emulator::start(Config::default()).await.unwrap();
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(emu.issue_token(SCOPES), None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me_id, me) = emu.me();
    let mut stream = std::pin::pin!(pages(client, ListKind::Blocking, me_id, None));
    let first = stream
        .next()
        .await
        .expect("a page")
        .expect("the first page");
    emu.shutdown().await;

    let mut s = State::new(
        &me,
        "default",
        Keymap::default(),
        UNIX_EPOCH + Duration::from_secs(NOW),
    );
    app::update(&mut s, Action::Resize(100, 30));
    app::update(&mut s, Action::Capability(Capability::Full));
    app::start(&mut s);
    app::update(
        &mut s,
        Action::PageLoaded {
            first: true,
            users: first.page.users,
            pinned: Default::default(),
            next_token: first.page.next_token,
        },
    );
    for _ in 0..3 {
        app::update(
            &mut s,
            Action::Key(crossterm::event::KeyCode::Char('j').into()),
        );
    }
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| xblocks::ui::render(&s, f)).unwrap();
    let buf = t.backend().buffer();
    let picture: String = (0..buf.area.height)
        .map(|y| {
            let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            row.trim_end().to_string() + "\n"
        })
        .collect();

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/screenshot.txt");
    if std::env::var_os("XBLOCKS_BLESS").is_some() {
        std::fs::write(path, &picture).unwrap();
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        stored == picture,
        "assets/screenshot.txt is stale (the UI changed): regenerate it with \
         `XBLOCKS_BLESS=1 cargo test --test tui screenshot` and commit it; now:\n{picture}"
    );
    assert!(picture.contains(&format!("@{me}")));
}
