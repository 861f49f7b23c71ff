//! Hostile input: the corpus through the sanitiser, property tests over the API JSON parser,
//! the import-file parser and the sanitiser, the export round trip of hostile accounts (files
//! keep every byte the API sent; only the terminal gets sanitised text), and hostile import
//! files (invalid UTF-8, truncated, huge, absurd numbers) refused by line with nothing sent.

use crate::common;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::{http_get, run, Env};
use proptest::prelude::*;
use unicode_width::UnicodeWidthStr;
use xblocks::api::client::USER_FIELDS;
use xblocks::api::types::{ListResponse, SingleResponse};
use xblocks::store::import_file::{self, Target};
use xblocks::text::{sanitize, SafeText};

fn corpus() -> &'static BTreeMap<String, String> {
    static CORPUS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/corpus/hostile_strings.json"
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    })
}

/// Why `s` must not reach a terminal, if it must not.
fn unsafe_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        let u = c as u32;
        u < 0x20
            || (0x7f..=0x9f).contains(&u)
            || (0x202a..=0x202e).contains(&u)
            || (0x2066..=0x2069).contains(&u)
            || matches!(u, 0x200e | 0x200f | 0x061c)
    })
}

/// Display width as ratatui lays it out (an emoji ZWJ sequence is one wide cell).
fn cells(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn assert_displayable(raw: &str) {
    let out = sanitize(raw);
    assert_eq!(unsafe_char(&out), None, "{raw:?} sanitised to {out:?}");
    let safe = SafeText::new(raw);
    for n in [0, 1, 2, 3, 5, 10, 40, 200] {
        let fitted = safe.fit(n);
        assert_eq!(unsafe_char(&fitted), None, "{raw:?} fit({n}) = {fitted:?}");
        assert!(
            cells(&fitted) <= n && fitted.width() <= n,
            "{raw:?} fit({n}) is {} cells: {fitted:?}",
            cells(&fitted)
        );
    }
}

#[test]
fn the_corpus_is_made_displayable() {
    assert!(corpus().len() >= 25);
    for (name, raw) in corpus() {
        let out = sanitize(raw);
        assert_eq!(unsafe_char(&out), None, "{name}: {out:?}");
        assert!(!out.contains('\u{1b}'), "{name}: ESC survived");
        assert_displayable(raw);
    }
    // The payloads themselves are gone, not just their introducers.
    assert!(!sanitize(&corpus()["osc_title"]).contains("pwned"));
    assert!(!sanitize(&corpus()["osc52_clipboard"]).contains("cm0g"));
    assert_eq!(sanitize(&corpus()["csi_colour"]), "red");
}

/// Real API bodies from a hostile emulator: a block-list page, `/2/users/me`, a lookup with
/// connection status, and an error body.
fn real_bodies() -> &'static Vec<Vec<u8>> {
    static BODIES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BODIES.get_or_init(|| {
        let env = Env::start(40, |c| c.hostile = true);
        let token = env.emu().issue_token(common::SCOPES);
        let (me, _) = env.emu().me();
        let ids = env.emu().blocked_ids()[..5].join(",");
        let fields = format!("user.fields={USER_FIELDS}");
        let urls = [
            format!("/2/users/{me}/blocking?max_results=40&{fields}"),
            format!("/2/users/me?{fields}"),
            format!("/2/users?ids={ids}&{fields},connection_status"),
            "/2/users?ids=1,2".to_string(),
        ];
        urls.iter()
            .map(|u| {
                let (status, _, body) = http_get(&env, &format!("{}{u}", env.base), Some(&token));
                assert_eq!(status, 200, "{u}: {body}");
                body.into_bytes()
            })
            .collect()
    })
}

#[test]
fn real_bodies_parse() {
    let b = real_bodies();
    assert_eq!(
        serde_json::from_slice::<ListResponse>(&b[0])
            .unwrap()
            .data
            .len(),
        40
    );
    assert!(serde_json::from_slice::<SingleResponse>(&b[1])
        .unwrap()
        .data
        .is_some());
    let lookup: ListResponse = serde_json::from_slice(&b[2]).unwrap();
    assert!(lookup.data.iter().all(|u| u.connection_status.is_some()));
    assert!(!serde_json::from_slice::<ListResponse>(&b[3])
        .unwrap()
        .errors
        .is_empty());
}

