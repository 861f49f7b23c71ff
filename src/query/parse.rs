//! Text → [`Query`]. Errors name the column of the bad token and what would be valid, in one line.

use super::{Bounds, Count, Flag, Query, Term, Test};

/// Every filter key, as the error for an unknown key lists them.
pub const KEYS: &[&str] = &[
    "followers:",
    "following:",
    "posts:",
    "listed:",
    "age:",
    "joined:",
    "seen:",
    "verified:",
    "protected:",
    "avatar:",
    "bio:",
    "tag:",
    "note:",
    "kept:",
    "gone:",
];

const SECS_PER_DAY: i64 = 86_400;

/// A query that cannot be parsed: where, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query error at column {column}: {message}")]
pub struct QueryError {
    /// 1-based column (in characters) of the bad token.
    pub column: usize,
    /// What is wrong and what is valid.
    pub message: String,
}

/// Parses a query. Terms are separated by spaces; `-` before a term negates it; `"…"` quotes a
/// phrase (an unclosed quote runs to the end, so a query being typed stays valid); `key:value`
/// is a filter when `key` is one of [`KEYS`] (a word with another `letters:` prefix is an error:
/// quote it to search for it).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut terms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let negated = chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            i += 1;
        }
        let (token, next) = read_token(&chars, i);
        i = next;
        let column = start + 1;
        let test = match token {
            Token::Phrase(p) => Test::Text(needle(&p)),
            Token::Word(w) => match split_key(&w) {
                Some((key, value)) => filter(&key, &value, column)?,
                None => Test::Text(needle(&w)),
            },
            Token::Filter(key, value) => filter(&key, &value, column)?,
        };
        terms.push(Term { negated, test });
    }
    Ok(Query {
        text: text.trim().to_string(),
        terms,
    })
}

enum Token {
    /// `"…"`
    Phrase(String),
    /// A bare word (maybe `key:value`).
    Word(String),
    /// `key:"…"`
    Filter(String, String),
}

/// Reads one token starting at `i`; returns it and the index after it.
fn read_token(chars: &[char], mut i: usize) -> (Token, usize) {
    if chars[i] == '"' {
        let (s, next) = read_quoted(chars, i + 1);
        return (Token::Phrase(s), next);
    }
    let mut word = String::new();
    while i < chars.len() && !chars[i].is_whitespace() {
        if chars[i] == '"' && word.ends_with(':') && is_key(&word[..word.len() - 1]) {
            let (s, next) = read_quoted(chars, i + 1);
            word.pop();
            return (Token::Filter(word, s), next);
        }
        word.push(chars[i]);
        i += 1;
    }
    (Token::Word(word), i)
}

/// Reads up to the closing quote (or the end); returns the text and the index after the quote.
fn read_quoted(chars: &[char], mut i: usize) -> (String, usize) {
    let mut s = String::new();
    while i < chars.len() && chars[i] != '"' {
        s.push(chars[i]);
        i += 1;
    }
    (s, (i + 1).min(chars.len()))
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic())
}

/// `letters:rest` → (lower-cased letters, rest).
fn split_key(word: &str) -> Option<(String, String)> {
    let (key, value) = word.split_once(':')?;
    is_key(key).then(|| (key.to_ascii_lowercase(), value.to_string()))
}

/// A search needle: sanitized like the searchable text, then lower-cased.
fn needle(s: &str) -> String {
    crate::text::sanitize(s).to_lowercase()
}

fn filter(key: &str, value: &str, column: usize) -> Result<Test, QueryError> {
    let err = |message: String| QueryError { column, message };
    let key = key.to_ascii_lowercase();
    let count = |c: Count| {
        counts(value).map(|b| Test::Count(c, b)).ok_or_else(|| {
            err(format!(
                "\"{key}:{value}\": {key}: takes a number like <100, >1k, =0, 1.5m or 10..500"
            ))
        })
    };
    let yes_no = |f: Flag| {
        yes_no(value)
            .map(|b| Test::Flag(f, b))
            .ok_or_else(|| err(format!("\"{key}:{value}\": {key}: takes yes or no")))
    };
    let dates = |make: fn(Bounds) -> Test| {
        dates(value).map(make).ok_or_else(|| {
            err(format!(
                "\"{key}:{value}\": {key}: takes a date like <2012-01-01, >2026-06, =2020 or 2019-01-01..2019-06-30"
            ))
        })
    };
    match key.as_str() {
        "followers" => count(Count::Followers),
        "following" => count(Count::Following),
        "posts" => count(Count::Posts),
        "listed" => count(Count::Listed),
        "age" => ages(value).map(Test::Age).ok_or_else(|| {
            err(format!(
                "\"{key}:{value}\": age: takes a duration like <30d, >2y, 1w..6m (d days, w weeks, m months, y years)"
            ))
        }),
        "joined" => dates(Test::Joined),
        "seen" => dates(Test::Seen),
        "verified" => yes_no(Flag::Verified),
        "protected" => yes_no(Flag::Protected),
        "kept" => yes_no(Flag::Kept),
        "gone" => yes_no(Flag::Gone),
        "avatar" => match value.to_ascii_lowercase().as_str() {
            "default" => Ok(Test::Flag(Flag::DefaultAvatar, true)),
            "custom" => Ok(Test::Flag(Flag::DefaultAvatar, false)),
            _ => Err(err(format!(
                "\"{key}:{value}\": avatar: takes default or custom"
            ))),
        },
        "bio" => match value.to_ascii_lowercase().as_str() {
            "empty" => Ok(Test::Flag(Flag::BioEmpty, true)),
            _ => Err(err(format!(
                "\"{key}:{value}\": bio: takes empty (search the bio with a plain word)"
            ))),
        },
        "tag" | "note" if needle(value).is_empty() => Err(err(format!(
            "\"{key}:\": {key}: takes a word, e.g. {key}:spam or {key}:\"two words\""
        ))),
        "tag" => Ok(Test::Tag(needle(value))),
        "note" => Ok(Test::Note(needle(value))),
        _ => Err(err(format!(
            "unknown filter \"{key}:\"; valid: {} (quote a word with a colon: \"{key}:{value}\")",
            KEYS.join(" ")
        ))),
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => None,
    }
}

