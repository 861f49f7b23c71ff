//! Parsing of import files: numeric ids, `@handle`s, profile URLs, CSV with an `id` or
//! `username` column, the JSON array `xblocks export --format json` writes, and X's archive
//! (`data/block.js`, `data/mute.js`, or the archive `.zip` itself). The format is detected from
//! the content; any malformed line makes the whole file fail with its line number, so nothing
//! runs.

use std::collections::HashSet;
use std::fmt;

/// One account named by an import file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A numeric user id.
    Id(String),
    /// A username without `@`, lower-cased for comparison.
    Handle(String),
}

impl Target {
    /// Parses `@name`, `name`, a numeric id or a profile URL (`https://x.com/NAME`,
    /// `twitter.com`, `mobile.twitter.com`, `…/intent/user?user_id=ID`), as typed on the
    /// command line.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if is_id(s) {
            return Ok(Self::Id(s.to_string()));
        }
        if let Some(url) = profile_url(s) {
            return url;
        }
        let name = s.strip_prefix('@').unwrap_or(s);
        if is_username(name) {
            return Ok(Self::Handle(name.to_ascii_lowercase()));
        }
        Err(format!(
            "`{}` is not an @username (1–15 letters, digits, _) or a numeric id",
            printable(s)
        ))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id),
            Self::Handle(h) => write!(f, "@{h}"),
        }
    }
}

/// The detected format of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One id or handle per line.
    Lines,
    /// CSV with a header naming an `id` or `username` column.
    Csv,
    /// A JSON array of user objects (or of id strings).
    Json,
    /// X's archive: `window.YTD.block.part0 = [{"blocking": {"accountId": …}}, …]`.
    Archive,
}

/// A parsed import file: the targets in file order, first occurrence kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportList {
    /// Detected format.
    pub format: Format,
    /// Distinct targets in file order.
    pub targets: Vec<Target>,
    /// How many entries repeated an earlier one.
    pub duplicates: usize,
}

/// Why a file could not be parsed; nothing is run when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, with hostile bytes escaped.
    pub message: String,
}

/// Parses the bytes of an import file (an archive `.zip` is opened and its `data/block.js`
/// read).
pub fn parse(bytes: &[u8]) -> Result<ImportList, Vec<ParseError>> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let js = super::archive::block_js(bytes)
            .map_err(|message| vec![ParseError { line: 1, message }])?;
        return parse(&js);
    }
    let text = decode(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let (format, entries) = match first {
        Some(l) if l.starts_with("window.YTD.") => (Format::Archive, parse_archive(text)?),
        Some(l) if l.starts_with('[') => (Format::Json, parse_json(text)?),
        Some(l) if l.contains(',') || is_header(l) => (Format::Csv, parse_csv(text)?),
        _ => (Format::Lines, parse_lines(text)?),
    };
    // First occurrences found by reference, then moved out: no target is copied.
    let first: Vec<bool> = {
        let mut seen = HashSet::with_capacity(entries.len());
        entries.iter().map(|t| seen.insert(t)).collect()
    };
    let duplicates = first.iter().filter(|&&f| !f).count();
    let targets: Vec<Target> = entries
        .into_iter()
        .zip(first)
        .filter_map(|(t, f)| f.then_some(t))
        .collect();
    Ok(ImportList {
        format,
        targets,
        duplicates,
    })
}

fn decode(bytes: &[u8]) -> Result<&str, Vec<ParseError>> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        vec![ParseError {
            line,
            message: "not valid UTF-8 text".into(),
        }]
    })
}

fn is_header(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    l == "id" || l == "username" || l == "user_id" || l == "screen_name"
}

fn parse_lines(text: &str) -> Result<Vec<Target>, Vec<ParseError>> {
    collect(text.lines().enumerate().filter_map(|(i, raw)| {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        Some(Target::parse(line).map_err(|message| ParseError {
            line: i + 1,
            message,
        }))
    }))
}

