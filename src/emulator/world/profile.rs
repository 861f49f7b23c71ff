//! Names, bios, places, metrics, flags and posts of an account, derived from (seed, index) by
//! the world's hash; and the `created_at` format.

use super::*;

/// Counts of a user.
#[derive(Debug, Clone, Copy, Default)]
pub struct Metrics {
    pub followers: u64,
    pub following: u64,
    pub tweets: u64,
    pub listed: u64,
    pub likes: u64,
    pub media: u64,
}

/// A post (pinned or most recent) of an account.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: u64,
    pub author: u32,
    pub text: String,
    pub created_at: i64,
    pub lang: &'static str,
    pub deleted: bool,
    pub protected: bool,
    pub retweets: u64,
    pub replies: u64,
    pub likes: u64,
    pub quotes: u64,
    pub impressions: u64,
}

/// Every field of one account, derived on demand.
#[derive(Debug, Clone)]
pub struct Profile {
    pub index: u32,
    pub id: String,
    pub username: String,
    pub name: String,
    pub description: String,
    pub location: Option<String>,
    pub url: String,
    pub expanded_url: String,
    pub image_url: String,
    pub banner_url: Option<String>,
    pub created_at: i64,
    pub metrics: Metrics,
    pub verified_type: &'static str,
    pub protected: bool,
    pub parody: bool,
    pub withheld: Option<&'static str>,
    pub pinned: Option<u64>,
    pub most_recent: Option<u64>,
    pub receives_dm: bool,
}

fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

pub(super) fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

fn log_count(h: u64, decades: f64) -> u64 {
    10f64.powf(unit(h) * decades) as u64 - 1
}

impl World {
    fn name(&self, idx: u32) -> String {
        if let Some(s) = self.hostile_text(idx, S_NAME) {
            return if self.h(idx, S_NAME).is_multiple_of(7) {
                String::new()
            } else {
                s.chars().take(50).collect()
            };
        }
        let h = self.h(idx, S_NAME);
        let first = pick(&words::FIRST, h >> 8);
        let last = pick(&words::LAST, h >> 16);
        match h % 10 {
            0..=5 => format!("{first} {last}"),
            6 => format!(
                "{first} {}",
                ["🌻", "✨", "🇧🇷", "🏳️‍🌈", "🐸"][(h >> 30) as usize % 5]
            ),
            7 => {
                let w = pick(&words::WORDS, h >> 24);
                format!(
                    "{}{} {}",
                    w[..1].to_uppercase(),
                    &w[1..],
                    pick(&words::WORDS, h >> 40)
                )
            }
            8 => format!("{} {}", first.to_lowercase(), last.to_lowercase()),
            _ => format!("Dr. {first} {last}, PhD"),
        }
    }

    fn description(&self, idx: u32) -> String {
        if let Some(s) = self.hostile_text(idx, S_BIO) {
            if self.h(idx, S_BIO).is_multiple_of(5) {
                let mut long = String::new();
                while long.chars().count() < 1000 {
                    long.push_str(s);
                    long.push_str("\n\t");
                }
                return long.chars().take(1000).collect();
            }
            return s.to_string();
        }
        let h = self.h(idx, S_BIO);
        match h % 8 {
            0 => String::new(),
            1..=4 => pick(&words::BIO, h >> 8).to_string(),
            5 => format!(
                "{}\n{}",
                pick(&words::BIO, h >> 8),
                pick(&words::BIO, h >> 20)
            ),
            _ => format!(
                "{} {}",
                pick(&words::BIO, h >> 8),
                pick(&words::BIO, h >> 20)
            ),
        }
    }

    fn post(&self, idx: u32, salt: u64, created: i64, protected: bool) -> Option<Post> {
        let h = self.h(idx, salt);
        if h % 100 >= 35 {
            return None;
        }
        let text = match self.hostile_text(idx, salt) {
            Some(s) => s.to_string(),
            None => format!(
                "{} {}",
                pick(&words::POST, h >> 8),
                pick(&words::POST, h >> 16)
            ),
        };
        let span = (1_760_000_000 - created).max(1);
        Some(Post {
            id: 1_300_000_000_000_000_000 + (h >> 4) % 500_000_000_000_000_000,
            author: idx,
            text,
            created_at: created + (h >> 20) as i64 % span,
            lang: ["en", "en", "en", "ja", "es", "de", "pt"][(h >> 28) as usize % 7],
            deleted: salt == S_PIN && (h >> 36).is_multiple_of(10),
            protected,
            retweets: log_count(h.rotate_left(2), 3.0),
            replies: log_count(h.rotate_left(3), 2.5),
            likes: log_count(h.rotate_left(5), 4.0),
            quotes: log_count(h.rotate_left(7), 2.0),
            impressions: log_count(h.rotate_left(9), 6.0),
        })
    }

