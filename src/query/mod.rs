//! The query language shared by the TUI's `/`, `export --where` and `import --where`: one parser
//! (text → [`Query`]) and one evaluator ([`Index::search`]) over columns of accounts.
//!
//! Terms are separated by spaces and all must hold; `-TERM` negates a term; `"a phrase"` is one
//! term. A word matches case-insensitively as an exact substring of the handle, name, bio,
//! location, url (expanded), note or a tag. `key:value` terms filter (see [`parse`]).

mod index;
mod parse;
mod row;

pub use index::{Index, Job, CHUNK, EARLIER};
pub use parse::{parse, QueryError, KEYS};
pub use row::{CleanRow, OwnFlags, Row, RowRef};

/// A parsed query: every term must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// The text as typed (names the query in confirms and plans).
    pub text: String,
    /// The terms, in the order typed.
    pub terms: Vec<Term>,
}

impl Query {
    /// True when the query has no terms (it matches every account).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when what it matches depends on the time it is evaluated at (an `age:` term).
    pub fn uses_now(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.test, Test::Age(_)))
    }

    /// True when every account this query matches, `prev` matches too: each of `prev`'s terms
    /// is implied by one of this query's ([`Term::implies`]). Typing on at the end of a query
    /// (`cr` → `cry`, an added term, `followers:>5` → `followers:>50`) gives such a query.
    pub fn narrows(&self, prev: &Query) -> bool {
        prev.terms
            .iter()
            .all(|p| self.terms.iter().any(|n| n.implies(p)))
    }
}

/// One term, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// `-TERM`: the term must not hold.
    pub negated: bool,
    /// What is tested.
    pub test: Test,
}

impl Term {
    /// True when every account this term holds for, `other` holds for too.
    pub fn implies(&self, other: &Term) -> bool {
        match (self.negated, other.negated) {
            (false, false) => self.test.within(&other.test),
            // Not B implies not A when A implies B.
            (true, true) => other.test.within(&self.test),
            _ => false,
        }
    }

    /// Evaluation rank: column filters and note/tag lookups (cheap, and they leave fewer
    /// accounts for the text scans) before words, words before negated words.
    pub(crate) fn cost(&self) -> u8 {
        match (&self.test, self.negated) {
            (Test::Text(_), false) => 1,
            (Test::Text(_), true) => 2,
            _ => 0,
        }
    }
}

impl Test {
    /// True when every account `self` holds for, `other` holds for too.
    fn within(&self, other: &Test) -> bool {
        let inside = |a: &Bounds, b: &Bounds| a.min >= b.min && a.max <= b.max;
        match (self, other) {
            (Test::Text(a), Test::Text(b)) | (Test::Note(a), Test::Note(b)) => {
                a.contains(b.as_str())
            }
            (Test::Count(c, a), Test::Count(d, b)) => c == d && inside(a, b),
            (Test::Age(a), Test::Age(b))
            | (Test::Joined(a), Test::Joined(b))
            | (Test::Seen(a), Test::Seen(b)) => inside(a, b),
            _ => self == other,
        }
    }
}

/// What a term tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// Lower-cased text found in handle, name, bio, location, url, note or a tag.
    Text(String),
    /// A count within inclusive bounds.
    Count(Count, Bounds),
    /// Account age in seconds within inclusive bounds (unknown creation date: never holds).
    Age(Bounds),
    /// Creation time (Unix seconds) within inclusive bounds (unknown: never holds).
    Joined(Bounds),
    /// First seen (Unix seconds) within inclusive bounds (unknown: never holds).
    Seen(Bounds),
    /// A yes/no property.
    Flag(Flag, bool),
    /// Has a tag with this name (compared lower-cased).
    Tag(String),
    /// The note holds this lower-cased text.
    Note(String),
}

/// A numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// `followers:`
    Followers,
    /// `following:`
    Following,
    /// `posts:`
    Posts,
    /// `listed:`
    Listed,
}

/// A yes/no property of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// `verified:`
    Verified,
    /// `protected:`
    Protected,
    /// `avatar:default` (yes) / `avatar:custom` (no).
    DefaultAvatar,
    /// `bio:empty`.
    BioEmpty,
    /// `kept:` — on the keep list.
    Kept,
    /// `gone:` — no longer in the block list.
    Gone,
}

impl Flag {
    /// Bit of this flag in [`Row::flags`] and the index's flag column.
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Inclusive bounds `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Smallest value that holds.
    pub min: i64,
    /// Largest value that holds.
    pub max: i64,
}

impl Bounds {
    /// True when `v` is within the bounds.
    pub fn holds(self, v: i64) -> bool {
        self.min <= v && v <= self.max
    }
}
