//! `config.toml`: in the config dir and, per profile, in the profile folder (its values win;
//! `[keys]` tables add up). Every key is documented in `assets/config.example.toml`. A file
//! that is not UTF-8, not TOML or has an unknown key is an error naming the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::paths::Paths;
use super::private::{read_capped, FileError, CONFIG_CAP};

/// The file name, in the config dir and in a profile folder.
pub const FILE_NAME: &str = "config.toml";

/// Why a config file can't be used; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but can't be read, is no regular file or is too large.
    #[error(transparent)]
    File(#[from] FileError),
    /// Not UTF-8, not TOML, or a key or value it does not know.
    #[error("{path}: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, in one line.
        why: String,
    },
}

/// What the whole program reads from `config.toml` (its `Debug` hides the secrets).
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
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
    /// The TUI's colours.
    #[serde(default)]
    pub theme: Theme,
    /// Accounts asked for per block-list page (1–1000; X's maximum by default).
    #[serde(default)]
    pub page_size: Option<u16>,
    /// Prices and the daily spending cap.
    #[serde(default)]
    pub billing: Billing,
    /// When the local database counts as fresh.
    #[serde(default)]
    pub sync: SyncConfig,
    /// Extra key bindings, by action name (see the keymap); checked by the TUI.
    #[serde(default)]
    pub keys: toml::Table,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &redact(&self.consumer_secret))
            .field("theme", &self.theme)
            .field("page_size", &self.page_size)
            .field("billing", &self.billing)
            .field("sync", &self.sync)
            .field("keys", &self.keys)
            .finish()
    }
}

/// The TUI's colours.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// The 16 basic terminal colours.
    #[default]
    Default,
    /// No colours at all (what `NO_COLOR` asks for).
    Mono,
}

/// `[billing]`: what X charges on pay-per-use and how much may be spent per UTC day.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Billing {
    /// USD per account returned by a block-list read.
    pub price_per_account: f64,
    /// USD per user looked up.
    pub price_per_lookup: f64,
    /// Most USD spent per UTC day; none by default.
    pub daily_cap: Option<f64>,
}

impl Billing {
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

impl std::default::Default for Billing {
    fn default() -> Self {
        Self {
            price_per_account: 0.001,
            price_per_lookup: 0.010,
            daily_cap: None,
        }
    }
}

/// `[sync]`: how old the last sync may be before commands sync first.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Like `24h`, `30m`, `7d` or `90s`, or whole seconds.
    #[serde(deserialize_with = "duration")]
    pub max_age: Duration,
}

impl SyncConfig {
    /// How old the last sync may be for `export` to answer from the database.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }
}

impl std::default::Default for SyncConfig {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(24 * 3600),
        }
    }
}

/// Parses `90s`, `30m`, `24h`, `7d` (a whole number and one unit; a bare number is seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().ok()?;
    let secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(secs).map(Duration::from_secs)
}

/// `max_age` as written: a string with a unit, or whole seconds.
#[derive(Deserialize)]
#[serde(untagged)]
enum Age {
    Secs(u64),
    Text(String),
}

fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = match Age::deserialize(d)? {
        Age::Secs(s) => return Ok(Duration::from_secs(s)),
        Age::Text(t) => t,
    };
    parse_duration(&text).ok_or_else(|| {
        serde::de::Error::custom("not a duration (a number and s, m, h or d, like 24h)")
    })
}

/// One `config.toml` that was read, with its `[keys]` table.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Its `[keys]` table (empty when it has none).
    pub keys: toml::Table,
}

/// The config of a profile and the files it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The merged config (the profile folder's values win).
    pub config: Config,
    /// The files read, config dir first; their `[keys]` tables add up in this order.
    pub sources: Vec<Source>,
}

