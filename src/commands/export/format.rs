//! The export formats: `ids`, `csv` (PRODUCT.md's header, RFC 4180 quoting), `json` (X's
//! objects verbatim), `jsonl` (X's object with what xblocks knows of it), `handles`; and the
//! `--where` filter, evaluated by the query language's one evaluator.

use std::io::Write;

use serde::Deserialize;

use crate::api::types::{parse_rfc3339, User};
use crate::cli::ExportFormat;
use crate::query::{Flag, Index, Query, Row};

/// The csv header, exactly as PRODUCT.md fixes it.
pub const CSV_HEADER: [&str; 14] = [
    "id",
    "username",
    "name",
    "created_at",
    "followers",
    "following",
    "tweets",
    "verified",
    "protected",
    "description",
    "first_seen",
    "note",
    "tags",
    "kept",
];

/// What xblocks knows of an account beside X's object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// First seen in the block list (RFC 3339).
    pub first_seen: Option<String>,
    /// Last seen in the block list (RFC 3339).
    pub last_seen: Option<String>,
    /// The note (empty: none).
    pub note: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// On the keep list.
    pub kept: bool,
    /// No longer in the block list.
    pub gone: bool,
}

impl Known {
    /// Only the first-seen date.
    pub fn seen(first_seen: Option<&str>) -> Self {
        Self {
            first_seen: first_seen.map(str::to_string),
            ..Self::default()
        }
    }
}

/// `--where`: a parsed query and the time it is evaluated at.
#[derive(Debug, Clone)]
pub struct Filter {
    query: Query,
    now: i64,
}

impl Filter {
    /// Parses `--where QUERY`; the error is the parser's one line.
    pub fn parse(text: &str) -> Result<Self, crate::query::QueryError> {
        Ok(Self {
            query: crate::query::parse(text)?,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
        })
    }

    /// True when the account matches.
    pub fn matches(&self, u: &User, known: &Known) -> bool {
        let first_seen = known.first_seen.as_deref().and_then(parse_rfc3339);
        let mut row = Row::from_user(u, first_seen);
        row.set(Flag::Kept, known.kept);
        row.set(Flag::Gone, known.gone);
        Index::matches_one(&self.query, &row, &known.note, &known.tags, self.now)
    }
}

/// Writes users in one of the export formats, keeping only those `filter` matches.
pub struct FormatWriter<W: Write> {
    out: Out<W>,
    first: bool,
    filter: Option<Filter>,
    written: usize,
}

enum Out<W: Write> {
    Ids(W),
    Csv(Box<csv::Writer<W>>),
    Json(W),
    Jsonl(W),
    Handles(W),
}

