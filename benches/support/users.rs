//! Realistic generated users shared by the benches.

use xblocks::api::types::{PublicMetrics, User};

const WORDS: &[&str] = &[
    "crypto", "garden", "train", "news", "daily", "official", "fan", "bot", "music", "art", "tech",
    "sports", "memes", "world", "love", "life", "coffee", "travel", "photo", "gamer",
];

fn word(seed: &mut u64) -> &'static str {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    WORDS[(*seed >> 33) as usize % WORDS.len()]
}

/// A realistic user: varied handle, name and a ~100-character bio.
pub fn user(i: usize) -> User {
    let mut seed = i as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let handle = format!("{}{}{}", word(&mut seed), word(&mut seed), i % 9973);
    let name = format!("{} {}", word(&mut seed), word(&mut seed));
    let bio: Vec<&str> = (0..14).map(|_| word(&mut seed)).collect();
    User {
        id: (1_400_000_000_000_000_000u64 + i as u64 * 7919).to_string(),
        username: handle,
        name,
        description: Some(bio.join(" ")),
        created_at: Some("2014-03-02T10:00:00.000Z".into()),
        location: Some("Somewhere".into()),
        url: Some(String::new()),
        verified: Some(false),
        protected: Some(false),
        public_metrics: Some(PublicMetrics {
            followers_count: seed % 100_000,
            following_count: 100,
            tweet_count: 1000,
            listed_count: 0,
        }),
        ..Default::default()
    }
}
