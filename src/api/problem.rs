//! Turning an error response (problem+json, v1.1 shape, text or HTML) into an [`ApiError`].

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::Deserialize;

use super::error::ApiError;
use super::ratelimit::Endpoint;
use super::types::ApiProblem;
use crate::auth::Credentials;

/// problem+json fields xblocks reads; anything else is ignored.
#[derive(Debug, Default, Deserialize)]
struct Problem {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    errors: Vec<ApiProblem>,
}

impl Problem {
    /// Last path segment of `type` (hosts vary: api.twitter.com, api.x.com, api.X.com).
    fn kind_tail(&self) -> &str {
        self.kind
            .as_deref()
            .and_then(|k| k.rsplit('/').next())
            .unwrap_or("")
    }

    fn text(&self, fallback: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(t) = &self.title {
            parts.push(t.clone());
        }
        if let Some(d) = &self.detail {
            if Some(d) != self.title.as_ref() {
                parts.push(d.clone());
            }
        }
        for e in &self.errors {
            if let Some(m) = e.message.as_ref().or(e.detail.as_ref()) {
                parts.push(m.clone());
            }
        }
        if parts.is_empty() {
            fallback.to_string()
        } else {
            parts.join(": ")
        }
    }
}

/// The scopes an endpoint needs (all required), per CONTRACT §2.
pub fn required_scopes(ep: Endpoint) -> &'static [&'static str] {
    match ep {
        Endpoint::Me | Endpoint::UsersByIds | Endpoint::UsersByUsernames => {
            &["tweet.read", "users.read"]
        }
        Endpoint::Blocking => &["block.read", "tweet.read", "users.read"],
        Endpoint::Block | Endpoint::Unblock => &["block.write", "tweet.read", "users.read"],
        Endpoint::Muting => &["mute.read", "tweet.read", "users.read"],
        Endpoint::Mute | Endpoint::Unmute => &["mute.write", "tweet.read", "users.read"],
    }
}

/// Classifies a non-success response (401 is handled by the caller).
pub fn classify(ep: Endpoint, status: StatusCode, body: &[u8], creds: &Credentials) -> ApiError {
    let problem: Problem = serde_json::from_slice(body).unwrap_or_default();
    let fallback = excerpt(body);
    let text = problem.text(&fallback);
    match status.as_u16() {
        401 => ApiError::TokenRejected,
        402 => ApiError::Forbidden {
            missing_scope: None,
            detail: format!("the X account has no API credits left ({text})"),
        },
        403 => {
            let missing = creds.scopes().and_then(|granted| {
                required_scopes(ep)
                    .iter()
                    .find(|s| !granted.iter().any(|g| g == *s))
                    .map(|s| s.to_string())
            });
            let block_write = matches!(ep, Endpoint::Block | Endpoint::Unblock);
            if missing.is_some() {
                ApiError::Forbidden {
                    missing_scope: missing,
                    detail: text,
                }
            } else if block_write
                && problem.kind_tail() != "unsupported-authentication"
                && problem.reason.as_deref() != Some("official-client-forbidden")
            {
                ApiError::EnterpriseOnly
            } else {
                ApiError::Forbidden {
                    missing_scope: None,
                    detail: text,
                }
            }
        }
        404 => ApiError::NotFound { what: text },
        429 if problem.kind_tail() == "usage-capped" => ApiError::Server {
            status: 429,
            detail: format!("{text}; the usage cap resets with the billing period"),
        },
        429 => ApiError::RateLimited {
            until: SystemTime::now() + Duration::from_secs(60),
        },
        s => ApiError::Server {
            status: s,
            detail: text,
        },
    }
}

/// A short, single-line excerpt of a non-JSON body (HTML, text).
fn excerpt(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(160)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        "empty response".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_FORBIDDEN: &str = r#"{"client_id":"28907132","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#;

    fn creds(scopes: Option<&[&str]>) -> Credentials {
        Credentials::static_bearer(
            "t".into(),
            scopes.map(|s| s.iter().map(|x| x.to_string()).collect()),
        )
    }

    #[test]
    fn block_write_403_is_enterprise_only() {
        let e = classify(
            Endpoint::Block,
            StatusCode::FORBIDDEN,
            CLIENT_FORBIDDEN.as_bytes(),
            &creds(None),
        );
        assert_eq!(e, ApiError::EnterpriseOnly);
    }

    #[test]
    fn missing_scope_is_named() {
        let body = r#"{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}"#;
        let e = classify(
            Endpoint::Unblock,
            StatusCode::FORBIDDEN,
            body.as_bytes(),
            &creds(Some(&["tweet.read", "users.read", "block.read"])),
        );
        assert_eq!(
            e,
            ApiError::Forbidden {
                missing_scope: Some("block.write".into()),
                detail: "Forbidden: You are not permitted to perform this action.".into()
            }
        );
    }

    #[test]
    fn bad_request_keeps_message() {
        let body = r#"{"errors":[{"parameters":{"max_results":["5000"]},"message":"The `max_results` query parameter value [5000] is not between 1 and 1000"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#;
        match classify(
            Endpoint::Blocking,
            StatusCode::BAD_REQUEST,
            body.as_bytes(),
            &creds(None),
        ) {
            ApiError::Server {
                status: 400,
                detail,
            } => {
                assert!(detail.contains("Invalid Request"));
                assert!(detail.contains("not between 1 and 1000"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn usage_cap_is_not_a_wait() {
        let body = r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::TOO_MANY_REQUESTS,
            body.as_bytes(),
            &creds(None),
        );
        assert!(matches!(e, ApiError::Server { status: 429, .. }));
        let v11 = r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::TOO_MANY_REQUESTS,
            v11.as_bytes(),
            &creds(None),
        );
        assert!(matches!(e, ApiError::RateLimited { .. }));
    }

    #[test]
    fn html_bodies_become_one_line() {
        let e = classify(
            Endpoint::Me,
            StatusCode::BAD_GATEWAY,
            b"<html>\n<body>Bad gateway</body></html>",
            &creds(None),
        );
        match e {
            ApiError::Server {
                status: 502,
                detail,
            } => assert!(!detail.contains('\n')),
            other => panic!("{other:?}"),
        }
    }
}