fn parse_csv(text: &str) -> Result<Vec<Target>, Vec<ParseError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| one_error(1, e))?.clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let id_col = find(&["id", "user_id"]);
    let name_col = find(&["username", "screen_name", "handle"]);
    if id_col.is_none() && name_col.is_none() {
        return Err(vec![ParseError {
            line: 1,
            message: "the CSV header has no `id` or `username` column".into(),
        }]);
    }
    collect(reader.records().map(|rec| {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            one_error(line, e).remove(0)
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let field = |c: Option<usize>| c.and_then(|c| rec.get(c)).filter(|v| !v.is_empty());
        let parsed = match (field(id_col), field(name_col)) {
            (Some(id), _) if is_id(id) => Ok(Target::Id(id.to_string())),
            (Some(id), _) => Err(format!("`{}` is not a numeric id", printable(id))),
            (None, Some(name)) => Target::parse(name),
            (None, None) => Err("the row has neither an id nor a username".into()),
        };
        parsed.map_err(|message| ParseError { line, message })
    }))
}

fn parse_json(text: &str) -> Result<Vec<Target>, Vec<ParseError>> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        vec![ParseError {
            line: e.line(),
            message: format!("not a JSON array of users: {e}"),
        }]
    })?;
    let lines = item_lines(text);
    collect(items.iter().enumerate().map(|(i, item)| {
        let id = match item {
            serde_json::Value::String(s) => Some(s.as_str()),
            serde_json::Value::Object(o) => o.get("id").and_then(|v| v.as_str()),
            _ => None,
        };
        match id {
            Some(id) if is_id(id) => Ok(Target::Id(id.to_string())),
            _ => Err(ParseError {
                line: lines.get(i).copied().unwrap_or(1),
                message: format!("array item {} has no numeric string `id`", i + 1),
            }),
        }
    }))
}

/// X's archive JavaScript: everything after the first `=` is a JSON array whose items hold
/// `blocking` (or `muting`) objects with an `accountId`.
fn parse_archive(text: &str) -> Result<Vec<Target>, Vec<ParseError>> {
    let Some(eq) = text.find('=') else {
        return Err(vec![ParseError {
            line: 1,
            message: "an X archive file needs `window.YTD.<name>.part0 = [...]`".into(),
        }]);
    };
    let head_lines = text[..eq].matches('\n').count();
    let body = text[eq + 1..].trim_end().trim_end_matches(';');
    let items: Vec<serde_json::Value> = serde_json::from_str(body).map_err(|e| {
        vec![ParseError {
            line: head_lines + e.line(),
            message: format!("not an X archive array: {e}"),
        }]
    })?;
    let lines = item_lines(body);
    collect(items.iter().enumerate().map(|(i, item)| {
        let entry = item
            .as_object()
            .and_then(|o| o.values().find_map(|v| v.as_object()));
        let id = entry
            .and_then(|e| e.get("accountId"))
            .and_then(|v| v.as_str());
        let link = entry
            .and_then(|e| e.get("userLink"))
            .and_then(|v| v.as_str());
        match (id, link) {
            (Some(id), _) if is_id(id) => Ok(Target::Id(id.to_string())),
            (_, Some(link)) => Target::parse(link).map_err(|message| ParseError {
                line: head_lines + lines.get(i).copied().unwrap_or(1),
                message,
            }),
            _ => Err(ParseError {
                line: head_lines + lines.get(i).copied().unwrap_or(1),
                message: format!("archive item {} has no numeric `accountId`", i + 1),
            }),
        }
    }))
}

/// Path segments of x.com that are not profiles.
const NOT_PROFILES: &[&str] = &[
    "home",
    "explore",
    "search",
    "settings",
    "notifications",
    "messages",
    "compose",
    "login",
    "logout",
    "signup",
    "tos",
    "privacy",
    "hashtag",
    "share",
];

/// A profile URL on x.com or twitter.com (any of `www.`, `mobile.`), `None` when `s` is not a
/// URL of those hosts; `Some(Err)` when it is one but names no account.
fn profile_url(s: &str) -> Option<Result<Target, String>> {
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(host);
    if !matches!(host, "x.com" | "twitter.com") {
        return None;
    }
    let bad = || Err(format!("`{}` is not the URL of an X profile", printable(s)));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let path = path.split('#').next().unwrap_or("").trim_end_matches('/');
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    Some(match segments.as_slice() {
        ["intent", "user"] | ["intent", "follow"] => match (param("user_id"), param("screen_name"))
        {
            (Some(id), _) if is_id(&id) => Ok(Target::Id(id)),
            (_, Some(name)) if is_username(&name) => Ok(Target::Handle(name)),
            _ => bad(),
        },
        ["i", "user", id] if is_id(id) => Ok(Target::Id(id.to_string())),
        [name, ..] if is_username(name) && !NOT_PROFILES.contains(name) && *name != "i" => {
            Ok(Target::Handle(name.to_string()))
        }
        _ => bad(),
    })
}

