//! `user.fields`, `tweet.fields`/`post.fields` and `expansions`: parsing, validation and
//! rendering of user and post objects in the vocabulary the request spoke.

use serde_json::{json, Map, Value};

use super::problems::Invalid;
use super::world::{rfc3339, Post, Profile};

/// `user.fields` values in the tweet vocabulary (the live 400 enum).
pub const USER_FIELDS: &[&str] = &[
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
];

/// `user.fields` values in the post vocabulary.
pub const USER_FIELDS_POST: &[&str] = &[
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_post_id",
    "name",
    "parody",
    "pinned_post_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
];

/// `tweet.fields` values.
pub const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
];

/// `post.fields` values.
pub const POST_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_post_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_posts",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
];

/// `expansions` values of the user endpoints.
pub const EXPANSIONS: &[&str] = &[
    "affiliation.user_id",
    "most_recent_tweet_id",
    "pinned_tweet_id",
];
/// `expansions` values in the post vocabulary.
pub const EXPANSIONS_POST: &[&str] = &[
    "affiliation.user_id",
    "most_recent_post_id",
    "pinned_post_id",
];

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
    fn word(self) -> &'static str {
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
    let listed = if vocab == Vocab::Post { post } else { tweet };
    for v in raw.split(',') {
        let c = canonical(v);
        match tweet.iter().find(|&&w| w == c) {
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
    /// Parses the selection parameters of a query; errors are 400 entries.
    pub fn parse(query: &[(String, String)], errors: &mut Vec<Invalid>) -> Self {
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let post_words = ["pinned_post_id", "most_recent_post_id"];
        let speaks_post = get("post.fields").is_some()
            || [get("expansions"), get("user.fields")]
                .into_iter()
                .flatten()
                .any(|l| l.split(',').any(|w| post_words.contains(&w)));
        let vocab = if speaks_post {
            Vocab::Post
        } else {
            Vocab::Tweet
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

    fn wants_post(&self, f: &str) -> bool {
        self.post.contains(&f)
    }

    /// Renders a user with the requested fields (`id`, `name`, `username` always).
    pub fn user(&self, p: &Profile, rel: Relation) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("name".into(), json!(p.name));
        m.insert("username".into(), json!(p.username));
        let post_word = self.vocab.word();
        for &f in USER_FIELDS {
            if !self.wants(f) || matches!(f, "id" | "name" | "username") {
                continue;
            }
            let v = match f {
                "created_at" => json!(rfc3339(p.created_at)),
                "description" => json!(p.description),
                "location" => match &p.location {
                    Some(l) => json!(l),
                    None => continue,
                },
                "url" => json!(p.url),
                "profile_image_url" => json!(p.image_url),
                "profile_banner_url" => match &p.banner_url {
                    Some(b) => json!(b),
                    None => continue,
                },
                "public_metrics" => {
                    let mut pm = json!({
                        "followers_count": p.metrics.followers,
                        "following_count": p.metrics.following,
                        "tweet_count": p.metrics.tweets,
                        "listed_count": p.metrics.listed,
                        "like_count": p.metrics.likes,
                        "media_count": p.metrics.media,
                    });
                    if self.vocab == Vocab::Post {
                        pm["post_count"] = json!(p.metrics.tweets);
                    }
                    pm
                }
                "verified" => json!(p.verified_type != "none"),
                "verified_type" => json!(p.verified_type),
                "protected" => json!(p.protected),
                "parody" => json!(p.parody),
                "receives_your_dm" => json!(p.receives_dm),
                "is_identity_verified" => {
                    json!(p.verified_type == "blue" && p.metrics.followers > 5000)
                }
                "verified_followers_count" => json!(p.metrics.followers / 9),
                "subscription" => json!({"subscribes_to_you": false}),
                "subscription_type" => {
                    json!(if p.verified_type == "blue" {
                        "Premium"
                    } else {
                        "None"
                    })
                }
                "withheld" => match p.withheld {
                    Some(c) => json!({"country_codes":[c],"scope":"user"}),
                    None => continue,
                },
                "confirmed_email" => {
                    if !rel.me {
                        continue;
                    }
                    json!(format!("{}@example.com", p.username.to_lowercase()))
                }
                "connection_status" => {
                    let mut v = Vec::new();
                    if rel.blocking {
                        v.push("blocking");
                    }
                    if rel.muting {
                        v.push("muting");
                    }
                    json!(v)
                }
                "entities" => match entities(p) {
                    Some(e) => e,
                    None => continue,
                },
                "pinned_tweet_id" => match p.pinned {
                    Some(id) => {
                        m.insert(format!("pinned_{post_word}_id"), json!(id.to_string()));
                        continue;
                    }
                    None => continue,
                },
                "most_recent_tweet_id" => match p.most_recent {
                    Some(id) => {
                        m.insert(format!("most_recent_{post_word}_id"), json!(id.to_string()));
                        continue;
                    }
                    None => continue,
                },
                _ => continue,
            };
            m.insert(f.to_string(), v);
        }
        Value::Object(m)
    }

    /// Renders a post with the requested fields.
    pub fn post(&self, post: &Post, author_id: &str) -> Value {
        let w = self.vocab.word();
        let mut m = Map::new();
        m.insert(
            format!("edit_history_{w}_ids"),
            json!([post.id.to_string()]),
        );
        m.insert("id".into(), json!(post.id.to_string()));
        m.insert("text".into(), json!(post.text));
        for &f in TWEET_FIELDS {
            if !self.wants_post(f) {
                continue;
            }
            let v = match f {
                "author_id" => json!(author_id),
                "created_at" => json!(rfc3339(post.created_at)),
                "conversation_id" => json!(post.id.to_string()),
                "lang" => json!(post.lang),
                "possibly_sensitive" => json!(false),
                "reply_settings" => json!("everyone"),
                "display_text_range" => json!([0, post.text.chars().count()]),
                "edit_controls" => json!({
                    "edits_remaining": 5,
                    "is_edit_eligible": true,
                    "editable_until": rfc3339(post.created_at + 3600),
                }),
                "public_metrics" => json!({
                    "retweet_count": post.retweets,
                    "reply_count": post.replies,
                    "like_count": post.likes,
                    "quote_count": post.quotes,
                    "bookmark_count": post.likes / 20,
                    "impression_count": post.impressions,
                }),
                "entities" => match text_entities(&post.text) {
                    Some(e) => e,
                    None => continue,
                },
                _ => continue,
            };
            m.insert(f.to_string(), v);
        }
        Value::Object(m)
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
}

fn entities(p: &Profile) -> Option<Value> {
    let mut m = Map::new();
    if !p.url.is_empty() {
        let display = p
            .expanded_url
            .trim_start_matches("https://")
            .trim_end_matches('/');
        m.insert(
            "url".into(),
            json!({"urls":[{"start":0,"end":p.url.chars().count(),"url":p.url,"expanded_url":p.expanded_url,"display_url":display}]}),
        );
    }
    if let Some(d) = text_entities(&p.description) {
        m.insert("description".into(), d);
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// Hashtags and mentions of a text, with code-point `start`/`end`.
fn text_entities(text: &str) -> Option<Value> {
    let chars: Vec<char> = text.chars().collect();
    let (mut tags, mut mentions) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '#' || c == '@') && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i + 1 {
                let word: String = chars[i + 1..j].iter().collect();
                if c == '#' {
                    tags.push(json!({"start":i,"end":j,"tag":word}));
                } else {
                    mentions.push(json!({"start":i,"end":j,"username":word}));
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let mut m = Map::new();
    if !tags.is_empty() {
        m.insert("hashtags".into(), Value::Array(tags));
    }
    if !mentions.is_empty() {
        m.insert("mentions".into(), Value::Array(mentions));
    }
    (!m.is_empty()).then_some(Value::Object(m))
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
        let s = Selection::parse(&q(&[("expansions", "pinned_post_id")]), &mut e);
        assert!(e.is_empty());
        assert_eq!(s.vocab, Vocab::Post);
        assert!(s.pinned);
        let s = Selection::parse(&q(&[("user.fields", "created_at,bogus,x")]), &mut e);
        assert_eq!(s.vocab, Vocab::Tweet);
        assert_eq!(e.len(), 2);
        assert!(e[0].message.starts_with(
            "The `user.fields` query parameter value [bogus] is not one of [affiliation,confirmed_email,"
        ));
    }

    #[test]
    fn hashtags_use_code_points() {
        let v = text_entities("🌊 #rust and @bob").unwrap();
        assert_eq!(v["hashtags"][0], json!({"start":2,"end":7,"tag":"rust"}));
        assert_eq!(v["mentions"][0]["username"], "bob");
    }
}
