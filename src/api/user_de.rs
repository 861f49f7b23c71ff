//! [`User`]'s deserializer: each known field straight into its place, every other field into
//! `extra`. The derived one (with `#[serde(flatten)]` for `extra`) first buffered the whole
//! object as serde's generic content, which cost an export about a third of its JSON time.
//! The same input is accepted and refused as by the derived one: `id` required, `name` and
//! `username` default to empty, `null` reads as absent for the optional fields,
//! `pinned_post_id` as `pinned_tweet_id`, and a field twice is an error.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use super::types::User;

/// A key of a user object.
enum Field {
    Id,
    Name,
    Username,
    CreatedAt,
    Description,
    Location,
    Url,
    ProfileImageUrl,
    PublicMetrics,
    Verified,
    VerifiedType,
    Protected,
    PinnedTweetId,
    ConnectionStatus,
    Other(String),
}

impl Field {
    /// The field's name (for errors) and its bit among the fields seen, for a known field.
    fn known(&self) -> Option<(&'static str, u16)> {
        let (name, i) = match self {
            Self::Id => ("id", 0),
            Self::Name => ("name", 1),
            Self::Username => ("username", 2),
            Self::CreatedAt => ("created_at", 3),
            Self::Description => ("description", 4),
            Self::Location => ("location", 5),
            Self::Url => ("url", 6),
            Self::ProfileImageUrl => ("profile_image_url", 7),
            Self::PublicMetrics => ("public_metrics", 8),
            Self::Verified => ("verified", 9),
            Self::VerifiedType => ("verified_type", 10),
            Self::Protected => ("protected", 11),
            Self::PinnedTweetId => ("pinned_tweet_id", 12),
            Self::ConnectionStatus => ("connection_status", 13),
            Self::Other(_) => return None,
        };
        Some((name, 1 << i))
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Key;
        impl Visitor<'_> for Key {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "id" => Field::Id,
                    "name" => Field::Name,
                    "username" => Field::Username,
                    "created_at" => Field::CreatedAt,
                    "description" => Field::Description,
                    "location" => Field::Location,
                    "url" => Field::Url,
                    "profile_image_url" => Field::ProfileImageUrl,
                    "public_metrics" => Field::PublicMetrics,
                    "verified" => Field::Verified,
                    "verified_type" => Field::VerifiedType,
                    "protected" => Field::Protected,
                    "pinned_tweet_id" | "pinned_post_id" => Field::PinnedTweetId,
                    "connection_status" => Field::ConnectionStatus,
                    other => Field::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(Key)
    }
}

impl<'de> Deserialize<'de> for User {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UserVisitor { extra: true })
    }
}

/// A [`User`] read without `extra`: the fields this client does not model are skipped (what
/// an export needs when it keeps X's object as text anyway), but for the expanded profile link
/// of `entities` (what the list shows; [`User::expanded_url`] reads it).
pub(super) struct Typed(pub User);

impl<'de> Deserialize<'de> for Typed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UserVisitor { extra: false }).map(Typed)
    }
}

struct UserVisitor {
    /// Whether unmodelled fields are kept in `extra`.
    extra: bool,
}

