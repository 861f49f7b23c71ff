//! Serialisation of users and posts with the requested fields, through typed structs
//! (absent fields skipped), and the `entities` of bios and posts.

use serde::Serialize;

use super::{Relation, Selection, Vocab};
use crate::emulator::world::{rfc3339, Post, Profile};

impl Selection {
    /// Serialises a user with the requested fields (`id`, `name`, `username` always).
    pub fn user(&self, p: &Profile, rel: Relation) -> String {
        let w = |f: &str| self.wants(f);
        let post_vocab = self.vocab == Vocab::Post;
        let pinned = p
            .pinned
            .filter(|_| w("pinned_tweet_id"))
            .map(|i| i.to_string());
        let recent = p
            .most_recent
            .filter(|_| w("most_recent_tweet_id"))
            .map(|i| i.to_string());
        let out = UserOut {
            id: &p.id,
            name: &p.name,
            username: &p.username,
            confirmed_email: (w("confirmed_email") && rel.me)
                .then(|| format!("{}@example.com", p.username.to_lowercase())),
            connection_status: w("connection_status").then(|| {
                // CONTRACT §10's set, in its order.
                [
                    (rel.blocking, "blocking"),
                    (rel.followed_by, "followed_by"),
                    (rel.following, "following"),
                    (rel.muting, "muting"),
                ]
                .into_iter()
                .filter_map(|(on, word)| on.then_some(word))
                .collect()
            }),
            created_at: w("created_at").then(|| rfc3339(p.created_at)),
            description: w("description").then_some(p.description.as_str()),
            entities: if w("entities") { entities(p) } else { None },
            is_identity_verified: w("is_identity_verified")
                .then_some(p.verified_type == "blue" && p.metrics.followers > 5000),
            location: p.location.as_deref().filter(|_| w("location")),
            most_recent_tweet_id: recent.clone().filter(|_| !post_vocab),
            most_recent_post_id: recent.filter(|_| post_vocab),
            parody: w("parody").then_some(p.parody),
            pinned_tweet_id: pinned.clone().filter(|_| !post_vocab),
            pinned_post_id: pinned.filter(|_| post_vocab),
            profile_banner_url: p.banner_url.as_deref().filter(|_| w("profile_banner_url")),
            profile_image_url: w("profile_image_url").then_some(p.image_url.as_str()),
            protected: w("protected").then_some(p.protected),
            public_metrics: w("public_metrics").then_some(MetricsOut {
                followers_count: p.metrics.followers,
                following_count: p.metrics.following,
                tweet_count: p.metrics.tweets,
                listed_count: p.metrics.listed,
                like_count: p.metrics.likes,
                media_count: p.metrics.media,
                post_count: post_vocab.then_some(p.metrics.tweets),
            }),
            receives_your_dm: w("receives_your_dm").then_some(p.receives_dm),
            subscribes_to_you: w("subscribes_to_you").then_some(false),
            subscription: w("subscription").then_some(SubscriptionOut {
                subscribes_to_you: false,
            }),
            subscription_type: w("subscription_type").then_some(if p.verified_type == "blue" {
                "Premium"
            } else {
                "None"
            }),
            url: w("url").then_some(p.url.as_str()),
            verified: w("verified").then_some(p.verified_type != "none"),
            verified_followers_count: w("verified_followers_count")
                .then_some(p.metrics.followers / 9),
            verified_type: w("verified_type").then_some(p.verified_type),
            withheld: p.withheld.filter(|_| w("withheld")).map(|c| WithheldOut {
                country_codes: [c],
                scope: "user",
            }),
        };
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// Serialises a post with the requested fields.
    pub fn post(&self, post: &Post, author_id: &str) -> String {
        let w = |f: &str| self.post.contains(&f);
        let id = post.id.to_string();
        let history = [id.as_str()];
        let post_vocab = self.vocab == Vocab::Post;
        let out = PostOut {
            edit_history_tweet_ids: (!post_vocab).then_some(history),
            edit_history_post_ids: post_vocab.then_some(history),
            id: &id,
            text: &post.text,
            author_id: w("author_id").then_some(author_id),
            conversation_id: w("conversation_id").then_some(id.as_str()),
            created_at: w("created_at").then(|| rfc3339(post.created_at)),
            display_text_range: w("display_text_range").then(|| [0, post.text.chars().count()]),
            edit_controls: w("edit_controls").then(|| EditControlsOut {
                edits_remaining: 5,
                is_edit_eligible: true,
                editable_until: rfc3339(post.created_at + 3600),
            }),
            entities: if w("entities") {
                text_entities(&post.text)
            } else {
                None
            },
            lang: w("lang").then_some(post.lang),
            possibly_sensitive: w("possibly_sensitive").then_some(false),
            public_metrics: w("public_metrics").then_some(PostMetricsOut {
                retweet_count: (!post_vocab).then_some(post.retweets),
                repost_count: post_vocab.then_some(post.retweets),
                reply_count: post.replies,
                like_count: post.likes,
                quote_count: post.quotes,
                bookmark_count: post.likes / 20,
                impression_count: post.impressions,
            }),
            reply_settings: w("reply_settings").then_some("everyone"),
        };
        serde_json::to_string(&out).unwrap_or_default()
    }
}

/// A user as serialised; absent fields were not asked for or are unset.
#[derive(Serialize)]
struct UserOut<'a> {
    id: &'a str,
    name: &'a str,
    username: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_status: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entities: Option<EntitiesOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_identity_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    most_recent_tweet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    most_recent_post_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parody: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned_tweet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned_post_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile_banner_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile_image_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metrics: Option<MetricsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receives_your_dm: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscribes_to_you: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<SubscriptionOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified_followers_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withheld: Option<WithheldOut>,
}

