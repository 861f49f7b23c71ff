//! `config.toml` in the config dir: the keys this layer reads (OAuth client id, consumer key).

use serde::Deserialize;

use super::paths::Paths;
use super::private::{read_capped, CONFIG_CAP};

/// The parts of `config.toml` the sign-in code reads; unknown keys are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Config {
    /// OAuth 2.0 client id of the user's X app.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth 1.0a consumer key (legacy).
    #[serde(default)]
    pub consumer_key: Option<String>,
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