/// Comparison or range around values parsed by `one`; `point` turns one value into the
/// inclusive bounds it stands for (a day, a count).
fn compare(
    v: &str,
    one: impl Fn(&str) -> Option<Bounds>,
    lowest: i64,
    highest: i64,
) -> Option<Bounds> {
    let between = |min: i64, max: i64| (min <= max).then_some(Bounds { min, max });
    if let Some((a, b)) = v.split_once("..") {
        let min = if a.is_empty() { lowest } else { one(a)?.min };
        let max = if b.is_empty() { highest } else { one(b)?.max };
        if a.is_empty() && b.is_empty() {
            return None;
        }
        return between(min, max);
    }
    let (op, rest) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| v.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("=", v));
    let p = one(rest)?;
    match op {
        "<" => between(lowest, p.min.checked_sub(1)?),
        "<=" => between(lowest, p.max),
        ">" => between(p.max.checked_add(1)?, highest),
        ">=" => between(p.min, highest),
        _ => Some(p),
    }
}

fn counts(v: &str) -> Option<Bounds> {
    compare(
        v,
        |s| number(s).map(|n| Bounds { min: n, max: n }),
        0,
        i64::MAX,
    )
}

/// `1500`, `1.5k`, `2m`, `1_000` → the number.
fn number(s: &str) -> Option<i64> {
    let s = s.replace('_', "");
    let (digits, scale) = match s.chars().last()?.to_ascii_lowercase() {
        'k' => (&s[..s.len() - 1], 1_000f64),
        'm' => (&s[..s.len() - 1], 1_000_000f64),
        _ => (s.as_str(), 1f64),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if scale == 1.0 {
        return digits.parse().ok();
    }
    let n: f64 = digits.parse().ok()?;
    let n = (n * scale).round();
    (n < 9e18).then_some(n as i64)
}

fn ages(v: &str) -> Option<Bounds> {
    compare(
        v,
        |s| duration(s).map(|d| Bounds { min: d, max: d }),
        0,
        i64::MAX,
    )
}

/// `30d`, `2w`, `6m`, `1y` → seconds (a month is 30 days, a year 365).
fn duration(s: &str) -> Option<i64> {
    let unit = s.chars().last()?.to_ascii_lowercase();
    let days = match unit {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        'y' => 365,
        _ => return None,
    };
    let n: i64 = s[..s.len() - 1].parse().ok()?;
    n.checked_mul(days * SECS_PER_DAY)
}

fn dates(v: &str) -> Option<Bounds> {
    compare(v, period, i64::MIN, i64::MAX)
}

/// `2012`, `2012-03`, `2012-03-04` → the seconds of that year, month or day (UTC).
fn period(s: &str) -> Option<Bounds> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<i32>().ok())
            .flatten()
    };
    let year = num(parts.first()?, 4)?;
    let (start, end) = match parts.len() {
        1 => (ymd(year, 1, 1)?, ymd(year + 1, 1, 1)?),
        2 => {
            let m = num(parts[1], 2)?;
            let next = if m == 12 {
                (year + 1, 1)
            } else {
                (year, m + 1)
            };
            (ymd(year, m, 1)?, ymd(next.0, next.1, 1)?)
        }
        3 => {
            let d = ymd(year, num(parts[1], 2)?, num(parts[2], 2)?)?;
            (d, d + SECS_PER_DAY)
        }
        _ => return None,
    };
    Some(Bounds {
        min: start,
        max: end - 1,
    })
}