#[test]
fn absurd_numbers_in_api_bodies_are_errors_not_panics() {
    let page = |metrics: &str| {
        format!(r#"{{"data":[{{"id":"1","name":"a","username":"a","public_metrics":{metrics}}}]}}"#)
    };
    for bad in [
        r#"{"followers_count":-5}"#,
        r#"{"followers_count":1e400}"#,
        r#"{"followers_count":123456789012345678901234567890}"#,
        r#"{"followers_count":"many"}"#,
    ] {
        assert!(
            serde_json::from_str::<ListResponse>(&page(bad)).is_err(),
            "{bad}"
        );
    }
    let ok: ListResponse =
        serde_json::from_str(&page(r#"{"followers_count":18446744073709551615}"#)).unwrap();
    assert_eq!(ok.data[0].public_metrics.unwrap().followers_count, u64::MAX);
    // A 25-digit id is only a string to the parser; the client refuses it before any request.
    let long: SingleResponse = serde_json::from_str(
        r#"{"data":{"id":"1234567890123456789012345","name":"x","username":"x"}}"#,
    )
    .unwrap();
    assert_eq!(long.data.unwrap().id.len(), 25);
}

/// One edit of a body: truncate, overwrite a byte, or insert bytes.
#[derive(Debug, Clone)]
enum Edit {
    Cut(usize),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
}

fn apply(body: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = body.to_vec();
    for e in edits {
        let at = |i: usize| if b.is_empty() { 0 } else { i % (b.len() + 1) };
        match e {
            Edit::Cut(i) => b.truncate(at(*i)),
            Edit::Set(i, v) => {
                if !b.is_empty() {
                    let i = i % b.len();
                    b[i] = *v;
                }
            }
            Edit::Insert(i, v) => {
                let i = at(*i);
                b.splice(i..i, v.iter().copied());
            }
        }
    }
    b
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![
        Just(b'"'),
        Just(b'{'),
        Just(b'}'),
        Just(b'['),
        Just(b']'),
        Just(b','),
        Just(b':'),
        Just(b'\\'),
        Just(b'-'),
        Just(0xff),
        any::<u8>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), interesting).prop_map(|(i, v)| Edit::Set(i, v)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Edit::Insert(i, v)),
    ]
}

/// Strings mixing corpus entries, hostile code points and arbitrary text.
fn hostile_text() -> impl Strategy<Value = String> {
    let names: Vec<String> = corpus().values().cloned().collect();
    let piece = prop_oneof![
        proptest::sample::select(names),
        any::<String>(),
        "[\u{0}-\u{9f}\u{200b}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{300}-\u{36f}\u{1f600}-\u{1f64f}\u{ff01}-\u{ff5e}a-z ]{0,12}",
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn api_parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = serde_json::from_slice::<ListResponse>(&bytes);
        let _ = serde_json::from_slice::<SingleResponse>(&bytes);
    }

    #[test]
    fn api_parser_never_panics_on_mutated_real_bodies(
        which in 0usize..4,
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let body = apply(&real_bodies()[which], &edits);
        let _ = serde_json::from_slice::<ListResponse>(&body);
        let _ = serde_json::from_slice::<SingleResponse>(&body);
    }

    #[test]
    fn import_parser_never_panics_and_reports_lines(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_import(&bytes)?;
    }

    #[test]
    fn import_parser_on_near_valid_files(
        lines in proptest::collection::vec(
            prop_oneof![
                "[0-9]{1,30}",
                "@?[A-Za-z0-9_]{0,20}",
                "-?[0-9]{1,25}(\\.[0-9])?",
                hostile_text(),
                Just("id,username".to_string()),
                Just("[{\"id\":\"12\"}".to_string()),
            ],
            0..12,
        )
    ) {
        check_import(lines.join("\n").as_bytes())?;
    }

    #[test]
    fn sanitised_text_is_displayable(raw in hostile_text(), n in 0usize..60) {
        let out = sanitize(&raw);
        prop_assert_eq!(unsafe_char(&out), None);
        let fitted = SafeText::new(&raw).fit(n);
        prop_assert_eq!(unsafe_char(&fitted), None);
        prop_assert!(cells(&fitted) <= n, "fit({}) of {:?} is {} cells", n, raw, cells(&fitted));
        prop_assert!(fitted.width() <= n);
    }
}

fn check_import(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = bytes.split(|&b| b == b'\n').count();
    match import_file::parse(bytes) {
        Ok(list) => {
            for t in &list.targets {
                match t {
                    Target::Id(id) => prop_assert!(import_file::is_id(id), "{id:?}"),
                    Target::Handle(h) => prop_assert!(import_file::is_username(h), "{h:?}"),
                }
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(
                    (1..=lines).contains(&e.line),
                    "line {} of {}: {}",
                    e.line,
                    lines,
                    e.message
                );
                prop_assert_eq!(unsafe_char(&e.message), None, "{:?}", e.message);
                prop_assert!(e.message.len() < 600, "{} bytes", e.message.len());
            }
        }
    }
    Ok(())
}

/// Every page of the block list as the API returns it, with xblocks' own `user.fields`.
fn api_users(env: &Env) -> Vec<serde_json::Value> {
    let token = env.stored()["access_token"].as_str().unwrap().to_string();
    let (me, _) = env.emu().me();
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = format!(
            "{}/2/users/{me}/blocking?max_results=1000&user.fields={USER_FIELDS}",
            env.base
        );
        if let Some(t) = &next {
            url.push_str(&format!("&pagination_token={t}"));
        }
        let (status, _, body) = http_get(env, &url, Some(&token));
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        out.extend(v["data"].as_array().unwrap().iter().cloned());
        next = v["meta"]["next_token"].as_str().map(str::to_string);
        if next.is_none() {
            return out;
        }
    }
}

