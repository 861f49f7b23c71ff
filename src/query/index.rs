//! The one evaluator: accounts as columns (lower-cased searchable text packed in one buffer,
//! numbers in flat arrays), searched with `memchr::memmem` and compared column by column.
//! A search runs in slices of [`CHUNK`] accounts ([`Job`]) so a caller can stay responsive.
//!
//! The packed text is the only copy the TUI keeps of the accounts' text: a short stream of
//! case patches per account ([`Index::fields`]) gives back the text as it was pushed, so a loaded
//! account costs its lower-cased text plus a few bytes.

use std::collections::{BTreeMap, HashMap};

use memchr::memmem;

use super::{Bounds, Count, Flag, Query, Row, RowRef, Test};

/// Accounts evaluated per [`Job::step`] (a multiple of 64).
pub const CHUNK: usize = 1 << 17;

/// Finished searches a caller keeps for [`Job::after`] to narrow (each costs a bit per account).
pub const EARLIER: usize = 8;

/// Ends a field in the packed text (never in sanitized text or a needle).
const FIELD_END: u8 = 0x1F;

/// Columns of every account, in insertion order; indices are stable.
#[derive(Debug, Clone, Default)]
pub struct Index {
    text: Vec<u8>,
    ends: Vec<u32>,
    /// Case patches of every account (see [`encode_case`]), account `i` ending at `case_ends[i]`.
    case: Vec<u8>,
    case_ends: Vec<u32>,
    /// The text as pushed, of the rare accounts the patches cannot restore.
    verbatim: HashMap<u32, Box<str>>,
    /// Bumped by every change, so a search started before one is not taken as current.
    generation: u64,
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
        self.push_ref(row.as_ref())
    }

    /// [`Index::push`] of borrowed fields.
    pub fn push_ref(&mut self, row: RowRef<'_>) -> u32 {
        self.generation += 1;
        let idx = self.ends.len() as u32;
        let (mut exact, mut patched) = (true, 0);
        let base = self.start(self.ends.len());
        for field in row.text {
            let from = self.text.len();
            let at = from - base;
            if field.is_ascii() {
                push_ascii(&mut self.text, field, at, &mut patched, &mut self.case);
            } else {
                push_lower(&mut self.text, field);
                exact &= encode_case(field, &self.text[from..], at, &mut patched, &mut self.case);
            }
            self.text.push(FIELD_END);
        }
        if !exact {
            self.verbatim
                .insert(idx, row.text.join("\u{1f}").into_boxed_str());
        }
        let end = u32::try_from(self.text.len()).expect("searchable text under 4 GiB");
        self.ends.push(end);
        let case_end = u32::try_from(self.case.len()).expect("case patches under 4 GiB");
        self.case_ends.push(case_end);
        for (col, v) in self.counts.iter_mut().zip(row.counts) {
            col.push(v.min(u64::from(u32::MAX)) as u32);
        }
        self.created.push(pack_time(row.created_at));
        self.seen.push(pack_time(row.first_seen));
        self.flags.push(row.flags);
        idx
    }

    /// Forgets every account.
    pub fn clear(&mut self) {
        *self = Self {
            generation: self.generation + 1,
            ..Self::default()
        };
    }

    /// The text of account `i` as it was pushed: handle, name, bio, location, url.
    pub fn fields(&self, i: u32) -> [String; 5] {
        let text = match self.verbatim.get(&i) {
            Some(t) => t.to_string(),
            None => {
                let lower = &self.text[self.start(i as usize)..self.ends[i as usize] as usize];
                let c = i as usize;
                let from = if c == 0 {
                    0
                } else {
                    self.case_ends[c - 1] as usize
                };
                decode_case(lower, &self.case[from..self.case_ends[c] as usize])
            }
        };
        let mut parts = text.split('\u{1f}').map(str::to_string);
        std::array::from_fn(|_| parts.next().unwrap_or_default())
    }

    /// The lower-cased handle (`0`) or name (`1`) of account `i`, as searched (for sorting).
    pub fn lower_field(&self, i: u32, field: usize) -> &str {
        let lower = &self.text[self.start(i as usize)..self.ends[i as usize] as usize];
        let bytes = lower
            .split(|&b| b == FIELD_END)
            .nth(field)
            .unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Bytes held (capacity of every column).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.case.capacity()
            + self.case_ends.capacity() * 4
            + self.verbatim.values().map(|t| t.len() + 32).sum::<usize>()
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
        self.case.shrink_to_fit();
        self.case_ends.shrink_to_fit();
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
        self.generation += 1;
        self.seen[i as usize] = pack_time(t);
    }

    /// True when `flag` holds for account `i`.
    pub fn flag(&self, i: u32, flag: Flag) -> bool {
        self.flags[i as usize] & flag.bit() != 0
    }

    /// Sets or clears `flag` of account `i`.
    pub fn set_flag(&mut self, i: u32, flag: Flag, on: bool) {
        self.generation += 1;
        let f = &mut self.flags[i as usize];
        if on {
            *f |= flag.bit();
        } else {
            *f &= !flag.bit();
        }
    }

    /// Sets the note and tags of account `i` (as searched: lower-cased).
    pub fn set_extra(&mut self, i: u32, note: &str, tags: &[String]) {
        self.generation += 1;
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

    /// Calls `set` for every account of the account ranges `runs` whose text holds the needle
    /// of `finder`: one pass over each range's packed text, moving on to the next account at a
    /// find.
    fn scan(
        &self,
        finder: &memmem::Finder,
        runs: impl Iterator<Item = (usize, usize)>,
        set: &mut impl FnMut(usize),
    ) {
        for (a, b) in runs {
            let lo = self.start(a);
            let hay = &self.text[lo..self.start(b)];
            let (mut pos, mut acct) = (0, a);
            while let Some(p) = finder.find(&hay[pos..]) {
                let at = lo + pos + p;
                while self.ends[acct] as usize <= at {
                    acct += 1;
                }
                set(acct);
                pos = self.ends[acct] as usize - lo;
            }
        }
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1] as usize
        }
    }

    /// Sets in `mask` (bit `i - from`) the accounts of `from..to` that pass `test`, looking
    /// only at the accounts `cand` still holds (same bits; what it lacks is left unset).
    fn mark(&self, test: &Test, now: i64, from: usize, to: usize, cand: &[u64], mask: &mut [u64]) {
        let mut set = |i: usize| mask[(i - from) / 64] |= 1 << ((i - from) % 64);
        let runs = || runs(cand, from, to);
        let sparse =
            cand.iter().map(|w| w.count_ones() as usize).sum::<usize>() * SPARSE < to - from;
        let each = |set: &mut dyn FnMut(usize), pass: &dyn Fn(usize) -> bool| {
            if sparse {
                ones(cand, from).filter(|&i| pass(i)).for_each(&mut *set);
            } else {
                for (a, b) in runs() {
                    (a..b).filter(|&i| pass(i)).for_each(&mut *set);
                }
            }
        };
        let extras = |set: &mut dyn FnMut(usize), pass: &dyn Fn(&Extra) -> bool| {
            for (&i, e) in self.extras.range(from as u32..to as u32) {
                if pass(e) {
                    set(i as usize);
                }
            }
        };
        match test {
            Test::Text(needle) => {
                if needle.is_empty() {
                    return each(&mut set, &|_| true);
                }
                let finder = memmem::Finder::new(needle.as_bytes());
                if sparse {
                    // Few accounts left: look in each one's text alone.
                    for i in ones(cand, from) {
                        if finder
                            .find(&self.text[self.start(i)..self.ends[i] as usize])
                            .is_some()
                        {
                            set(i);
                        }
                    }
                } else {
                    self.scan(&finder, runs(), &mut set);
                }
                let n = needle.as_str();
                extras(&mut set, &|e| {
                    e.note.contains(n) || e.tags.iter().any(|t| t.contains(n))
                });
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
            Test::Tag(name) => extras(&mut set, &|e| e.tags.iter().any(|t| t == name)),
            Test::Note(word) => extras(&mut set, &|e| e.note.contains(word.as_str())),
        }
    }
}

