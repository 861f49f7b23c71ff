//! The whole app in process: the real event loop, `update`, `render` and worker against the
//! emulator on 127.0.0.1, with keys fed as a stream and frames drawn into a `TestBackend`.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{unbounded, UnboundedSender};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{Action, Capability, Keymap, State};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::paths::Paths;
use xblocks::tui::event_loop::{self, Ending};
use xblocks::tui::Screen;
use xblocks::worker::{self, durable::Durable};

use crate::fixtures::SCOPES;

/// A `TestBackend` whose every frame is copied out as text, and a count of frames drawn.
struct Recorder {
    term: Terminal<TestBackend>,
    frame: Arc<Mutex<(String, usize)>>,
}

impl Screen for Recorder {
    fn size(&self) -> io::Result<(u16, u16)> {
        Screen::size(&self.term)
    }
    fn draw(&mut self, state: &State) -> io::Result<()> {
        Screen::draw(&mut self.term, state)?;
        let buf = self.term.backend().buffer();
        let text: String = (0..buf.area.height)
            .map(|y| {
                let row: String = (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect();
                row + "\n"
            })
            .collect();
        let mut f = self.frame.lock().unwrap();
        *f = (text, f.1 + 1);
        Ok(())
    }
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}

fn key(keys: &UnboundedSender<io::Result<Event>>, c: char) {
    let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    keys.unbounded_send(Ok(Event::Key(k))).unwrap();
}

async fn wait_for(frame: &Mutex<(String, usize)>, what: &str, pred: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = frame.lock().unwrap().0.clone();
        if pred(&screen) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_in_frames_out_an_unblock_reaches_the_emulator() {
    let emu = emulator::start(Config {
        users: 120,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let (me_id, me) = emu.me();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(Some(dir.path()), "default");
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let durable = Durable::open(&paths.profile_dir).expect("the queue opens");
    let (actions_tx, actions_rx) = mpsc::unbounded_channel();
    let worker = worker::spawn_with(
        client,
        me_id,
        actions_tx.clone(),
        Some(durable),
        Some(worker::Local::new(&paths.profile_dir)),
    );
    let mut state = State::new(&me, "default", Keymap::default(), SystemTime::now());
    xblocks::app::update(&mut state, Action::Capability(Capability::Full));
    let frame = Arc::new(Mutex::new((String::new(), 0)));
    let mut screen = Recorder {
        term: Terminal::new(TestBackend::new(100, 30)).unwrap(),
        frame: frame.clone(),
    };
    let (keys, events) = unbounded();
    let app = tokio::spawn(async move {
        let ending = event_loop::run(
            &mut screen,
            events,
            &mut state,
            worker,
            actions_tx,
            actions_rx,
        )
        .await;
        (ending.map_err(|e| e.to_string()), state)
    });

    let newest = emu.blocked_ids()[0].clone();
    wait_for(&frame, "the first page", |s| s.contains("120 loaded")).await;
    assert!(frame.lock().unwrap().0.contains(&format!("@{me}")));

    // The selected row is the newest block: u asks, y sends it through the durable queue.
    key(&keys, 'u');
    wait_for(&frame, "the confirm", |s| s.contains("Unblock 1 account?")).await;
    key(&keys, 'y');
    wait_for(&frame, "the unblock", |s| s.contains("Unblocked @")).await;
    assert!(
        !emu.blocked_ids().contains(&newest),
        "the newest block was unblocked"
    );
    assert_eq!(
        emu.blocked_ids().len(),
        119,
        "exactly one account unblocked"
    );

    // Many keys at once are drawn as one frame, not one frame each.
    let before = frame.lock().unwrap().1;
    for _ in 0..40 {
        key(&keys, 'j');
    }
    wait_for(&frame, "the cursor to move", |s| s.contains(" 41/")).await;
    let drawn = frame.lock().unwrap().1 - before;
    assert!(drawn < 40, "40 queued keys took {drawn} frames");

    key(&keys, 'q');
    let (ending, state) = tokio::time::timeout(Duration::from_secs(30), app)
        .await
        .expect("q ends the loop")
        .unwrap();
    assert_eq!(ending.unwrap(), Ending::Quit);
    assert_eq!(state.pending(), 0);
    emu.shutdown().await;
}
