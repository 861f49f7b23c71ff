//! The one evaluator: accounts as columns (lower-cased searchable text packed in one buffer,
//! numbers in flat arrays), searched with `memchr::memmem` and compared column by column.
//! A search runs in slices of [`CHUNK`] accounts ([`Job`]) so a caller can stay responsive.

use std::collections::BTreeMap;

use memchr::memmem;

use super::{Bounds, Count, Flag, Query, Row, Test};

/// Accounts evaluated per [`Job::step`] (a multiple of 64).
pub const CHUNK: usize = 1 << 17;

/// Ends a field in the packed text (never in sanitized text or a needle).
const FIELD_END: u8 = 0x1F;

/// Columns of every account, in insertion order; indices are stable.
#[derive(Debug, Clone, Default)]
pub struct Index {
    text: Vec<u8>,
    ends: Vec<u32>,
    counts: [Vec<u32>; 4],
    created: Vec<u32>,
    seen: Vec<u32>,
    flags: Vec<u8>,
    extras: BTreeMap<u32, Extra>,
}

/// Note and tags of one account, lower-cased.
#[derive(Debug, Clone, Default)]
struct Extra {
    note: String,
    tags: Vec<String>,
}

/// Unix seconds as stored (0: unknown; the range ends in 2106).
fn pack_time(t: Option<i64>) -> u32 {
    t.map_or(0, |t| t.clamp(1, i64::from(u32::MAX)) as u32)
}

fn unpack_time(t: u32) -> Option<i64> {
    (t != 0).then_some(i64::from(t))
}

impl Index {
    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Adds an account; returns its index.
    pub fn push(&mut self, row: &Row) -> u32 {
        for field in [&row.handle, &row.name, &row.bio, &row.location, &row.url] {
            push_lower(&mut self.text, field);
            self.text.push(FIELD_END);
        }
        let end = u32::try_from(self.text.len()).expect("searchable text under 4 GiB");
        self.ends.push(end);
        for (col, v) in
            self.counts
                .iter_mut()
                .zip([row.followers, row.following, row.posts, row.listed])
        {
            col.push(v.min(u64::from(u32::MAX)) as u32);
        }
        self.created.push(pack_time(row.created_at));
        self.seen.push(pack_time(row.first_seen));
        self.flags.push(row.flags);
        (self.ends.len() - 1) as u32
    }