#[derive(Serialize)]
struct MetricsOut {
    followers_count: u64,
    following_count: u64,
    tweet_count: u64,
    listed_count: u64,
    like_count: u64,
    media_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_count: Option<u64>,
}

#[derive(Serialize)]
struct SubscriptionOut {
    subscribes_to_you: bool,
}

#[derive(Serialize)]
struct WithheldOut {
    country_codes: [&'static str; 1],
    scope: &'static str,
}

/// A post as serialised.
#[derive(Serialize)]
struct PostOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    edit_history_tweet_ids: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edit_history_post_ids: Option<[&'a str; 1]>,
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_text_range: Option<[usize; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edit_controls: Option<EditControlsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entities: Option<TextEntitiesOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    possibly_sensitive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metrics: Option<PostMetricsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_settings: Option<&'static str>,
}

#[derive(Serialize)]
struct EditControlsOut {
    edits_remaining: u32,
    is_edit_eligible: bool,
    editable_until: String,
}

#[derive(Serialize)]
struct PostMetricsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    retweet_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repost_count: Option<u64>,
    reply_count: u64,
    like_count: u64,
    quote_count: u64,
    bookmark_count: u64,
    impression_count: u64,
}

/// `entities` of a user.
#[derive(Serialize)]
struct EntitiesOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<UrlEntitiesOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<TextEntitiesOut>,
}

#[derive(Serialize)]
struct UrlEntitiesOut<'a> {
    urls: [UrlOut<'a>; 1],
}

#[derive(Serialize)]
struct UrlOut<'a> {
    start: usize,
    end: usize,
    url: &'a str,
    expanded_url: &'a str,
    display_url: &'a str,
}

/// Hashtags and mentions of a text.
#[derive(Serialize)]
struct TextEntitiesOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashtags: Vec<TagOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<MentionOut>,
}

#[derive(Serialize)]
struct TagOut {
    start: usize,
    end: usize,
    tag: String,
}

#[derive(Serialize)]
struct MentionOut {
    start: usize,
    end: usize,
    username: String,
}

fn entities(p: &Profile) -> Option<EntitiesOut<'_>> {
    let url = (!p.url.is_empty()).then(|| UrlEntitiesOut {
        urls: [UrlOut {
            start: 0,
            end: p.url.chars().count(),
            url: &p.url,
            expanded_url: &p.expanded_url,
            display_url: p
                .expanded_url
                .trim_start_matches("https://")
                .trim_end_matches('/'),
        }],
    });
    let description = text_entities(&p.description);
    (url.is_some() || description.is_some()).then_some(EntitiesOut { url, description })
}

/// Hashtags and mentions of a text, with code-point `start`/`end`.
fn text_entities(text: &str) -> Option<TextEntitiesOut> {
    if !text.contains(['#', '@']) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut hashtags, mut mentions) = (Vec::new(), Vec::new());
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
                    hashtags.push(TagOut {
                        start: i,
                        end: j,
                        tag: word,
                    });
                } else {
                    mentions.push(MentionOut {
                        start: i,
                        end: j,
                        username: word,
                    });
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    (!hashtags.is_empty() || !mentions.is_empty()).then_some(TextEntitiesOut { hashtags, mentions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashtags_use_code_points() {
        let v = serde_json::to_value(text_entities("🌊 #rust and @bob").unwrap()).unwrap();
        assert_eq!(v["hashtags"][0], json!({"start":2,"end":7,"tag":"rust"}));
        assert_eq!(v["mentions"][0]["username"], "bob");
    }
}
