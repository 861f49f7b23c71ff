//! The `--json` convention for scripts. With `--json` a command prints exactly one JSON document
//! on stdout (its documented shape, README "Scripting") and nothing else there; an error is one
//! line on stderr, `{"error": "…", "exit": N}`, and the process exits with that same code N.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::exit::Exit;

/// The flag every command that scripts can read takes.
pub const FLAG: &str = "--json";

/// True when the command line asks for JSON: `--json` appears before any `--` (after which
/// arguments are data, not flags). Decided from the raw arguments so that usage errors, which
/// clap finds before any command runs, are JSON too.
pub fn requested<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    args.into_iter()
        .map(Into::into)
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == FLAG)
}

/// Prints `value` as the command's one JSON document on stdout (pretty-printed, then a newline).
pub fn print<T: Serialize + ?Sized>(value: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The error document: `{"error": message, "exit": code}`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ErrorDoc<'a> {
    /// What happened and what to do next (the text the plain error line shows, no prefix).
    pub error: &'a str,
    /// The process exit code.
    pub exit: u8,
}

/// The error document as one line of JSON.
pub fn error_line(message: &str, code: u8) -> String {
    let doc = ErrorDoc {
        error: message.trim(),
        exit: code,
    };
    serde_json::to_string(&doc).unwrap_or_else(|_| format!("{{\"error\":\"\",\"exit\":{code}}}"))
}

/// Prints the error document on stderr (never panics when stderr hung up).
pub fn print_error(message: &str, code: Exit) {
    let _ = writeln!(std::io::stderr(), "{}", error_line(message, code as u8));
}

/// A command line clap refused. With `--json` the refusal is the error document (exit 2, as
/// clap exits); help and version requests print as usual.
pub fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    let informational = matches!(
        err.kind(),
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if informational || !requested(std::env::args_os()) {
        err.exit();
    }
    let rendered = err.render().to_string();
    let first = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid arguments");
    let message = first.strip_prefix("error: ").unwrap_or(first);
    let code = u8::try_from(err.exit_code()).unwrap_or(Exit::Usage as u8);
    let _ = writeln!(std::io::stderr(), "{}", error_line(message, code));
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_requested_only_before_the_separator() {
        assert!(requested(["xblocks", "queue", "--json"]));
        assert!(requested(["xblocks", "--json", "stats"]));
        assert!(!requested(["xblocks", "queue"]));
        assert!(!requested(["xblocks", "note", "x", "--", "--json"]));
        assert!(!requested(["--json"]), "the program name is not a flag");
        assert!(!requested(["xblocks", "--json-ish"]));
    }

    #[test]
    fn error_line_is_one_line_of_json_with_the_code() {
        let line = error_line("not signed in\nrun `xblocks login`\n", 77);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["exit"], 77);
        assert_eq!(v["error"], "not signed in\nrun `xblocks login`");
        assert_eq!(v.as_object().unwrap().len(), 2);
    }
}