    /// Forgets every account.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Bytes held (capacity of every column).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * 4
            + self.counts.iter().map(|c| c.capacity() * 4).sum::<usize>()
            + (self.created.capacity() + self.seen.capacity()) * 4
            + self.flags.capacity()
            + self.extras.len() * (std::mem::size_of::<Extra>() + 40)
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.counts.iter_mut().for_each(Vec::shrink_to_fit);
        self.created.shrink_to_fit();
        self.seen.shrink_to_fit();
        self.flags.shrink_to_fit();
    }

    /// Followers, following, posts or listed of account `i`.
    pub fn count(&self, i: u32, c: Count) -> u64 {
        u64::from(self.counts[c as usize][i as usize])
    }

    /// Creation time of account `i`.
    pub fn created_at(&self, i: u32) -> Option<i64> {
        unpack_time(self.created[i as usize])
    }

    /// First seen of account `i`.
    pub fn first_seen(&self, i: u32) -> Option<i64> {
        unpack_time(self.seen[i as usize])
    }

    /// Sets the first-seen time of account `i`.
    pub fn set_first_seen(&mut self, i: u32, t: Option<i64>) {
        self.seen[i as usize] = pack_time(t);
    }

    /// True when `flag` holds for account `i`.
    pub fn flag(&self, i: u32, flag: Flag) -> bool {
        self.flags[i as usize] & flag.bit() != 0
    }

    /// Sets or clears `flag` of account `i`.
    pub fn set_flag(&mut self, i: u32, flag: Flag, on: bool) {
        let f = &mut self.flags[i as usize];
        if on {
            *f |= flag.bit();
        } else {
            *f &= !flag.bit();
        }
    }

    /// Sets the note and tags of account `i` (as searched: lower-cased).
    pub fn set_extra(&mut self, i: u32, note: &str, tags: &[String]) {
        if note.is_empty() && tags.is_empty() {
            self.extras.remove(&i);
            return;
        }
        let lower = |s: &str| s.to_lowercase();
        self.extras.insert(
            i,
            Extra {
                note: lower(note),
                tags: tags.iter().map(|t| lower(t)).collect(),
            },
        );
    }

    /// Indices of every account that matches, ascending, evaluated at Unix time `now`.
    pub fn search(&self, query: &Query, now: i64) -> Vec<u32> {
        let mut job = Job::new(query.clone(), now, self.len());
        while !job.step(self, usize::MAX) {}
        job.matches().collect()
    }

    /// True when one account matches (the same evaluator over a one-account index).
    pub fn matches_one(query: &Query, row: &Row, note: &str, tags: &[String], now: i64) -> bool {
        let mut one = Index::default();
        let i = one.push(row);
        one.set_extra(i, note, tags);
        !one.search(query, now).is_empty()
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1] as usize
        }
    }

    /// Sets in `mask` (bit `i - from`) the accounts of `from..to` that pass `test`.
    fn mark(&self, test: &Test, now: i64, from: usize, to: usize, mask: &mut [u64]) {
        let mut set = |i: usize| mask[(i - from) / 64] |= 1 << ((i - from) % 64);
        let each = |set: &mut dyn FnMut(usize), pass: &dyn Fn(usize) -> bool| {
            (from..to).filter(|&i| pass(i)).for_each(set)
        };
        match test {
            Test::Text(needle) => {
                if needle.is_empty() {
                    return (from..to).for_each(set);
                }
                let lo = self.start(from);
                let hay = &self.text[lo..self.start(to)];
                let finder = memmem::Finder::new(needle.as_bytes());
                let (mut pos, mut acct) = (0, from);
                while let Some(p) = finder.find(&hay[pos..]) {
                    let at = lo + pos + p;
                    while self.ends[acct] as usize <= at {
                        acct += 1;
                    }
                    set(acct);
                    pos = self.ends[acct] as usize - lo;
                }
                for (&i, e) in self.extras.range(from as u32..to as u32) {
                    if e.note.contains(needle.as_str())
                        || e.tags.iter().any(|t| t.contains(needle.as_str()))
                    {
                        set(i as usize);
                    }
                }
            }
            Test::Count(c, b) => {
                let col = &self.counts[*c as usize];
                each(&mut set, &|i| b.holds(i64::from(col[i])));
            }
            Test::Age(b) => each(&mut set, &|i| {
                unpack_time(self.created[i]).is_some_and(|t| b.holds(now - t))
            }),
            Test::Joined(b) => each(&mut set, &|i| within(self.created[i], *b)),
            Test::Seen(b) => each(&mut set, &|i| within(self.seen[i], *b)),
            Test::Flag(f, want) => {
                let bit = f.bit();
                each(&mut set, &|i| (self.flags[i] & bit != 0) == *want);
            }
            Test::Tag(name) => {
                for (&i, e) in self.extras.range(from as u32..to as u32) {
                    if e.tags.iter().any(|t| t == name) {
                        set(i as usize);
                    }
                }
            }
            Test::Note(word) => {
                for (&i, e) in self.extras.range(from as u32..to as u32) {
                    if e.note.contains(word.as_str()) {
                        set(i as usize);
                    }
                }
            }
        }
    }
}

fn within(t: u32, b: Bounds) -> bool {
    unpack_time(t).is_some_and(|t| b.holds(t))
}

/// Appends `s` lower-cased (ASCII fast path).
fn push_lower(out: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        out.extend_from_slice(s.to_lowercase().as_bytes());
    }
}

