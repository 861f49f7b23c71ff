//! OAuth 1.0a: HMAC-SHA1 signatures (RFC 5849 §3.4, CONTRACT §8) and header parsing.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;

/// RFC 3986 unreserved characters stay; everything else is `%XX` upper-case.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 3986 percent-encoding of UTF-8.
pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// The signature base string of RFC 5849 §3.4.1. `params` are decoded name/value pairs.
pub fn base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    encoded.sort();
    let joined = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        enc(base_url),
        enc(&joined)
    )
}

/// `oauth_signature` for HMAC-SHA1.
pub fn signature(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", enc(consumer_secret), enc(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Parameters of an `Authorization: OAuth …` header (decoded), `None` if it is not one.
pub fn parse_header(value: &str) -> Option<Vec<(String, String)>> {
    let rest = value.trim().strip_prefix("OAuth")?;
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=')?;
        let v = v.trim().strip_prefix('"')?.strip_suffix('"')?;
        let k = percent_decode_str(k.trim())
            .decode_utf8()
            .ok()?
            .into_owned();
        let v = percent_decode_str(v).decode_utf8().ok()?.into_owned();
        out.push((k, v));
    }
    Some(out)
}

/// Base URL of a request as the client signed it: `http://host[:port]/path`.
pub fn base_url(host: &str, path: &str) -> String {
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix(":80").unwrap_or(&host);
    format!("http://{host}{path}")
}

/// Every base URL a signature is accepted for: the URL the request came to, and, since the
/// emulator stands in for X, the same path on `https://` and on X's own hosts.
///
/// Leniency (CONTRACT §10): a client that reaches the emulator through a transport override
/// signs the URL it meant. twitter-api-v2 (pointed here with its `httpAgent` setting) signs
/// `https://api.x.com/…`, and `@xdevplatform/xdk`'s OAuth 1.0a helpers sign their built-in
/// `https://api.x.com/oauth/…` URLs whatever host they are sent to; real X verifies those URLs.
pub fn candidate_base_urls(host: &str, path: &str) -> Vec<String> {
    let here = base_url(host, path);
    let mut v = vec![here.clone(), here.replacen("http://", "https://", 1)];
    for x in ["api.x.com", "api.twitter.com"] {
        let u = format!("https://{x}{path}");
        if !v.contains(&u) {
            v.push(u);
        }
    }
    v
}

/// The signed parameters with exact repeats (same name and value) kept once.
///
/// Leniency: `@xdevplatform/xdk`'s `getAccessToken` sends `oauth_token` both in the header and
/// in the query and signs it once (it merges them into one map); X accepts that flow.
pub fn without_exact_repeats(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(params.len());
    for p in params {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_test_vector() {
        let params: Vec<(String, String)> = [
            ("include_entities", "true"),
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let cs = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
        let ts = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
        let b = base_string(
            "post",
            "https://api.x.com/1.1/statuses/update.json",
            &params,
        );
        assert!(b.starts_with("POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key"));
        assert_eq!(signature(&b, cs, ts), "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
        let b = base_string(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
        );
        assert_eq!(signature(&b, cs, ts), "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
    }

    #[test]
    fn header_parsing_and_base_url() {
        let h = r#"OAuth oauth_consumer_key="a%20b", oauth_nonce="n",realm="x""#;
        let p = parse_header(h).unwrap();
        assert_eq!(p[0], ("oauth_consumer_key".into(), "a b".into()));
        assert_eq!(p.len(), 3);
        assert!(parse_header("Bearer x").is_none());
        assert_eq!(base_url("LOCALHOST:80", "/a"), "http://localhost/a");
        assert_eq!(base_url("127.0.0.1:8080", "/a"), "http://127.0.0.1:8080/a");
        assert_eq!(enc("a b+~*"), "a%20b%2B~%2A");
    }
}
