//! The TUI entry points through the binary, without a terminal: clear errors and exit codes.

use assert_cmd::Command;
use predicates::str::contains;

#[test]
fn tui_without_sign_in_says_to_log_in_and_exits_77() {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--config-dir", dir.path().to_str().unwrap()])
        .env_remove("XBLOCKS_ACCESS_TOKEN")
        .assert()
        .code(77)
        .stderr(contains("xblocks login"))
        .stderr(contains("or try `xblocks demo`"));
}

#[test]
fn another_profile_not_signed_in_names_it_in_the_login_hint() {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--config-dir", dir.path().to_str().unwrap()])
        .args(["--profile", "foo", "whoami"])
        .env_remove("XBLOCKS_ACCESS_TOKEN")
        .assert()
        .code(77)
        .stderr(contains("`xblocks --profile foo login`"));
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let out = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rest = text
        .trim()
        .strip_prefix(concat!("xblocks ", env!("CARGO_PKG_VERSION"), " (commit "))
        .unwrap_or_else(|| panic!("{text}"));
    let (commit, date) = rest
        .split_once(", built ")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
    let date = date.strip_suffix(')').unwrap();
    assert_eq!(date.len(), 10, "{text}");
    assert!(
        date.chars().all(|c| c.is_ascii_digit() || c == '-'),
        "{text}"
    );
}

/// `--help` follows the conventions: examples everywhere, globals under their own heading and
/// hidden where they mean nothing, every import format named.
#[test]
fn help_has_examples_and_a_global_options_heading() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_xblocks"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    for cmd in [
        "login", "whoami", "export", "import", "undo", "block", "mute", "demo",
    ] {
        assert!(help(&[cmd]).contains("Examples:\n  $ xblocks"), "{cmd}");
    }
    let export = help(&["export"]);
    assert!(export.contains("Global options:") && export.contains("--api-base"));
    for cmd in ["demo", "emulator", "completions"] {
        let h = help(&[cmd]);
        assert!(
            !h.contains("--api-base") && !h.contains("--profile"),
            "{cmd}: {h}"
        );
    }
    let import = help(&["import"]);
    for format in [
        "ids",
        "@handles",
        "profile URLs",
        "csv",
        "export --format json",
        "archive",
        "stdin",
    ] {
        assert!(
            import.contains(format),
            "import --help lacks {format}: {import}"
        );
    }
    assert!(!help(&["mute"]).contains("available on pay-per-use"));
}

#[test]
fn tui_without_a_terminal_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--config-dir", dir.path().to_str().unwrap()])
        .args(["--api-base", "http://127.0.0.1:9"])
        .env("XBLOCKS_ACCESS_TOKEN", "unused")
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn demo_without_a_terminal_is_a_usage_error() {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["demo", "--users", "10"])
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn demo_with_a_bad_fault_spec_is_a_usage_error() {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["demo", "--faults", "5xx=7"])
        .assert()
        .code(2)
        .stderr(contains("--faults"));
}

/// `xblocks` with a config file that can't be used: one line naming the file, exit 1, before
/// anything else happens (no sign-in, no terminal needed).
#[test]
fn a_bad_config_is_one_line_naming_the_file() {
    let cases: &[(&[u8], &str)] = &[
        (b"[keys]\nquit = \"j\"\nmark = \"j\"\n", "is also bound to"),
        (b"[keys]\ndown = \"?\"\n", "`?` is help's only key"),
        (b"[keys]\nbogus = \"x\"\n", "[keys] bogus: no such action"),
        (b"[keys]\nup = \"Hyper-k\"\n", "`Hyper-k` is not a key name"),
        (b"client_id = \"\xff\"\n", "not UTF-8"),
        (b"[keys\n", "not valid TOML"),
        (b"[billing]\ndaly_cap = 1\n", "unknown field at line 2"),
    ];
    for (text, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_xblocks"))
            .args(["--config-dir", dir.path().to_str().unwrap()])
            .env("XBLOCKS_ACCESS_TOKEN", "unused")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(want), "{want}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}