/// A search in progress: evaluates [`CHUNK`] accounts per step, in index order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The query evaluated.
    pub query: Query,
    now: i64,
    len: usize,
    next: usize,
    bits: Vec<u64>,
}

impl Job {
    /// A search of `query` over the first `len` accounts, at Unix time `now`.
    pub fn new(query: Query, now: i64, len: usize) -> Self {
        Self {
            query,
            now,
            len,
            next: 0,
            bits: vec![0; len.div_ceil(64)],
        }
    }

    /// Evaluates up to `limit` more accounts (rounded up to whole words); true when done.
    pub fn step(&mut self, index: &Index, limit: usize) -> bool {
        let from = self.next;
        let span = limit
            .max(1)
            .checked_next_multiple_of(64)
            .unwrap_or(usize::MAX);
        let to = from.saturating_add(span).min(self.len);
        if from >= to {
            return true;
        }
        let words = &mut self.bits[from / 64..to.div_ceil(64)];
        words.fill(u64::MAX);
        if !(to - from).is_multiple_of(64) {
            *words.last_mut().expect("a word") = (1 << ((to - from) % 64)) - 1;
        }
        let mut mask = vec![0u64; words.len()];
        for term in &self.query.terms {
            mask.fill(0);
            index.mark(&term.test, self.now, from, to, &mut mask);
            for (w, m) in words.iter_mut().zip(&mask) {
                *w &= if term.negated { !m } else { *m };
            }
        }
        self.next = to;
        self.next >= self.len
    }

    /// True once every account has been evaluated.
    pub fn done(&self) -> bool {
        self.next >= self.len
    }

    /// Accounts evaluated so far.
    pub fn progress(&self) -> usize {
        self.next
    }

    /// Accounts to evaluate in all.
    pub fn total(&self) -> usize {
        self.len
    }

    /// True when account `i` matched (false for accounts not evaluated yet).
    pub fn contains(&self, i: u32) -> bool {
        let i = i as usize;
        i < self.next && self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The matching indices found so far, ascending.
    pub fn matches(&self) -> impl Iterator<Item = u32> + '_ {
        let upto = self.next.div_ceil(64);
        self.bits[..upto].iter().enumerate().flat_map(|(w, &bits)| {
            let mut b = bits;
            std::iter::from_fn(move || {
                (b != 0).then(|| {
                    let t = b.trailing_zeros();
                    b &= b - 1;
                    (w * 64) as u32 + t
                })
            })
        })
    }

    /// Number of matches found so far.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Row};
    use super::*;
    use proptest::prelude::*;

    /// The brute-force reference: every term on every row, straight from the row's fields.
    fn reference(rows: &[(Row, String, Vec<String>)], q: &Query, now: i64) -> Vec<u32> {
        let lower = |s: &str| s.to_lowercase();
        let holds = |(r, note, tags): &(Row, String, Vec<String>), t: &Test| match t {
            Test::Text(w) => {
                [&r.handle, &r.name, &r.bio, &r.location, &r.url, note]
                    .iter()
                    .any(|f| lower(f).contains(w.as_str()))
                    || tags.iter().any(|t| lower(t).contains(w.as_str()))
            }
            Test::Count(c, b) => b.holds(match c {
                Count::Followers => r.followers,
                Count::Following => r.following,
                Count::Posts => r.posts,
                Count::Listed => r.listed,
            } as i64),
            Test::Age(b) => r.created_at.is_some_and(|c| b.holds(now - c)),
            Test::Joined(b) => r.created_at.is_some_and(|c| b.holds(c)),
            Test::Seen(b) => r.first_seen.is_some_and(|c| b.holds(c)),
            Test::Flag(f, want) => (r.flags & f.bit() != 0) == *want,
            Test::Tag(name) => tags.iter().any(|t| lower(t) == *name),
            Test::Note(w) => lower(note).contains(w.as_str()),
        };
        rows.iter()
            .enumerate()
            .filter(|(_, row)| q.terms.iter().all(|t| holds(row, &t.test) != t.negated))
            .map(|(i, _)| i as u32)
            .collect()
    }