impl<'de> Visitor<'de> for UserVisitor {
    type Value = User;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<User, A::Error> {
        let mut u = User::default();
        let mut id = None;
        let mut seen = 0u16;
        while let Some(key) = map.next_key::<Field>()? {
            if let Some((name, bit)) = key.known() {
                if seen & bit != 0 {
                    return Err(de::Error::duplicate_field(name));
                }
                seen |= bit;
            }
            match key {
                Field::Id => id = Some(map.next_value()?),
                Field::Name => u.name = map.next_value()?,
                Field::Username => u.username = map.next_value()?,
                Field::CreatedAt => u.created_at = map.next_value()?,
                Field::Description => u.description = map.next_value()?,
                Field::Location => u.location = map.next_value()?,
                Field::Url => u.url = map.next_value()?,
                Field::ProfileImageUrl => u.profile_image_url = map.next_value()?,
                Field::PublicMetrics => u.public_metrics = map.next_value()?,
                Field::Verified => u.verified = map.next_value()?,
                Field::VerifiedType => u.verified_type = map.next_value()?,
                Field::Protected => u.protected = map.next_value()?,
                Field::PinnedTweetId => u.pinned_tweet_id = map.next_value()?,
                Field::ConnectionStatus => u.connection_status = map.next_value()?,
                Field::Other(k) if self.extra => {
                    let v = map.next_value()?;
                    u.extra.insert(k, v);
                }
                // The expanded profile link is all the typed read keeps of `entities` (what
                // the list shows); any other shape of it reads as no link.
                Field::Other(k) if k == "entities" => {
                    u.profile_link = map.next_value_seed(Walk(PROFILE_LINK))?;
                }
                Field::Other(_) => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        u.id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        Ok(u)
    }
}

/// Where the expanded profile link is in `entities`: `url.urls[0].expanded_url`.
const PROFILE_LINK: &[Step] = &[
    Step::Key("url"),
    Step::Key("urls"),
    Step::First,
    Step::Key("expanded_url"),
];

/// One step of a path into a JSON value.
#[derive(Debug, Clone, Copy)]
enum Step {
    Key(&'static str),
    First,
}

/// Reads the string at the end of a path through a JSON value without building the value;
/// any other shape on the way reads as `None`, never as an error.
#[derive(Debug, Clone, Copy)]
struct Walk(&'static [Step]);

impl<'de> de::DeserializeSeed<'de> for Walk {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// True for the key it is given (compared without copying the key).
struct KeyIs(&'static str);

impl<'de> de::DeserializeSeed<'de> for KeyIs {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let want = match self.0.first() {
            Some(Step::Key(k)) => Some(*k),
            _ => None,
        };
        loop {
            let hit = match want {
                Some(k) if found.is_none() => map.next_key_seed(KeyIs(k))?,
                _ => map.next_key::<de::IgnoredAny>()?.map(|_| false),
            };
            match hit {
                None => return Ok(found),
                Some(true) => found = map.next_value_seed(Walk(&self.0[1..]))?,
                Some(false) => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let found = match self.0.first() {
            Some(Step::First) => seq.next_element_seed(Walk(&self.0[1..]))?.flatten(),
            _ => None,
        };
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derived deserializer this one replaces, for comparison.
    #[derive(Debug, serde::Deserialize)]
    struct Derived {
        id: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        username: String,
        #[serde(default)]
        created_at: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        location: Option<String>,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        profile_image_url: Option<String>,
        #[serde(default)]
        public_metrics: Option<crate::api::types::PublicMetrics>,
        #[serde(default)]
        verified: Option<bool>,
        #[serde(default)]
        verified_type: Option<String>,
        #[serde(default)]
        protected: Option<bool>,
        #[serde(default, alias = "pinned_post_id")]
        pinned_tweet_id: Option<String>,
        #[serde(default)]
        connection_status: Option<Vec<String>>,
        #[serde(flatten)]
        extra: serde_json::Map<String, serde_json::Value>,
    }

    impl From<Derived> for User {
        fn from(d: Derived) -> Self {
            User {
                id: d.id,
                name: d.name,
                username: d.username,
                created_at: d.created_at,
                description: d.description,
                location: d.location,
                url: d.url,
                profile_image_url: d.profile_image_url,
                public_metrics: d.public_metrics,
                verified: d.verified,
                verified_type: d.verified_type,
                protected: d.protected,
                pinned_tweet_id: d.pinned_tweet_id,
                connection_status: d.connection_status,
                profile_link: None,
                extra: d.extra,
            }
        }
    }

    fn both(json: &str) -> (Result<User, String>, Result<User, String>) {
        let ours = serde_json::from_str::<User>(json).map_err(|e| e.to_string());
        let derived = serde_json::from_str::<Derived>(json)
            .map(User::from)
            .map_err(|e| e.to_string());
        (ours, derived)
    }

    #[test]
    fn reads_what_the_derived_one_read() {
        for json in [
            r#"{"id":"1","name":"N","username":"u"}"#,
            r#"{"id":"2","name":"A \"q\" \u00e9","username":"u","description":"line\nbreak","location":null,
               "public_metrics":{"followers_count":5,"post_count":7,"like_count":9},"verified":true,
               "verified_type":"blue","protected":false,"pinned_post_id":"77","url":"",
               "profile_image_url":"https://x/y.jpg","created_at":"2020-01-01T00:00:00.000Z",
               "connection_status":["blocking"],"entities":{"url":{"urls":[{"start":0}]}},
               "most_recent_tweet_id":"99","subscribes_to_you":false}"#,
            r#"{"username":"u","id":"3"}"#,
        ] {
            let (ours, derived) = both(json);
            assert_eq!(ours, derived, "{json}");
            assert!(ours.is_ok(), "{json}");
        }
        // Unknown fields keep X's order.
        let u: User = serde_json::from_str(r#"{"id":"1","z":1,"a":2}"#).unwrap();
        assert_eq!(u.extra.keys().collect::<Vec<_>>(), ["z", "a"]);
    }

    #[test]
    fn refuses_what_the_derived_one_refused() {
        for json in [
            r#"{"name":"no id"}"#,
            r#"{"id":1}"#,
            r#"{"id":"1","name":null}"#,
            r#"{"id":"1","verified":"yes"}"#,
            r#"{"id":"1","id":"2"}"#,
            r#"{"id":"1","pinned_tweet_id":"5","pinned_post_id":"6"}"#,
            r#"["1","n","u"]"#,
        ] {
            let (ours, derived) = both(json);
            assert!(
                ours.is_err() && derived.is_err(),
                "{json}: {ours:?} / {derived:?}"
            );
        }
    }

    #[test]
    fn the_typed_read_skips_only_the_unmodelled_fields() {
        let json = r#"{"id":"1","name":"N","entities":{"url":{"urls":[]}},"verified":true}"#;
        let full: User = serde_json::from_str(json).unwrap();
        let Typed(typed) = serde_json::from_str(json).unwrap();
        assert_eq!(full.extra.len(), 1);
        assert_eq!(
            typed,
            User {
                extra: Default::default(),
                ..full
            }
        );
        assert!(serde_json::from_str::<Typed>(r#"{"id":"1","id":"1"}"#).is_err());
    }

    #[test]
    fn the_typed_read_keeps_the_expanded_profile_link_and_never_fails_on_entities() {
        let json = r#"{"id":"1","url":"https://t.co/x","entities":{"description":{"urls":[]},
            "url":{"urls":[{"start":0,"url":"https://t.co/x","expanded_url":"https://a.example"}]}}}"#;
        let full: User = serde_json::from_str(json).unwrap();
        let Typed(typed) = serde_json::from_str(json).unwrap();
        assert_eq!(typed.expanded_url(), Some("https://a.example"));
        assert_eq!(typed.expanded_url(), full.expanded_url());
        for odd in [
            r#"5"#,
            r#"{"url":7}"#,
            r#"{"url":{"urls":"no"}}"#,
            r#"{"url":{"urls":[{"expanded_url":3}]}}"#,
            r#"{"url":{"urls":[]}}"#,
        ] {
            let json = format!(r#"{{"id":"2","url":"https://t.co/y","entities":{odd}}}"#);
            let Typed(u) = serde_json::from_str(&json).unwrap();
            assert_eq!(u.expanded_url(), Some("https://t.co/y"), "{odd}");
        }
    }

    #[test]
    fn reads_from_a_value_too() {
        let v = serde_json::json!({"id": "4", "name": "N", "extra_field": [1, 2]});
        let u = User::deserialize(&v).unwrap();
        assert_eq!((u.id.as_str(), u.extra.len()), ("4", 1));
    }
}