/// Below one account in this many still a candidate, a word is looked for in each candidate's
/// text alone rather than in one pass over the packed text.
const SPARSE: usize = 4;

/// The accounts set in `cand` (word `w` holds accounts `from + 64·w ..`), ascending.
fn ones(cand: &[u64], from: usize) -> impl Iterator<Item = usize> + '_ {
    cand.iter().enumerate().flat_map(move |(w, &bits)| {
        let mut b = bits;
        std::iter::from_fn(move || {
            (b != 0).then(|| {
                let t = b.trailing_zeros() as usize;
                b &= b - 1;
                from + w * 64 + t
            })
        })
    })
}

/// The account ranges `a..b` of `from..to` covered by runs of non-zero words of `cand` (word
/// `w` holds accounts `from + 64·w ..`): what is left to look at.
fn runs(cand: &[u64], from: usize, to: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut w = 0;
    std::iter::from_fn(move || {
        while w < cand.len() && cand[w] == 0 {
            w += 1;
        }
        if w == cand.len() {
            return None;
        }
        let start = w;
        while w < cand.len() && cand[w] != 0 {
            w += 1;
        }
        Some((from + start * 64, (from + w * 64).min(to)))
    })
}

fn within(t: u32, b: Bounds) -> bool {
    unpack_time(t).is_some_and(|t| b.holds(t))
}