    const WORDS: &[&str] = &[
        "ab",
        "Ba",
        "phd",
        "PhD student",
        "Ünï",
        "a b",
        "x",
        "",
        "İs",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 0..4).prop_map(|w| w.join(" "))
    }

    fn row() -> impl Strategy<Value = (Row, String, Vec<String>)> {
        (
            (text(), text(), text(), text(), text()),
            (0u64..3000, 0u64..3000, 0u64..3000, 0u64..30),
            (
                proptest::option::of(1_000_000_000i64..1_800_000_000),
                proptest::option::of(1_000_000_000i64..1_800_000_000),
            ),
            0u8..64,
            (
                text(),
                proptest::collection::vec(
                    proptest::sample::select(&["spam", "Troll", "ok"][..]).prop_map(String::from),
                    0..3,
                ),
            ),
        )
            .prop_map(
                |((h, n, b, l, u), (f, g, p, ls), (c, s), flags, (note, tags))| {
                    let row = Row {
                        handle: h,
                        name: n,
                        bio: b,
                        location: l,
                        url: u,
                        followers: f,
                        following: g,
                        posts: p,
                        listed: ls,
                        created_at: c,
                        first_seen: s,
                        flags,
                    };
                    (row, note, tags)
                },
            )
    }

    fn query() -> impl Strategy<Value = String> {
        let term = proptest::sample::select(
            &[
                "ab",
                "ba",
                "PHD",
                "\"phd student\"",
                "ü",
                "\"a b\"",
                "x",
                "İs",
                "spam",
                "troll",
                "followers:<1k",
                "followers:>=1500",
                "following:10..2000",
                "posts:=0",
                "listed:>5",
                "age:<5y",
                "age:>10y",
                "joined:<2012-01-01",
                "joined:2020",
                "seen:>2026-06-01",
                "verified:yes",
                "protected:no",
                "avatar:default",
                "bio:empty",
                "kept:yes",
                "gone:no",
                "tag:spam",
                "tag:TROLL",
                "note:ab",
                "note:\"a b\"",
            ][..],
        );
        proptest::collection::vec((proptest::bool::ANY, term), 0..4).prop_map(|ts| {
            ts.into_iter()
                .map(|(neg, t)| format!("{}{t}", if neg { "-" } else { "" }))
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    proptest! {
        #[test]
        fn the_index_agrees_with_brute_force(rows in proptest::collection::vec(row(), 0..200), q in query(), slice in 1usize..300) {
            let mut index = Index::default();
            for (r, note, tags) in &rows {
                let i = index.push(r);
                index.set_extra(i, note, tags);
            }
            let q = parse(&q).unwrap();
            let now = 1_790_000_000;
            let want = reference(&rows, &q, now);
            prop_assert_eq!(&index.search(&q, now), &want);
            let mut job = Job::new(q, now, index.len());
            while !job.step(&index, slice) {}
            prop_assert_eq!(job.matches().collect::<Vec<_>>(), want.clone());
            prop_assert_eq!(job.count(), want.len());
        }
    }

    #[test]
    fn words_never_match_across_fields_or_accounts() {
        let mut index = Index::default();
        let row = |h: &str, n: &str| Row {
            handle: h.into(),
            name: n.into(),
            ..Row::default()
        };
        index.push(&row("abc", "def"));
        index.push(&row("ghi", "jkl"));
        let hits = |q: &str| index.search(&parse(q).unwrap(), 0);
        assert_eq!(hits("cdef"), Vec::<u32>::new());
        assert_eq!(hits("\"c d\""), Vec::<u32>::new());
        assert_eq!(hits("ABC"), vec![0]);
        assert_eq!(hits("-abc"), vec![1]);
        assert_eq!(hits(""), vec![0, 1]);
    }
}
