//! The export formats: `ids`, `csv` (PRODUCT.md's header, RFC 4180 quoting), `json`.

use std::io::Write;

use serde::Deserialize;

use crate::api::types::User;
use crate::cli::ExportFormat;

/// The csv header, exactly as PRODUCT.md fixes it.
pub const CSV_HEADER: [&str; 11] = [
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
];

/// Writes users in one of the export formats.
pub struct FormatWriter<W: Write> {
    out: Out<W>,
    first: bool,
}

enum Out<W: Write> {
    Ids(W),
    Csv(Box<csv::Writer<W>>),
    Json(W),
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
        };
        Ok(Self { out, first: true })
    }

    /// Writes one user object as X sent it: verbatim in json, through [`User`] otherwise;
    /// `first_seen` fills the csv column of that name.
    pub fn value(
        &mut self,
        v: &serde_json::Value,
        first_seen: Option<&str>,
    ) -> std::io::Result<()> {
        match &mut self.out {
            Out::Json(out) => {
                out.write_all(if self.first { b"\n  " } else { b",\n  " })?;
                self.first = false;
                serde_json::to_writer(&mut *out, v)?;
                Ok(())
            }
            _ => {
                let u = User::deserialize(v)?;
                self.user(&u, first_seen)
            }
        }
    }

    /// Writes one user; `first_seen` fills the csv column of that name.
    pub fn user(&mut self, u: &User, first_seen: Option<&str>) -> std::io::Result<()> {
        match &mut self.out {
            Out::Ids(out) => writeln!(out, "{}", u.id),
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
                    first_seen.unwrap_or(""),
                ])?;
                Ok(())
            }
            Out::Json(out) => {
                out.write_all(if self.first { b"\n  " } else { b",\n  " })?;
                self.first = false;
                serde_json::to_writer(&mut *out, u)?;
                Ok(())
            }
        }
    }

    /// Ends the output (json `]`), flushes, and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        let mut out = match self.out {
            Out::Ids(w) => w,
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
            w.user(u, None).unwrap();
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
        w.value(&v, None).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "[\n  {\"public_metrics\":{\"followers_count\":1,\"like_count\":9},\"id\":\"5\",\"name\":\"N\",\"username\":\"u\"}\n]\n"
        );
        let mut w = FormatWriter::new(ExportFormat::Ids, Vec::new()).unwrap();
        w.value(&v, None).unwrap();
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
            "id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen"
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