/// The 1-based line where each item of the (valid) top-level JSON array in `text` starts.
fn item_lines(text: &str) -> Vec<usize> {
    let (mut lines, mut line, mut depth) = (Vec::new(), 1, 0usize);
    let (mut in_string, mut escaped, mut want) = (false, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && want && !c.is_whitespace() && c != ']' && c != ',' {
            lines.push(line);
            want = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                want = depth == 1;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => want = true,
            _ => {}
        }
    }
    lines
}

fn collect(
    items: impl Iterator<Item = Result<Target, ParseError>>,
) -> Result<Vec<Target>, Vec<ParseError>> {
    let (ok, errs): (Vec<_>, Vec<_>) = items.partition(Result::is_ok);
    if errs.is_empty() {
        Ok(ok.into_iter().map(Result::unwrap).collect())
    } else {
        Err(errs.into_iter().filter_map(Result::err).collect())
    }
}

fn one_error(line: usize, e: impl fmt::Display) -> Vec<ParseError> {
    vec![ParseError {
        line,
        message: format!("malformed CSV: {e}"),
    }]
}

/// True for X user ids: 1 to 19 ASCII digits.
pub fn is_id(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// True for X usernames: 1 to 15 of `[A-Za-z0-9_]`.
pub fn is_username(s: &str) -> bool {
    (1..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Escapes control and non-ASCII characters so a hostile value prints as one inert line.
fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_default).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(list: &ImportList) -> Vec<String> {
        list.targets.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn ids_one_per_line_with_blanks_comments_and_duplicates() {
        let list = parse(b"# my blocks\n12\n\n783214\r\n12\n").unwrap();
        assert_eq!(list.format, Format::Lines);
        assert_eq!(ids(&list), ["12", "783214"]);
        assert_eq!(list.duplicates, 1);
    }

    #[test]
    fn handles_with_and_without_at_are_case_insensitive() {
        let list = parse(b"@Alice\nbob_2\n@alice\n").unwrap();
        assert_eq!(ids(&list), ["@alice", "@bob_2"]);
        assert_eq!(list.duplicates, 1);
    }

    #[test]
    fn csv_with_id_column_from_our_own_export() {
        let csv = "id,username,name,description\n\
                   1,one,\"One, Esq.\",\"multi\nline bio\"\n\
                   2,two,Two,\n";
        let list = parse(csv.as_bytes()).unwrap();
        assert_eq!(list.format, Format::Csv);
        assert_eq!(ids(&list), ["1", "2"]);
    }

    #[test]
    fn csv_with_only_username_column() {
        let list = parse(b"username\n@carol\ndave\n").unwrap();
        assert_eq!(ids(&list), ["@carol", "@dave"]);
    }

    #[test]
    fn csv_without_usable_column_fails_on_line_one() {
        let err = parse(b"name,bio\nx,y\n").unwrap_err();
        assert_eq!(err[0].line, 1);
        assert!(err[0].message.contains("`id` or `username`"));
    }

    #[test]
    fn json_array_from_export() {
        let json =
            br#"[{"id":"9","name":"n","username":"u"},{"id":"10","username":"v","name":""}]"#;
        let list = parse(json).unwrap();
        assert_eq!(list.format, Format::Json);
        assert_eq!(ids(&list), ["9", "10"]);
    }

    #[test]
    fn bad_json_items_are_reported_at_their_line() {
        let json = "[\n  {\"id\":\"9\", \"bio\":\"a,\\\"[{\"},\n  {\"id\":\"x\"},\n  [1, {}]\n]";
        let err = parse(json.as_bytes()).unwrap_err();
        let lines: Vec<usize> = err.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4], "{err:?}");
        assert!(err[0].message.contains("array item 2"));
    }

    #[test]
    fn malformed_lines_are_all_reported_with_numbers() {
        let err = parse(b"12\nnot a handle!\n34\n12345678901234567890\n").unwrap_err();
        let lines: Vec<usize> = err.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn hostile_bytes_are_escaped_in_messages() {
        let err = parse("\u{1b}[2J\u{202e}evil\n".as_bytes()).unwrap_err();
        assert!(!err[0].message.contains('\u{1b}'));
        assert!(!err[0].message.contains('\u{202e}'));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err = parse(b"1\n2\n\xff\xfe\n").unwrap_err();
        assert_eq!(err[0].line, 3);
    }

    #[test]
    fn profile_urls_of_every_host() {
        let text = "https://x.com/Alice\nhttp://twitter.com/bob_2/\nhttps://mobile.twitter.com/carol?s=20\n\
                    https://twitter.com/intent/user?user_id=783214\nwww.x.com/dave/status/1\nhttps://x.com/i/user/12\n";
        let list = parse(text.as_bytes()).unwrap();
        assert_eq!(
            ids(&list),
            ["@alice", "@bob_2", "@carol", "783214", "@dave", "12"]
        );
        let err =
            parse(b"https://x.com/home\nhttps://x.com/intent/user?user_id=abc\n").unwrap_err();
        assert_eq!(err.len(), 2);
        assert!(err[0].message.contains("not the URL of an X profile"));
        assert!(Target::parse("https://example.com/alice").is_err());
    }

    #[test]
    fn x_archive_block_and_mute_files() {
        let block = "window.YTD.block.part0 = [\n  {\n    \"blocking\" : {\n      \"accountId\" : \"1243608864848629761\",\n      \"userLink\" : \"https://twitter.com/intent/user?user_id=1243608864848629761\"\n    }\n  },\n  {\n    \"blocking\" : {\n      \"accountId\" : \"12\"\n    }\n  }\n]";
        let list = parse(block.as_bytes()).unwrap();
        assert_eq!(list.format, Format::Archive);
        assert_eq!(ids(&list), ["1243608864848629761", "12"]);
        let mute = r#"window.YTD.mute.part0 = [ { "muting" : { "accountId" : "7", "userLink" : "https://twitter.com/intent/user?user_id=7" } } ]"#;
        assert_eq!(ids(&parse(mute.as_bytes()).unwrap()), ["7"]);
        let only_link = r#"window.YTD.block.part0 = [ { "blocking" : { "userLink" : "https://twitter.com/intent/user?user_id=8" } } ]"#;
        assert_eq!(ids(&parse(only_link.as_bytes()).unwrap()), ["8"]);
        let bad = "window.YTD.block.part0 = [\n { \"blocking\" : { \"accountId\" : \"x\" } }\n]";
        let err = parse(bad.as_bytes()).unwrap_err();
        assert_eq!(err[0].line, 2, "{err:?}");
    }

    #[test]
    fn the_archive_zip_itself() {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("data/account.js", opts).unwrap();
            z.write_all(b"window.YTD.account.part0 = []").unwrap();
            z.start_file("data/block.js", opts).unwrap();
            z.write_all(br#"window.YTD.block.part0 = [ { "blocking" : { "accountId" : "99" } } ]"#)
                .unwrap();
            z.finish().unwrap();
        }
        let list = parse(buf.get_ref()).unwrap();
        assert_eq!(ids(&list), ["99"]);
        let mut empty = std::io::Cursor::new(Vec::new());
        zip::ZipWriter::new(&mut empty).finish().unwrap();
        let err = parse(empty.get_ref()).unwrap_err();
        assert!(err[0].message.contains("data/block.js"), "{err:?}");
    }

    #[test]
    fn empty_file_is_an_empty_list() {
        assert!(parse(b"").unwrap().targets.is_empty());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn id_lists_round_trip(list in proptest::collection::vec(1u64..u64::MAX / 2, 0..50)) {
            let text: String = list.iter().map(|i| format!("{i}\n")).collect();
            let parsed = parse(text.as_bytes()).unwrap();
            let mut expect: Vec<String> = Vec::new();
            for i in &list {
                if !expect.contains(&i.to_string()) {
                    expect.push(i.to_string());
                }
            }
            prop_assert_eq!(ids(&parsed), expect);
        }
    }
}
