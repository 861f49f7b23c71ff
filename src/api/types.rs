//! Response shapes of the X API v2, tolerant of unknown and missing optional fields.
//!
//! Both vocabularies are read: `tweet` words (`pinned_tweet_id`, `includes.tweets`,
//! `tweet_count`) and `post` words (`pinned_post_id`, `includes.posts`, `post_count`).

use serde::{Deserialize, Serialize};

/// A user object. Only `id`, `name` and `username` are always present. Read by the
/// deserializer in `user_de` (the derived one buffered every field for `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct User {
    /// Decimal id string (may exceed 2^53: never a float).
    pub id: String,
    /// Display name; untrusted text.
    #[serde(default)]
    pub name: String,
    /// Handle without `@`.
    #[serde(default)]
    pub username: String,
    /// RFC 3339 UTC with milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Bio; untrusted text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free-text location; untrusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Profile link (a t.co URL), `""` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_image_url: Option<String>,
    /// Counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_metrics: Option<PublicMetrics>,
    /// Verified flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// `blue`, `business`, `government`, `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_type: Option<String>,
    /// Protected (private) account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    /// Pinned post id (`pinned_post_id` in the post vocabulary).
    #[serde(
        default,
        alias = "pinned_post_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub pinned_tweet_id: Option<String>,
    /// How the signed-in account relates to the user (`blocking`, `muting`, …), when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_status: Option<Vec<String>>,
    /// The expanded profile link, when the typed read (which keeps no `extra`) found one in
    /// `entities`; not part of X's object.
    #[serde(skip)]
    pub profile_link: Option<String>,
    /// Fields this client does not model, kept so exports round-trip.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An RFC 3339 timestamp (X's `created_at`, the log's times) as Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

impl User {
    /// The profile link as X expands it (`entities.url.urls[0].expanded_url`), else `url` as
    /// sent.
    pub fn expanded_url(&self) -> Option<&str> {
        if let Some(link) = &self.profile_link {
            return Some(link);
        }
        self.extra
            .get("entities")
            .and_then(|e| e.get("url"))
            .and_then(|e| e.get("urls"))
            .and_then(|urls| urls.get(0))
            .and_then(|url| url.get("expanded_url"))
            .and_then(|v| v.as_str())
            .or(self.url.as_deref())
    }

    /// True when the avatar is X's default picture (the egg and its successors).
    pub fn default_avatar(&self) -> bool {
        static KEY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"default_profile_images"));
        self.profile_image_url
            .as_deref()
            .is_some_and(|p| KEY.find(p.as_bytes()).is_some())
    }
}

/// One user object exactly as X sent it, as JSON text on one line (an object X pretty-printed
/// is compacted, so line-based files and formats can hold it as is).
#[derive(Debug, Clone)]
pub struct RawUser(Box<serde_json::value::RawValue>);

impl RawUser {
    /// The object's JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The object's JSON text, owned.
    pub fn into_json(self) -> String {
        Box::<str>::from(self.0).into()
    }

    /// The object as a [`User`].
    pub fn decode(&self) -> serde_json::Result<User> {
        serde_json::from_str(self.0.get())
    }

    /// The object as a [`User`] without `extra`, the expanded profile link of `entities` in
    /// `profile_link` (faster: for a caller that keeps this text for the fields this client
    /// does not model).
    pub fn decode_typed(&self) -> serde_json::Result<User> {
        serde_json::from_str(self.0.get()).map(|super::user_de::Typed(u)| u)
    }

    /// The object's string `id`, if it has one.
    pub fn id(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Id {
            id: Option<serde_json::Value>,
        }
        match serde_json::from_str::<Id>(self.0.get()).ok()?.id? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for RawUser {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        // Whitespace is all a raw line break can be in JSON text (strings escape theirs).
        if memchr::memchr2(b'\n', b'\r', raw.get().as_bytes()).is_none() {
            return Ok(Self(raw));
        }
        let v: serde_json::Value =
            serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
        serde_json::value::to_raw_value(&v)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// `public_metrics` of a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicMetrics {
    /// Followers.
    #[serde(default)]
    pub followers_count: u64,
    /// Following.
    #[serde(default)]
    pub following_count: u64,
    /// Posts (`post_count` in the post vocabulary).
    #[serde(default, alias = "post_count")]
    pub tweet_count: u64,
    /// Lists the user is on.
    #[serde(default)]
    pub listed_count: u64,
}

/// A post (tweet) as found in `includes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tweet {
    /// Post id.
    pub id: String,
    /// Text; untrusted.
    #[serde(default)]
    pub text: String,
    /// Creation time when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `includes` of a response.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Includes {
    /// Expanded posts (`tweets` or `posts`).
    #[serde(default, alias = "posts")]
    pub tweets: Vec<Tweet>,
    /// Expanded users.
    #[serde(default)]
    pub users: Vec<User>,
}

/// `meta` of a list response.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Meta {
    /// Number of items in `data`.
    #[serde(default)]
    pub result_count: u64,
    /// Token of the next page; absent on the last.
    #[serde(default)]
    pub next_token: Option<String>,
    /// Token of the previous page; absent on the first.
    #[serde(default)]
    pub previous_token: Option<String>,
}

/// One entry of `errors` (partial errors, or the 400 envelope).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiProblem {
    /// Title, e.g. `Not Found Error`.
    #[serde(default)]
    pub title: Option<String>,
    /// Human-readable detail.
    #[serde(default)]
    pub detail: Option<String>,
    /// Problem type URL; compare by last path segment.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Offending value.
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    /// Offending parameter name.
    #[serde(default)]
    pub parameter: Option<String>,
    /// Resource id the problem is about.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// v1.1-style or 400-envelope message.
    #[serde(default)]
    pub message: Option<String>,
}

/// A list response: `/blocking`, `/muting`, `/users?ids=`, `/users/by?usernames=`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListResponse {
    /// The users; absent when empty.
    #[serde(default)]
    pub data: Vec<User>,
    /// Expanded objects.
    #[serde(default)]
    pub includes: Includes,
    /// Partial errors.
    #[serde(default)]
    pub errors: Vec<ApiProblem>,
    /// Counts and tokens.
    #[serde(default)]
    pub meta: Meta,
}

/// A single-object response: `/users/me`, `/users/:id`, `/users/by/username/:u`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SingleResponse {
    /// The user; absent when not found.
    #[serde(default)]
    pub data: Option<User>,
    /// Expanded objects.
    #[serde(default)]
    pub includes: Includes,
    /// Partial errors, or the not-found entry.
    #[serde(default)]
    pub errors: Vec<ApiProblem>,
}