impl Config {
    /// Every key, as `key` or `table.key` (`[keys]` entries are the keymap's): the example
    /// config must name each. Add a key here when adding a field.
    pub const KEYS: &'static [&'static str] = &[
        "client_id",
        "client_secret",
        "consumer_key",
        "consumer_secret",
        "theme",
        "page_size",
        "billing.price_per_account",
        "billing.price_per_lookup",
        "billing.daily_cap",
        "sync.max_age",
        "keys",
    ];

    /// Reads `config.toml` of the config dir and then of the profile folder; missing files are
    /// the defaults.
    pub fn load(paths: &Paths) -> Result<Self, ConfigError> {
        Ok(Self::load_all(paths)?.config)
    }

    /// [`Config::load`], keeping the files read (the TUI names them in key errors).
    pub fn load_all(paths: &Paths) -> Result<Loaded, ConfigError> {
        let mut merged = toml::Table::new();
        let mut sources = Vec::new();
        for dir in [&paths.config_dir, &paths.profile_dir] {
            let path = dir.join(FILE_NAME);
            let Some(table) = read_table(&path)? else {
                continue;
            };
            // Each file must be valid on its own, so an error names the file that has it.
            Self::from_table(table.clone()).map_err(|why| invalid(&path, why))?;
            let keys = match table.get("keys") {
                Some(toml::Value::Table(t)) => t.clone(),
                _ => toml::Table::new(),
            };
            merge(&mut merged, table);
            sources.push(Source { path, keys });
        }
        let config = Self::from_table(merged).map_err(|why| {
            invalid(
                sources.last().map_or(Path::new(FILE_NAME), |s| &s.path),
                why,
            )
        })?;
        Ok(Loaded { config, sources })
    }

    /// Parses the text of one `config.toml`; errors name the position, not the value.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|e| toml_error_position(text, &e))?;
        config.check()
    }

    /// Values serde can't check.
    fn check(self) -> Result<Self, String> {
        if let Some(n) = self.page_size {
            if !(1..=1000).contains(&n) {
                return Err(format!("page_size = {n}: must be 1 to 1000"));
            }
        }
        Ok(self)
    }

    fn from_table(table: toml::Table) -> Result<Self, String> {
        let config: Self = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                e.message()
                    .split(['"', '\'', '`', ':'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })?;
        config.check()
    }
}