#[test]
fn export_round_trips_hostile_accounts_byte_for_byte() {
    let env = Env::start(1500, |c| c.hostile = true);
    env.login();
    let api = api_users(&env);
    assert_eq!(api.len(), 1500);
    let (json, csv) = (
        env.config_dir().join("blocks.json"),
        env.config_dir().join("blocks.csv"),
    );
    for (format, file) in [("json", &json), ("csv", &csv)] {
        let mut c = env.cmd();
        c.args(["export", "--format", format, "-o"]).arg(file);
        let out = run(c);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            unsafe_char(&out.stderr.replace('\n', "")),
            None,
            "{}",
            out.stderr
        );
    }

    let exported: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(exported.len(), api.len());
    for (e, a) in exported.iter().zip(&api) {
        assert_eq!(e, a, "the json export changed an account");
    }

    let raw = std::fs::read(&csv).unwrap();
    assert!(
        raw.contains(&0x1b),
        "hostile bytes were altered in the csv file"
    );
    let mut r = csv::Reader::from_reader(raw.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), api.len());
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    for (row, a) in rows.iter().zip(&api) {
        assert_eq!(row[0], s(&a["id"]));
        assert_eq!(row[1], s(&a["username"]));
        assert_eq!(row[2], s(&a["name"]), "name changed");
        assert_eq!(row[9], s(&a["description"]), "description changed");
    }
    let hostile = api
        .iter()
        .filter(|a| unsafe_char(&format!("{}{}", s(&a["name"]), s(&a["description"]))).is_some())
        .count();
    assert!(
        hostile > 10,
        "the emulator served only {hostile} hostile accounts"
    );

    // On the terminal (ids to stdout) nothing hostile is printed.
    let mut c = env.cmd();
    c.arg("export");
    let out = run(c);
    assert_eq!(out.code, 0);
    assert!(out.stdout.lines().all(import_file::is_id));
}

/// `xblocks import FILE` for a hostile file: exit 1, the file and line named, nothing sent.
fn refused(env: &Env, name: &str, bytes: &[u8], expect: &[&str]) {
    let file = env.config_dir().join(name);
    std::fs::write(&file, bytes).unwrap();
    let before = env.emu().request_log().len();
    let mut c = env.cmd();
    c.arg("import").arg(&file);
    let out = run(c);
    assert_eq!(out.code, 1, "{name}: {}", out.stderr);
    for e in expect {
        assert!(
            out.stderr.contains(e),
            "{name}: missing `{e}` in\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
    assert_eq!(
        unsafe_char(&out.stderr.replace('\n', "")),
        None,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.len() < 8000,
        "{name}: {} bytes of errors",
        out.stderr.len()
    );
    assert_eq!(
        env.emu().request_log().len(),
        before,
        "{name}: requests were sent"
    );
}

#[test]
fn hostile_import_files_are_refused_by_line_and_nothing_is_sent() {
    let env = Env::enterprise(20);
    env.login();
    let blocked = env.emu().blocked_ids();
    let esc = corpus()["osc52_clipboard"].clone();

    refused(
        &env,
        "utf8.txt",
        b"12\n13\n\xff\xfe\n14\n",
        &["utf8.txt:3:", "UTF-8"],
    );
    refused(
        &env,
        "trunc.json",
        b"[\n  {\"id\":\"12\"},\n  {\"id\":\"1",
        &["trunc.json:3:", "JSON"],
    );
    refused(
        &env,
        "long.txt",
        b"12\n1234567890123456789012345\n",
        &["long.txt:2:", "1234567890123456789012345"],
    );
    refused(
        &env,
        "long.json",
        b"[\n  {\"id\":\"12\"},\n  {\"id\":\"1234567890123456789012345\"}\n]\n",
        &["long.json:3:", "array item 2"],
    );
    refused(&env, "neg.txt", b"12\n-5\n", &["neg.txt:2:"]);
    refused(
        &env,
        "esc.txt",
        format!("12\n{esc}\n").as_bytes(),
        &["esc.txt:2:"],
    );
    refused(
        &env,
        "long.csv",
        b"id,username\n12,a\n99999999999999999999999,b\n",
        &["long.csv:3:"],
    );
    // A huge file of bad lines: the first errors, a count of the rest, bounded output.
    let huge: String = (0..200_000).map(|i| format!("bad-{i}!\n")).collect();
    refused(
        &env,
        "huge.txt",
        huge.as_bytes(),
        &["huge.txt:1:", "and 199980 more"],
    );
    // One huge line.
    let line = "x".repeat(5_000_000);
    refused(&env, "line.txt", line.as_bytes(), &["line.txt:1:"]);

    // Absurd numbers where they do not matter are handled: negative counts in an export file.
    let file = env.config_dir().join("neg.json");
    std::fs::write(
        &file,
        format!(
            r#"[{{"id":"{}","public_metrics":{{"followers_count":-5,"tweet_count":123456789012345678901234567890}}}}]"#,
            blocked[0]
        ),
    )
    .unwrap();
    let mut c = env.cmd();
    c.arg("import").arg(&file);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("already blocked: 1"), "{}", out.stdout);
    assert_eq!(env.emu().blocked_ids(), blocked);
}