    /// All fields of an account.
    pub fn profile(&self, idx: u32) -> Profile {
        let created_at = self.created_at(idx);
        let m = self.h(idx, S_METRICS);
        let followers = log_count(m, 6.5);
        let metrics = Metrics {
            followers,
            following: log_count(m.rotate_left(5), 3.7),
            tweets: log_count(m.rotate_left(10), 5.2),
            listed: (followers as f64 * unit(m.rotate_left(15)) / 40.0) as u64,
            likes: log_count(m.rotate_left(20), 5.0),
            media: log_count(m.rotate_left(25), 3.0),
        };
        let f = self.h(idx, S_FLAGS);
        let verified_type = match (f >> 8) % 300 {
            0 => "government",
            1..=5 => "business",
            6..=55 => "blue",
            _ => "none",
        };
        let protected = self.protected(idx);
        let u = self.h(idx, S_URL);
        let username = self.username(idx);
        let (url, expanded_url) = if u % 5 < 2 {
            (
                format!("https://t.co/{}", base62(u >> 8, 10)),
                format!("https://{}.example.com/", username.to_lowercase()),
            )
        } else {
            (String::new(), String::new())
        };
        let location = match self.hostile_text(idx, S_PLACE) {
            Some(s) => Some(s.to_string()),
            None => {
                let h = self.h(idx, S_PLACE);
                (!h.is_multiple_of(3)).then(|| pick(&words::PLACES, h >> 8).to_string())
            }
        };
        let img = self.h(idx, S_IMAGE);
        let image_url = if img.is_multiple_of(10) {
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png".into()
        } else {
            format!(
                "https://pbs.twimg.com/profile_images/{}/{}_normal.jpg",
                1_400_000_000_000_000_000 + (img >> 4) % 400_000_000_000_000_000,
                base62(img >> 2, 8)
            )
        };
        let id = self.id(idx);
        let banner_url = (!img.is_multiple_of(3)).then(|| {
            format!(
                "https://pbs.twimg.com/profile_banners/{}/{}",
                id,
                created_at + 100_000
            )
        });
        Profile {
            index: idx,
            id,
            username,
            name: self.name(idx),
            description: self.description(idx),
            location,
            url,
            expanded_url,
            image_url,
            banner_url,
            created_at,
            metrics,
            verified_type,
            protected,
            parody: (f >> 30).is_multiple_of(150),
            withheld: ((f >> 40).is_multiple_of(400)).then(|| pick(&words::COUNTRIES, f >> 50)),
            pinned: self.post(idx, S_PIN, created_at, protected).map(|p| p.id),
            most_recent: self
                .post(idx, S_RECENT, created_at, protected)
                .map(|p| p.id),
            receives_dm: (f >> 44).is_multiple_of(3),
        }
    }

    /// The pinned post of an account (possibly deleted).
    pub fn pinned_post(&self, idx: u32) -> Option<Post> {
        self.post(idx, S_PIN, self.created_at(idx), self.protected(idx))
    }

    fn created_at(&self, idx: u32) -> i64 {
        let h = self.h(idx, S_TIME);
        if self.old(idx) {
            1_152_900_000 + (h % 140_000_000) as i64
        } else {
            1_230_000_000 + (h % 520_000_000) as i64
        }
    }

    fn protected(&self, idx: u32) -> bool {
        idx != 0 && (self.h(idx, S_FLAGS) >> 20).is_multiple_of(12)
    }

    /// The most recent post of an account.
    pub fn recent_post(&self, idx: u32) -> Option<Post> {
        self.post(idx, S_RECENT, self.created_at(idx), self.protected(idx))
    }
}

fn base62(mut h: u64, len: usize) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut s = String::with_capacity(len);
    for i in 0..len {
        if h < 62 {
            h = mix(h ^ i as u64);
        }
        s.push(A[(h % 62) as usize] as char);
        h /= 62;
    }
    s
}

/// RFC 3339 UTC with milliseconds, as X writes `created_at`.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed() {
        let a = World::new(3, 100, true);
        let b = World::new(3, 100, true);
        let c = World::new(4, 100, true);
        assert_eq!(a.profile(5).name, b.profile(5).name);
        assert_eq!(a.id(5), b.id(5));
        assert_ne!(a.id(5), c.id(5));
    }

    #[test]
    fn timestamps_format() {
        assert_eq!(rfc3339(1_386_995_755), "2013-12-14T04:35:55.000Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }
}