/// Reads and parses one file; `None` when it does not exist. A regular file (a link to one is
/// fine) of at most [`CONFIG_CAP`] bytes; errors name the position, never the value there (it
/// may be a secret).
fn read_table(path: &Path) -> Result<Option<toml::Table>, ConfigError> {
    let Some(bytes) = read_capped(path, CONFIG_CAP)? else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(
            path,
            format!(
                "not UTF-8 (byte {}); fix or remove it",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let table = text.parse::<toml::Table>().map_err(|e| {
        invalid(
            path,
            format!(
                "not valid TOML ({}); fix it",
                toml_error_position(&text, &e)
            ),
        )
    })?;
    // Checked from the text too, so a bad value is named by its position.
    if let Err(e) = toml::from_str::<Config>(&text) {
        return Err(invalid(
            path,
            format!(
                "{}; see config.example.toml",
                toml_error_position(&text, &e)
            ),
        ));
    }
    Ok(Some(table))
}

/// Where a TOML error is, and what kind, without quoting the value there.
pub fn toml_error_position(text: &str, e: &toml::de::Error) -> String {
    let kind = e
        .message()
        .split(['"', '\'', '`', ':', '\n'])
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

fn invalid(path: &Path, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// `later` over `earlier`: tables merge key by key, `[keys]` tables add up.
fn merge(earlier: &mut toml::Table, later: toml::Table) {
    for (k, v) in later {
        match (earlier.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                earlier.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let c = Config::parse(
            "client_id = \"abc\"\ntheme = \"mono\"\npage_size = 200\n\
             [billing]\ndaily_cap = 2.5\n[sync]\nmax_age = \"30m\"\n[keys]\nquit = \"x\"\n",
        )
        .unwrap();
        assert_eq!(c.client_id.as_deref(), Some("abc"));
        assert_eq!(c.theme, Theme::Mono);
        assert_eq!(c.page_size, Some(200));
        assert_eq!(c.billing.daily_cap, Some(2.5));
        assert_eq!(c.billing.price_per_account, 0.001);
        assert_eq!(c.sync.max_age, Duration::from_secs(1800));
        assert_eq!(c.keys["quit"].as_str(), Some("x"));
        assert_eq!(
            Config::parse("").unwrap().sync.max_age,
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_one_line_errors() {
        for (text, want) in [
            ("colour = 1\n", "unknown field at line 1, column 1"),
            ("[billing]\ndaly_cap = 1\n", "unknown field at line 2"),
            ("[sync]\nmax_age = \"soon\"\n", "not a duration"),
            ("page_size = 5000\n", "1 to 1000"),
            ("theme = \"pink\"\n", "unknown variant at line 1"),
            ("not toml [", "line 1"),
        ] {
            let e = Config::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn the_profile_file_wins_and_keys_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_dir: dir.path().to_path_buf(),
            profile_dir: dir.path().join("profiles/p"),
            log_dir: dir.path().join("logs"),
        };
        std::fs::create_dir_all(&paths.profile_dir).unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "client_id = \"a\"\npage_size = 10\n[keys]\nquit = \"x\"\n",
        )
        .unwrap();
        std::fs::write(
            paths.profile_dir.join(FILE_NAME),
            "page_size = 20\n[keys]\nmark = \"z\"\n",
        )
        .unwrap();
        let loaded = Config::load_all(&paths).unwrap();
        assert_eq!(loaded.config.client_id.as_deref(), Some("a"));
        assert_eq!(loaded.config.page_size, Some(20));
        assert_eq!(loaded.config.keys.len(), 2);
        assert_eq!(loaded.sources.len(), 2);
        assert_eq!(loaded.sources[1].keys.len(), 1);
        std::fs::write(paths.profile_dir.join(FILE_NAME), b"x = \"\xff\"\n").unwrap();
        let e = Config::load_all(&paths).unwrap_err().to_string();
        assert!(e.starts_with(&paths.profile_dir.join(FILE_NAME).display().to_string()));
        assert!(e.contains("not UTF-8"), "{e}");
    }

    /// `assets/config.example.toml` with every `# key = value` line uncommented.
    pub(crate) fn example_uncommented() -> String {
        include_str!("../../assets/config.example.toml")
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(kv)
                    if kv.split_once(" = ").is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) =>
                {
                    kv
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_example_config_parses_with_the_real_loader_and_names_every_key() {
        let text = example_uncommented();
        let c = Config::parse(&text).unwrap_or_else(|e| panic!("config.example.toml: {e}"));
        let defaults = Config::default();
        assert_eq!(c.theme, defaults.theme);
        assert_eq!(c.page_size, Some(1000));
        assert_eq!(
            c.billing.price_per_account,
            defaults.billing.price_per_account
        );
        assert_eq!(
            c.billing.price_per_lookup,
            defaults.billing.price_per_lookup
        );
        assert_eq!(c.sync, defaults.sync, "the example shows the defaults");
        let table: toml::Table = text.parse().unwrap();
        for key in Config::KEYS {
            let found = match key.split_once('.') {
                Some((t, k)) => table[t].as_table().unwrap().contains_key(k),
                None => table.contains_key(*key),
            };
            assert!(found, "config.example.toml lacks `{key}`");
        }
    }

    #[test]
    fn parse_errors_name_the_position_not_the_value() {
        let e = Config::parse("theme = \"default\"\nclient_id = 5\n").unwrap_err();
        assert!(e.contains("line 2") && !e.contains('5'), "{e}");
        let e = Config::parse("client_id = \"a\"\nclient_id = \"SECRET-X\"\n").unwrap_err();
        assert!(!e.contains("SECRET"), "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("soon"), None);
    }

    #[test]
    fn billing_and_sync_have_defaults_and_can_be_set() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.billing.prices(), crate::api::price::Prices::default());
        assert_eq!(c.billing.daily_cap(), None);
        assert_eq!(c.sync.max_age().as_secs(), 86_400);
        let c = Config::parse(
            "[billing]\nprice_per_account = 0.002\ndaily_cap = 5\n[sync]\nmax_age = \"30m\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.billing.prices().per_account.0, 2_000);
        assert_eq!(c.billing.daily_cap().unwrap().0, 5_000_000);
        assert_eq!(c.sync.max_age().as_secs(), 1800);
        let c = Config::parse("[sync]\nmax_age = 60\n").unwrap();
        assert_eq!(c.sync.max_age().as_secs(), 60);
        assert!(Config::parse("[billing]\nprice = 1\n").is_err());
    }

    #[test]
    fn errors_name_the_position_not_the_value() {
        let text = "theme = \"mono\"\nclient_id = 5 \"SECRET-X\"\n";
        let e = toml::from_str::<Config>(text).unwrap_err();
        let pos = toml_error_position(text, &e);
        assert!(pos.contains("line 2") && !pos.contains("SECRET"), "{pos}");
        let e = toml::from_str::<Config>("client_id = 5\n").unwrap_err();
        let pos = toml_error_position("client_id = 5\n", &e);
        assert!(pos.contains("line 1") && !pos.contains('5'), "{pos}");
    }
}