fn ymd(year: i32, month: i32, day: i32) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Term {
        let q = parse(text).unwrap();
        assert_eq!(q.terms.len(), 1, "{text}");
        q.terms.into_iter().next().unwrap()
    }

    fn bounds(text: &str) -> (i64, i64) {
        match one(text).test {
            Test::Count(_, b) | Test::Age(b) | Test::Joined(b) | Test::Seen(b) => (b.min, b.max),
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn words_phrases_and_negation() {
        let q = parse(r#"PhD -crypto "New York"  -"a b" - x"#).unwrap();
        let got: Vec<(bool, Test)> = q.terms.into_iter().map(|t| (t.negated, t.test)).collect();
        assert_eq!(
            got,
            vec![
                (false, Test::Text("phd".into())),
                (true, Test::Text("crypto".into())),
                (false, Test::Text("new york".into())),
                (true, Test::Text("a b".into())),
                (false, Test::Text("-".into())),
                (false, Test::Text("x".into())),
            ]
        );
        assert_eq!(
            one(r#""unclosed phr"#).test,
            Test::Text("unclosed phr".into())
        );
        assert!(parse("   ").unwrap().is_empty());
        assert_eq!(one("12:30").test, Test::Text("12:30".into()));
        assert_eq!(one(r#""http://x""#).test, Test::Text("http://x".into()));
    }

    #[test]
    fn counts_with_comparisons_ranges_and_suffixes() {
        assert_eq!(bounds("followers:<100"), (0, 99));
        assert_eq!(bounds("followers:>1k"), (1001, i64::MAX));
        assert_eq!(bounds("following:=0"), (0, 0));
        assert_eq!(bounds("posts:42"), (42, 42));
        assert_eq!(bounds("listed:10..500"), (10, 500));
        assert_eq!(bounds("FOLLOWERS:1.5k.."), (1500, i64::MAX));
        assert_eq!(bounds("followers:..2m"), (0, 2_000_000));
        assert_eq!(bounds("followers:<=10"), (0, 10));
        assert_eq!(bounds("followers:>=10"), (10, i64::MAX));
        assert!(parse("followers:<0").is_err());
        assert!(parse("followers:500..10").is_err());
        assert!(parse("followers:lots").is_err());
        assert!(parse("followers:").is_err());
        assert!(parse("followers:..").is_err());
    }

    #[test]
    fn ages_and_dates() {
        assert_eq!(bounds("age:<30d"), (0, 30 * 86_400 - 1));
        assert_eq!(bounds("age:>1y"), (365 * 86_400 + 1, i64::MAX));
        assert_eq!(bounds("age:1w..2m"), (7 * 86_400, 60 * 86_400));
        let day = 86_400;
        let jan2012 = 1_325_376_000;
        assert_eq!(bounds("joined:<2012-01-01"), (i64::MIN, jan2012 - 1));
        assert_eq!(bounds("joined:>2012-01-01"), (jan2012 + day, i64::MAX));
        assert_eq!(bounds("seen:2012-01-01"), (jan2012, jan2012 + day - 1));
        assert_eq!(bounds("seen:2012-01"), (jan2012, jan2012 + 31 * day - 1));
        assert_eq!(
            bounds("joined:2011..2011"),
            (jan2012 - 365 * day, jan2012 - 1)
        );
        assert!(parse("joined:2012-13-01").is_err());
        assert!(parse("joined:yesterday").is_err());
        assert!(parse("age:30").is_err());
    }

    #[test]
    fn flags_tags_and_notes() {
        assert_eq!(one("verified:yes").test, Test::Flag(Flag::Verified, true));
        assert_eq!(one("protected:no").test, Test::Flag(Flag::Protected, false));
        assert_eq!(
            one("avatar:default").test,
            Test::Flag(Flag::DefaultAvatar, true)
        );
        assert_eq!(one("bio:empty").test, Test::Flag(Flag::BioEmpty, true));
        assert_eq!(one("kept:yes").test, Test::Flag(Flag::Kept, true));
        assert!(one("-gone:yes").negated);
        assert_eq!(one("tag:Spam").test, Test::Tag("spam".into()));
        assert_eq!(
            one(r#"note:"paid troll""#).test,
            Test::Note("paid troll".into())
        );
        assert!(parse("tag:").is_err());
    }

    #[test]
    fn errors_name_the_column_and_the_valid_choices() {
        let e = parse("crypto colour:red").unwrap_err();
        assert_eq!(e.column, 8);
        let line = e.to_string();
        assert!(
            line.contains("column 8") && line.contains("followers:") && line.contains("gone:"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        let e = parse("a -verified:maybe").unwrap_err();
        assert_eq!(e.column, 3);
        assert!(e.to_string().contains("yes or no"), "{e}");
        let e = parse("avatar:egg").unwrap_err();
        assert!(e.to_string().contains("default or custom"), "{e}");
    }
}
