//! `user.fields`, `tweet.fields`/`post.fields` and `expansions`: parsing and validation of what
//! a request asked to see, in the vocabulary it spoke; `render` serialises the answer.

mod enums;
mod render;

pub use enums::*;

use super::problems::Invalid;

/// Which vocabulary the request spoke; the answer speaks the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocab {
    /// `tweet.fields`, `pinned_tweet_id`, `includes.tweets`.
    Tweet,
    /// `post.fields`, `pinned_post_id`, `includes.posts`, `post_count`.
    Post,
}

impl Vocab {
    /// Host of problem `type` URLs in this vocabulary.
    pub fn problem_host(self) -> &'static str {
        match self {
            Vocab::Tweet => "api.twitter.com",
            Vocab::Post => "api.x.com",
        }
    }
    /// `tweet` or `post`.
    pub fn word(self) -> &'static str {
        match self {
            Vocab::Tweet => "tweet",
            Vocab::Post => "post",
        }
    }
}

/// What a request asked to see.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Vocabulary of the answer.
    pub vocab: Vocab,
    user: Vec<&'static str>,
    post: Vec<&'static str>,
    /// Expand pinned posts into `includes`.
    pub pinned: bool,
    /// Expand most recent posts into `includes`.
    pub recent: bool,
}

/// The query parameter names that carry field selections.
pub const SELECTION_PARAMS: &[&str] = &["user.fields", "tweet.fields", "post.fields", "expansions"];

fn canonical(word: &str) -> &str {
    match word {
        "pinned_post_id" => "pinned_tweet_id",
        "most_recent_post_id" => "most_recent_tweet_id",
        "edit_history_post_ids" => "edit_history_tweet_ids",
        "referenced_posts" => "referenced_tweets",
        w => w,
    }
}

fn parse_list(
    name: &str,
    raw: Option<&str>,
    tweet: &'static [&'static str],
    post: &'static [&'static str],
    vocab: Vocab,
    errors: &mut Vec<Invalid>,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    let Some(raw) = raw else { return out };
    let mut listed = if vocab == Vocab::Post { post } else { tweet }.to_vec();
    listed.sort_unstable();
    for v in raw.split(',') {
        let c = canonical(v);
        match tweet.iter().chain(post).find(|&&w| w == c) {
            Some(&w) if tweet.contains(&v) || post.contains(&v) => out.push(w),
            _ => errors.push(Invalid::value(
                name,
                v,
                format!(
                    "The `{name}` query parameter value [{v}] is not one of [{}]",
                    listed.join(",")
                ),
            )),
        }
    }
    out
}

impl Selection {
    /// Parses the selection parameters of a query; errors are 400 entries. A query that uses
    /// neither vocabulary's words is answered in `neutral`.
    pub fn parse(query: &[(String, String)], neutral: Vocab, errors: &mut Vec<Invalid>) -> Self {
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let uses = |param: &str, words: [&str; 2]| {
            get(param).is_some_and(|l| l.split(',').any(|w| words.contains(&w)))
        };
        let post_words = ["pinned_post_id", "most_recent_post_id"];
        let tweet_words = ["pinned_tweet_id", "most_recent_tweet_id"];
        let speaks_post = get("post.fields").is_some()
            || uses("expansions", post_words)
            || uses("user.fields", post_words);
        let speaks_tweet = get("tweet.fields").is_some()
            || uses("expansions", tweet_words)
            || uses("user.fields", tweet_words);
        let vocab = match (speaks_post, speaks_tweet) {
            (true, _) => Vocab::Post,
            (false, true) => Vocab::Tweet,
            (false, false) => neutral,
        };
        let user = parse_list(
            "user.fields",
            get("user.fields"),
            USER_FIELDS,
            USER_FIELDS_POST,
            vocab,
            errors,
        );
        let mut post = parse_list(
            "tweet.fields",
            get("tweet.fields"),
            TWEET_FIELDS,
            TWEET_FIELDS,
            Vocab::Tweet,
            errors,
        );
        post.extend(parse_list(
            "post.fields",
            get("post.fields"),
            TWEET_FIELDS,
            POST_FIELDS,
            Vocab::Post,
            errors,
        ));
        let exp = parse_list(
            "expansions",
            get("expansions"),
            EXPANSIONS,
            EXPANSIONS_POST,
            vocab,
            errors,
        );
        let mut user = user;
        // An expanded id field is always present on the user, as X answers.
        for f in ["pinned_tweet_id", "most_recent_tweet_id"] {
            if exp.contains(&f) && !user.contains(&f) {
                user.push(f);
            }
        }
        Self {
            vocab,
            user,
            post,
            pinned: exp.contains(&"pinned_tweet_id"),
            recent: exp.contains(&"most_recent_tweet_id"),
        }
    }

    fn wants(&self, f: &str) -> bool {
        self.user.contains(&f)
    }
}

/// How the signed-in account relates to a user (for `connection_status`, `confirmed_email`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Relation {
    /// The user is the signed-in account.
    pub me: bool,
    /// The signed-in account blocks them.
    pub blocking: bool,
    /// The signed-in account mutes them.
    pub muting: bool,
    /// The signed-in account follows them (never while blocking them).
    pub following: bool,
    /// They follow the signed-in account (never while blocked).
    pub followed_by: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn vocabulary_follows_the_request() {
        let mut e = Vec::new();
        let s = Selection::parse(
            &q(&[("expansions", "pinned_post_id")]),
            Vocab::Tweet,
            &mut e,
        );
        assert!(e.is_empty());
        assert_eq!(s.vocab, Vocab::Post);
        assert!(s.pinned);
        let s = Selection::parse(
            &q(&[("user.fields", "created_at,bogus,x")]),
            Vocab::Tweet,
            &mut e,
        );
        assert_eq!(s.vocab, Vocab::Tweet);
        assert_eq!(e.len(), 2);
        let s = Selection::parse(&q(&[]), Vocab::Post, &mut e);
        assert_eq!(s.vocab, Vocab::Post);
        let s = Selection::parse(&q(&[("tweet.fields", "lang")]), Vocab::Post, &mut e);
        assert_eq!(s.vocab, Vocab::Tweet);
        assert!(e[0].message.starts_with(
            "The `user.fields` query parameter value [bogus] is not one of [affiliation,confirmed_email,"
        ));
        assert!(e[0].message.contains("pinned_tweet_id") && !e[0].message.contains("subscribes"));
    }

    #[test]
    fn the_400_enum_follows_the_request_vocabulary() {
        let mut e = Vec::new();
        Selection::parse(
            &q(&[("user.fields", "bogus"), ("post.fields", "text")]),
            Vocab::Tweet,
            &mut e,
        );
        let msg = &e[0].message;
        assert!(msg.contains(",subscribes_to_you,"), "{msg}");
        assert!(
            !msg.contains("pinned_") && !msg.contains("most_recent_"),
            "{msg}"
        );
        let mut e = Vec::new();
        Selection::parse(
            &q(&[
                ("user.fields", "pinned_post_id"),
                ("expansions", "pinned_post_id"),
            ]),
            Vocab::Tweet,
            &mut e,
        );
        assert_eq!(e.len(), 1, "S167: an expansion, not a user field");
    }
}
