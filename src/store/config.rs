//! `config.toml` in the config dir: the keys this layer reads (OAuth client id, consumer key,
//! `[billing]` prices and caps, `[sync] max_age`).

use serde::Deserialize;

use super::paths::Paths;
use super::private::{read_capped, CONFIG_CAP};

/// The parts of `config.toml` the sign-in code reads; unknown keys are ignored.
#[derive(Clone, Default, Deserialize)]
pub struct Config {
    /// OAuth 2.0 client id of the user's X app.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth 2.0 client secret (confidential clients only; `XBLOCKS_CLIENT_SECRET` wins).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// OAuth 1.0a consumer key (legacy).
    #[serde(default)]
    pub consumer_key: Option<String>,
    /// OAuth 1.0a consumer secret (`XBLOCKS_CONSUMER_SECRET` wins).
    #[serde(default)]
    pub consumer_secret: Option<String>,
    /// `[billing]`: prices and the daily cap.
    #[serde(default)]
    pub billing: Billing,
    /// `[sync]`: when the database counts as fresh.
    #[serde(default)]
    pub sync: SyncConfig,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &redact(&self.consumer_secret))
            .field("billing", &self.billing)
            .field("sync", &self.sync)
            .finish()
    }
}

/// `[billing]` of `config.toml`, in US dollars.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    /// Per account a block or mute list returns (default 0.001).
    #[serde(default = "Billing::default_per_account")]
    pub price_per_account: f64,
    /// Per user a users lookup returns (default 0.010).
    #[serde(default = "Billing::default_per_lookup")]
    pub price_per_lookup: f64,
    /// The most a UTC day may spend (none by default).
    #[serde(default)]
    pub daily_cap: Option<f64>,
}

impl Billing {
    fn default_per_account() -> f64 {
        0.001
    }

    fn default_per_lookup() -> f64 {
        0.010
    }

    /// The prices as the price model counts them.
    pub fn prices(&self) -> crate::api::price::Prices {
        use crate::api::price::Usd;
        crate::api::price::Prices {
            per_account: Usd::from_dollars(self.price_per_account),
            per_lookup: Usd::from_dollars(self.price_per_lookup),
        }
    }

    /// The daily cap, if one is set.
    pub fn daily_cap(&self) -> Option<crate::api::price::Usd> {
        self.daily_cap.map(crate::api::price::Usd::from_dollars)
    }
}

impl Default for Billing {
    fn default() -> Self {
        Self {
            price_per_account: Self::default_per_account(),
            price_per_lookup: Self::default_per_lookup(),
            daily_cap: None,
        }
    }
}

/// `[sync]` of `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// How old the last sync may be for `export` to answer from the database: seconds, or a
    /// string like `"24h"`, `"30m"`, `"2d"` (default 24 h).
    #[serde(default = "SyncConfig::default_max_age")]
    pub max_age: MaxAge,
}

impl SyncConfig {
    fn default_max_age() -> MaxAge {
        MaxAge::Secs(24 * 3600)
    }

    /// `max_age` as a duration (a malformed string is the default, with a warning in the log).
    pub fn max_age(&self) -> std::time::Duration {
        let secs = match &self.max_age {
            MaxAge::Secs(s) => *s,
            MaxAge::Text(t) => parse_age(t).unwrap_or_else(|| {
                tracing::warn!("[sync] max_age = {t:?} is not understood; using 24h");
                24 * 3600
            }),
        };
        std::time::Duration::from_secs(secs)
    }
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            max_age: Self::default_max_age(),
        }
    }
}

/// `[sync] max_age`: seconds or a string with a unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MaxAge {
    /// Whole seconds.
    Secs(u64),
    /// `"90s"`, `"30m"`, `"24h"`, `"2d"`.
    Text(String),
}

/// Seconds of `"90s"`, `"30m"`, `"24h"`, `"2d"` (a bare number is seconds).
pub fn parse_age(t: &str) -> Option<u64> {
    let t = t.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

impl Config {
    /// Reads `<config_dir>/config.toml`; a missing file is the default config. It must be a
    /// regular file (a link to one is fine) of at most 1 MB; a bad one is named with the
    /// position of the error, never the value there (it may be a secret).
    pub fn load(paths: &Paths) -> anyhow::Result<Self> {
        let path = paths.config_dir.join("config.toml");
        let Some(bytes) = read_capped(&path, CONFIG_CAP)? else {
            return Ok(Self::default());
        };
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "{} is not UTF-8 (byte {}); fix or remove it",
                path.display(),
                e.valid_up_to()
            )
        })?;
        toml::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not valid TOML ({}); fix or remove it",
                path.display(),
                toml_error_position(text, &e)
            )
        })
    }
}

/// Where a TOML error is, and what kind, without quoting the value there.
pub fn toml_error_position(text: &str, e: &toml::de::Error) -> String {
    let kind = e
        .message()
        .split(['"', '\'', '`', ':'])
        .next()
        .unwrap_or("")
        .trim();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{kind} at line {line}, column {column}")
        }
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_and_sync_have_defaults_and_can_be_set() {
        let c: Config = toml::from_str("").unwrap();
        assert_eq!(c.billing.prices(), crate::api::price::Prices::default());
        assert_eq!(c.billing.daily_cap(), None);
        assert_eq!(c.sync.max_age().as_secs(), 86_400);
        let c: Config = toml::from_str(
            "[billing]\nprice_per_account = 0.002\ndaily_cap = 5\n[sync]\nmax_age = \"30m\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.billing.prices().per_account.0, 2_000);
        assert_eq!(c.billing.daily_cap().unwrap().0, 5_000_000);
        assert_eq!(c.sync.max_age().as_secs(), 1800);
        let c: Config = toml::from_str("[sync]\nmax_age = 60\n").unwrap();
        assert_eq!(c.sync.max_age().as_secs(), 60);
        assert!(toml::from_str::<Config>("[billing]\nprice = 1\n").is_err());
        assert_eq!(parse_age("2d"), Some(172_800));
        assert_eq!(parse_age("soon"), None);
    }

    #[test]
    fn reads_client_id_and_ignores_other_keys() {
        let c: Config = toml::from_str("client_id = \"abc\"\ntheme = \"dark\"\n").unwrap();
        assert_eq!(c.client_id.as_deref(), Some("abc"));
    }

    #[test]
    fn errors_name_the_position_not_the_value() {
        let text = "theme = 1\nclient_id = 5 \"SECRET-X\"\n";
        let e = toml::from_str::<Config>(text).unwrap_err();
        let pos = toml_error_position(text, &e);
        assert!(pos.contains("line 2") && !pos.contains("SECRET"), "{pos}");
        let e = toml::from_str::<Config>("client_id = 5\n").unwrap_err();
        let pos = toml_error_position("client_id = 5\n", &e);
        assert!(pos.contains("line 1") && !pos.contains('5'), "{pos}");
    }
}