/// Appends a varint (7 bits a byte, low bits first).
fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*pos`, advancing it.
fn get_varint(bytes: &[u8], pos: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    while let Some(&b) = bytes.get(*pos) {
        *pos += 1;
        v |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

/// Appends to `out` the patches that turn `lower` (the lower-cased `field`, which starts at
/// byte `at` of its account's text) back into `field`. A patch is a varint `gap << 1 | kind`
/// (`gap`: bytes since the previous patch ended): kind 0 upper-cases one ASCII byte; kind 1
/// replaces `n` lower-cased bytes (a byte) by the original character (a length byte, its bytes).
/// Patches of one account follow each other across fields: `prev` is where the account's last
/// patch ended (0 before its first). False when `lower` is not the character-by-character
/// lowering of `field` (the caller then keeps the text verbatim).
fn encode_case(field: &str, lower: &[u8], at: usize, prev: &mut usize, out: &mut Vec<u8>) -> bool {
    if field.as_bytes() == lower {
        return true;
    }
    if field.is_ascii() {
        // Lowered byte by byte: one patch per capital letter.
        for (pos, b) in field.bytes().enumerate() {
            if b.is_ascii_uppercase() {
                let here = at + pos;
                put_varint(out, (here - *prev) << 1);
                *prev = here + 1;
            }
        }
        return field.len() == lower.len();
    }
    let (mut pos, mut rest) = (0usize, field);
    let mut buf = [0u8; 4];
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let lc: String = if c == 'Σ' {
            // Final sigma depends on context: take what `to_lowercase` wrote.
            match std::str::from_utf8(&lower[pos..])
                .ok()
                .and_then(|t| t.chars().next())
            {
                Some(l @ ('σ' | 'ς')) => l.to_string(),
                _ => return false,
            }
        } else {
            c.to_lowercase().collect()
        };
        if !lower[pos..].starts_with(lc.as_bytes()) {
            return false;
        }
        let here = at + pos;
        if lc.len() == 1 && c.is_ascii_uppercase() {
            put_varint(out, (here - *prev) << 1);
            *prev = here + 1;
        } else if lc.as_str() != c.encode_utf8(&mut buf) {
            put_varint(out, (here - *prev) << 1 | 1);
            out.push(lc.len() as u8);
            out.push(c.len_utf8() as u8);
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            *prev = here + lc.len();
        }
        pos += lc.len();
    }
    pos == lower.len()
}

/// The text of one account from its lower-cased text and its case patches.
fn decode_case(lower: &[u8], patches: &[u8]) -> String {
    let mut out = Vec::with_capacity(lower.len());
    let (mut at, mut p) = (0usize, 0usize);
    while p < patches.len() {
        let v = get_varint(patches, &mut p);
        let here = (at + (v >> 1)).min(lower.len());
        out.extend_from_slice(&lower[at..here]);
        if v & 1 == 0 {
            out.push(lower.get(here).map_or(b'?', u8::to_ascii_uppercase));
            at = here + 1;
        } else {
            let n = usize::from(patches.get(p).copied().unwrap_or(0));
            let len = usize::from(patches.get(p + 1).copied().unwrap_or(0));
            let orig = patches.get(p + 2..p + 2 + len).unwrap_or_default();
            out.extend_from_slice(orig);
            p += 2 + len;
            at = here + n;
        }
    }
    out.extend_from_slice(&lower[at.min(lower.len())..]);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`push_lower`] then [`encode_case`] of an ASCII `field`, in one pass over its bytes.
fn push_ascii(text: &mut Vec<u8>, field: &str, at: usize, prev: &mut usize, case: &mut Vec<u8>) {
    let from = text.len();
    text.extend_from_slice(field.as_bytes());
    for (pos, b) in text[from..].iter_mut().enumerate() {
        if b.is_ascii_uppercase() {
            *b = b.to_ascii_lowercase();
            let here = at + pos;
            put_varint(case, (here - *prev) << 1);
            *prev = here + 1;
        }
    }
}

/// Appends `s` lower-cased (ASCII fast path).
fn push_lower(out: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        let from = out.len();
        out.extend_from_slice(s.as_bytes());
        out[from..].make_ascii_lowercase();
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
    /// The matches of a query this one narrows: only those are evaluated.
    prior: Option<Vec<u64>>,
    /// The terms still to evaluate, cheapest first ([`super::Term::cost`]): a term the narrowed
    /// query already held for every one of `prior` is left out.
    order: Vec<usize>,
    /// [`Index::generation`] when the job started.
    generation: u64,
}

impl Job {
    /// A search of `query` over the first `len` accounts, at Unix time `now`.
    pub fn new(query: Query, now: i64, len: usize) -> Self {
        let mut order: Vec<usize> = (0..query.terms.len()).collect();
        order.sort_by_key(|&t| query.terms[t].cost());
        Self {
            query,
            now,
            len,
            next: 0,
            bits: vec![0; len.div_ceil(64)],
            prior: None,
            order,
            generation: 0,
        }
    }

    /// The search of `query` that follows the finished searches `earlier` while the user types:
    /// when `query` can only match accounts one of them matched (see [`Query::narrows`]) and
    /// `index` has not changed since, only those accounts are evaluated (of the one with the
    /// fewest matches), and only against the terms that search did not already hold for.
    pub fn after(earlier: &[Job], query: Query, now: i64, index: &Index) -> Self {
        let mut job = Self::over(query, now, index);
        let best = earlier
            .iter()
            .filter(|prev| prev.still_holds(index, now) && job.query.narrows(&prev.query))
            .min_by_key(|prev| prev.count());
        if let Some(prev) = best {
            let terms = &job.query.terms;
            job.order.retain(|&t| !prev.query.terms.contains(&terms[t]));
            job.prior = Some(prev.bits.clone());
        }
        job
    }

    /// True when this finished search is still the result over `index` at time `now`.
    pub fn still_holds(&self, index: &Index, now: i64) -> bool {
        self.done()
            && self.len == index.len()
            && self.generation == index.generation
            && (self.now == now || !self.query.uses_now())
    }

    /// A search of `query` over every account of `index`, at Unix time `now`.
    pub fn over(query: Query, now: i64, index: &Index) -> Self {
        Self {
            generation: index.generation,
            ..Self::new(query, now, index.len())
        }
    }

    /// True when this search evaluates only the matches of one before it.
    pub fn narrowed(&self) -> bool {
        self.prior.is_some()
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
        let span = from / 64..to.div_ceil(64);
        let words = &mut self.bits[span.clone()];
        match &self.prior {
            Some(prior) => words.copy_from_slice(&prior[span]),
            None => words.fill(u64::MAX),
        }
        if !(to - from).is_multiple_of(64) {
            *words.last_mut().expect("a word") &= (1 << ((to - from) % 64)) - 1;
        }
        let mut mask = vec![0u64; words.len()];
        for term in self.order.iter().map(|&t| &self.query.terms[t]) {
            if words.iter().all(|&w| w == 0) {
                break;
            }
            mask.fill(0);
            index.mark(&term.test, self.now, from, to, words, &mut mask);
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
        ones(&self.bits[..self.next.div_ceil(64)], 0).map(|i| i as u32)
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

    proptest! {
        #[test]
        fn typing_and_deleting_key_by_key_gives_the_brute_force_result(rows in proptest::collection::vec(row(), 0..200), q in query(), slice in 1usize..300) {
            let mut index = Index::default();
            for (r, note, tags) in &rows {
                let i = index.push(r);
                index.set_extra(i, note, tags);
            }
            let now = 1_790_000_000;
            let mut earlier: Vec<Job> = Vec::new();
            let ends: Vec<usize> = q.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
            // Typed key by key, then deleted back key by key.
            for &end in ends.iter().chain(ends.iter().rev().skip(1)) {
                let Ok(typed) = parse(&q[..end]) else { continue };
                let want = reference(&rows, &typed, now);
                let mut job = Job::after(&earlier, typed, now, &index);
                while !job.step(&index, slice) {}
                prop_assert_eq!(job.matches().collect::<Vec<_>>(), want, "after typing {:?}", &q[..end]);
                if earlier.len() == EARLIER {
                    earlier.remove(0);
                }
                earlier.push(job);
            }
        }
    }

    #[test]
    fn a_search_narrows_only_while_nothing_changed() {
        let mut index = Index::default();
        for h in ["crypto", "cry", "cat"] {
            index.push(&Row {
                handle: h.into(),
                ..Row::default()
            });
        }
        let run = |q: &str, earlier: &[Job], now: i64, index: &Index| {
            let mut job = Job::after(earlier, parse(q).unwrap(), now, index);
            while !job.step(index, CHUNK) {}
            job
        };
        let narrows = |q: &str, earlier: &Job, now: i64, index: &Index| {
            Job::after(std::slice::from_ref(earlier), parse(q).unwrap(), now, index).narrowed()
        };
        let cr = run("cr", &[], 0, &index);
        assert!(!cr.narrowed());
        let cry = run("cry", std::slice::from_ref(&cr), 0, &index);
        assert!(cry.narrowed());
        assert_eq!(cry.matches().collect::<Vec<_>>(), vec![0, 1]);
        assert!(!narrows("c", &cry, 0, &index));
        assert!(!narrows("c", &cr, 0, &index));
        assert!(!narrows("-cry", &cry, 0, &index));
        assert!(narrows("cry followers:>1", &cry, 0, &index));
        assert!(
            narrows("cry age:<1d", &cr, 9, &index),
            "a later time changes nothing a word matched"
        );
        let age = run("age:<1d", &[], 0, &index);
        assert!(!narrows("age:<1d cr", &age, 9, &index));
        let many = run("followers:>5", &[], 0, &index);
        assert!(narrows("followers:>50", &many, 0, &index));
        assert!(!narrows("followers:>4", &many, 0, &index));
        let not_bot = run("-bot", &[], 0, &index);
        assert!(narrows("-bo", &not_bot, 0, &index));
        assert!(!narrows("-bots", &not_bot, 0, &index));
        index.set_extra(2, "cryptic", &[]);
        let after_note = run("cryp", std::slice::from_ref(&cry), 0, &index);
        assert!(!after_note.narrowed(), "a note changed since");
        assert_eq!(after_note.matches().collect::<Vec<_>>(), vec![0, 2]);
    }

    fn five(f: [&str; 5]) -> Row {
        Row {
            handle: f[0].into(),
            name: f[1].into(),
            bio: f[2].into(),
            location: f[3].into(),
            url: f[4].into(),
            ..Row::default()
        }
    }

    proptest! {
        #[test]
        fn the_text_comes_back_as_pushed(fields in proptest::array::uniform5("\\PC{0,30}"), more in proptest::collection::vec(proptest::array::uniform5("[a-zA-ZΣσİéÉ ]{0,12}"), 0..5)) {
            let mut index = Index::default();
            let mut rows = vec![fields.clone()];
            rows.extend(more);
            for r in &rows {
                index.push(&five([&r[0], &r[1], &r[2], &r[3], &r[4]]));
            }
            for (i, r) in rows.iter().enumerate() {
                prop_assert_eq!(&index.fields(i as u32), r);
            }
        }
    }

    #[test]
    fn case_patches_restore_every_kind_of_capital() {
        let mut index = Index::default();
        let texts = [
            [
                "Jack_Dorsey",
                "ΟΔΟΣ ΣΑΣ",
                "İstanbul \u{212a}elvin STRAẞE",
                "",
                "https://X.com/A",
            ],
            ["plain", "no capitals", "", "here", ""],
            ["", "", "", "", ""],
        ];
        for t in &texts {
            index.push(&five(*t));
        }
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(index.fields(i as u32), t.map(String::from));
        }
        assert_eq!(index.lower_field(0, 0), "jack_dorsey");
        assert_eq!(index.lower_field(0, 1), "οδος σας");
        assert!(
            index.verbatim.is_empty(),
            "the patches restore all of these"
        );
        assert_eq!(index.search(&parse("Jack_D").unwrap(), 0), vec![0]);
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