impl<W: Write> FormatWriter<W> {
    /// Starts the output (csv header, json `[`).
    pub fn new(format: ExportFormat, mut out: W) -> std::io::Result<Self> {
        let out = match format {
            ExportFormat::Ids => Out::Ids(out),
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)?;
                Out::Csv(Box::new(w))
            }
            ExportFormat::Json => {
                out.write_all(b"[")?;
                Out::Json(out)
            }
            ExportFormat::Jsonl => Out::Jsonl(out),
            ExportFormat::Handles => Out::Handles(out),
        };
        Ok(Self {
            out,
            first: true,
            filter: None,
            written: 0,
        })
    }

    /// Keeps only the accounts `filter` matches.
    pub fn with_filter(mut self, filter: Option<Filter>) -> Self {
        self.filter = filter;
        self
    }

    /// Accounts written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Writes one user object as X sent it: verbatim in json and jsonl, through [`User`]
    /// otherwise. Returns false when the filter left it out.
    pub fn value(&mut self, v: &serde_json::Value, known: &Known) -> std::io::Result<bool> {
        let u = User::deserialize(v)?;
        self.write(&u, Some(&serde_json::to_string(v)?), known)
    }

    /// Writes user `u` whose object X sent as `json` (JSON text on one line): `json` verbatim
    /// in json and jsonl, `u` otherwise. Returns false when the filter left it out.
    pub fn raw(&mut self, u: &User, json: &str, known: &Known) -> std::io::Result<bool> {
        self.write(u, Some(json), known)
    }

    /// Writes one user; returns false when the filter left it out.
    pub fn user(&mut self, u: &User, known: &Known) -> std::io::Result<bool> {
        self.write(u, None, known)
    }

    fn write(&mut self, u: &User, raw: Option<&str>, known: &Known) -> std::io::Result<bool> {
        if self.filter.as_ref().is_some_and(|f| !f.matches(u, known)) {
            return Ok(false);
        }
        self.written += 1;
        let object = |out: &mut W| match raw {
            Some(json) => out.write_all(json.as_bytes()),
            None => serde_json::to_writer(out, u).map_err(std::io::Error::from),
        };
        match &mut self.out {
            Out::Ids(out) => writeln!(out, "{}", u.id)?,
            Out::Handles(out) => writeln!(out, "@{}", u.username)?,
            Out::Csv(w) => {
                let m = u.public_metrics;
                let num = |f: fn(&crate::api::types::PublicMetrics) -> u64| {
                    m.as_ref().map(|m| f(m).to_string()).unwrap_or_default()
                };
                let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
                w.write_record([
                    u.id.as_str(),
                    u.username.as_str(),
                    u.name.as_str(),
                    u.created_at.as_deref().unwrap_or(""),
                    &num(|m| m.followers_count),
                    &num(|m| m.following_count),
                    &num(|m| m.tweet_count),
                    &flag(u.verified),
                    &flag(u.protected),
                    u.description.as_deref().unwrap_or(""),
                    known.first_seen.as_deref().unwrap_or(""),
                    known.note.as_str(),
                    &known.tags.join(" "),
                    &known.kept.to_string(),
                ])?;
            }
            Out::Json(out) => {
                out.write_all(if self.first { b"\n  " } else { b",\n  " })?;
                self.first = false;
                object(out)?;
            }
            Out::Jsonl(out) => {
                out.write_all(b"{\"user\":")?;
                object(out)?;
                let rest = serde_json::json!({
                    "first_seen": known.first_seen,
                    "last_seen": known.last_seen,
                    "note": (!known.note.is_empty()).then_some(&known.note),
                    "tags": known.tags,
                    "kept": known.kept,
                });
                let rest = serde_json::to_string(&rest)?;
                out.write_all(b",")?;
                out.write_all(&rest.as_bytes()[1..])?;
                out.write_all(b"\n")?;
            }
        }
        Ok(true)
    }

    /// Ends the output (json `]`), flushes, and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        let mut out = match self.out {
            Out::Ids(w) | Out::Handles(w) | Out::Jsonl(w) => w,
            Out::Csv(w) => (*w).into_inner().map_err(|e| e.into_error())?,
            Out::Json(mut w) => {
                w.write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
                w
            }
        };
        out.flush()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<User> {
        let a: User = serde_json::from_str(
            r#"{"id":"12","name":"Jack, \"the\" founder","username":"jack","created_at":"2006-03-21T20:50:14.000Z",
                "description":"line one\nline two","public_metrics":{"followers_count":5,"following_count":6,"tweet_count":7,"listed_count":1},
                "verified":true,"protected":false,"most_recent_tweet_id":"99"}"#,
        )
        .unwrap();
        let b: User = serde_json::from_str(r#"{"id":"13","name":"B","username":"b"}"#).unwrap();
        vec![a, b]
    }

    fn render(format: ExportFormat, users: &[User]) -> String {
        let mut w = FormatWriter::new(format, Vec::new()).unwrap();
        for u in users {
            w.user(u, &Known::default()).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn csv_round_trips_any_text(name in "\\PC*", bio in ".*") {
            let u = User { id: "1".into(), name: name.clone(), username: "u".into(), description: Some(bio.clone()), ..Default::default() };
            let out = render(ExportFormat::Csv, &[u]);
            let mut r = csv::Reader::from_reader(out.as_bytes());
            let row = r.records().next().unwrap().unwrap();
            proptest::prop_assert_eq!(&row[2], name.as_str());
            proptest::prop_assert_eq!(&row[9], bio.as_str());
        }
    }

    #[test]
    fn raw_values_are_written_verbatim_in_json() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"public_metrics":{"followers_count":1,"like_count":9},"id":"5","name":"N","username":"u"}"#,
        )
        .unwrap();
        let mut w = FormatWriter::new(ExportFormat::Json, Vec::new()).unwrap();
        w.value(&v, &Known::default()).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "[\n  {\"public_metrics\":{\"followers_count\":1,\"like_count\":9},\"id\":\"5\",\"name\":\"N\",\"username\":\"u\"}\n]\n"
        );
        let mut w = FormatWriter::new(ExportFormat::Ids, Vec::new()).unwrap();
        w.value(&v, &Known::default()).unwrap();
        assert_eq!(w.finish().unwrap(), b"5\n");
    }

    #[test]
    fn ids_one_per_line_no_header() {
        assert_eq!(render(ExportFormat::Ids, &users()), "12\n13\n");
        assert_eq!(render(ExportFormat::Ids, &[]), "");
    }

    #[test]
    fn csv_header_quoting_and_empty_fields() {
        let out = render(ExportFormat::Csv, &users());
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen,note,tags,kept"
        );
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "Jack, \"the\" founder");
        assert_eq!(&rows[0][4], "5");
        assert_eq!(&rows[0][6], "7");
        assert_eq!(&rows[0][7], "true");
        assert_eq!(&rows[0][9], "line one\nline two");
        assert_eq!(&rows[0][10], "");
        assert_eq!(&rows[1][4], "");
    }

    #[test]
    fn jsonl_and_handles_and_where() {
        let known = Known {
            first_seen: Some("2026-01-02T00:00:00Z".into()),
            note: "paid troll".into(),
            tags: vec!["spam".into()],
            kept: true,
            ..Known::default()
        };
        let mut w = FormatWriter::new(ExportFormat::Jsonl, Vec::new()).unwrap();
        for u in users() {
            w.user(&u, &known).unwrap();
        }
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["user"]["username"], "jack");
        assert_eq!(lines[0]["user"]["most_recent_tweet_id"], "99");
        assert_eq!(lines[0]["first_seen"], "2026-01-02T00:00:00Z");
        assert_eq!(lines[0]["last_seen"], serde_json::Value::Null);
        assert_eq!(lines[0]["note"], "paid troll");
        assert_eq!(lines[0]["tags"][0], "spam");
        assert_eq!(lines[0]["kept"], true);

        let mut w = FormatWriter::new(ExportFormat::Handles, Vec::new())
            .unwrap()
            .with_filter(Some(Filter::parse("followers:>1 -tag:nope").unwrap()));
        for u in users() {
            w.user(&u, &known).unwrap();
        }
        assert_eq!(w.written(), 1);
        assert_eq!(w.finish().unwrap(), b"@jack\n");
    }

    #[test]
    fn json_is_an_array_of_api_objects() {
        let out = render(ExportFormat::Json, &users());
        let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["public_metrics"]["tweet_count"], 7);
        assert_eq!(v[0]["most_recent_tweet_id"], "99");
        assert!(v[1].get("created_at").is_none());
        assert_eq!(render(ExportFormat::Json, &[]).trim(), "[]");
    }
}
