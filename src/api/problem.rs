//! Turning an error response (problem+json, v1.1 shape, text or HTML) into an [`ApiError`].

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::Deserialize as _;

use super::error::ApiError;
use super::ratelimit::Endpoint;
use super::types::ApiProblem;

/// problem+json fields xblocks reads; anything else is ignored, and a field of an unexpected
/// type is treated as absent (X's schemas do not describe every problem type: CONTRACT §10).
#[derive(Debug, Default)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    kind: Option<String>,
    reason: Option<String>,
    period: Option<String>,
    errors: Vec<ApiProblem>,
}

impl Problem {
    /// Reads what it can of a JSON body; anything that is not a JSON object is an empty problem.
    fn parse(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(o)) = serde_json::from_slice(body) else {
            return Self::default();
        };
        let text = |k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Self {
            title: text("title"),
            detail: text("detail"),
            kind: text("type"),
            reason: text("reason"),
            period: text("period"),
            errors: o
                .get("errors")
                .and_then(|e| e.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|e| ApiProblem::deserialize(e).ok())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Last path segment of `type` (hosts vary: api.twitter.com, api.x.com, api.X.com).
    fn kind_tail(&self) -> &str {
        self.kind
            .as_deref()
            .and_then(|k| k.rsplit('/').next())
            .unwrap_or("")
    }

    /// X's usage-cap answer, by `type` or `title` (never by the rate-limit headers).
    fn is_usage_cap(&self) -> bool {
        self.kind_tail() == "usage-capped" || self.title.as_deref() == Some("UsageCapExceeded")
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
        Endpoint::UsageCredits => &[],
    }
}

/// Classifies a non-success response (401 is handled by the caller); `granted` are the
/// sign-in's scopes, when known (a 403 then names the one missing).
pub fn classify(
    ep: Endpoint,
    status: StatusCode,
    body: &[u8],
    granted: Option<&[String]>,
) -> ApiError {
    let problem = Problem::parse(body);
    let fallback = excerpt(body);
    let text = problem.text(&fallback);
    match status.as_u16() {
        401 => ApiError::TokenRejected,
        402 => ApiError::CreditsDepleted {
            account_id: account_id(body),
            detail: text,
        },
        403 => {
            let missing = granted.and_then(|granted| {
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
        429 if problem.is_usage_cap() => ApiError::UsageCapped {
            period: problem.period.clone(),
            detail: problem.detail.clone().unwrap_or(text),
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

/// The digits of a top-level `account_id` (a bare number above 2^53, or a string), read from
/// the body text itself so no float ever rounds it.
fn account_id(body: &[u8]) -> Option<String> {
    let key = b"\"account_id\"";
    let at = memchr::memmem::find(body, key)? + key.len();
    let rest = &body[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b":")?;
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let digits: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    (!digits.is_empty() && digits.len() <= 30).then(|| String::from_utf8(digits).ok())?
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

    #[test]
    fn block_write_403_is_enterprise_only() {
        let e = classify(
            Endpoint::Block,
            StatusCode::FORBIDDEN,
            CLIENT_FORBIDDEN.as_bytes(),
            None,
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
            Some(&[
                "tweet.read".into(),
                "users.read".into(),
                "block.read".into(),
            ]),
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
            None,
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
            None,
        );
        assert_eq!(
            e,
            ApiError::UsageCapped {
                period: Some("Monthly".into()),
                detail: "Usage cap exceeded: Monthly product cap".into()
            }
        );
        assert!(e.is_money());
        let live = r#"{"account_id":"1243608864848629761","product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::TOO_MANY_REQUESTS,
            live.as_bytes(),
            None,
        );
        assert!(matches!(e, ApiError::UsageCapped { .. }), "{e:?}");
        let by_title = r#"{"title":"UsageCapExceeded","detail":"cap"}"#;
        let e = classify(
            Endpoint::Mute,
            StatusCode::TOO_MANY_REQUESTS,
            by_title.as_bytes(),
            None,
        );
        assert!(matches!(e, ApiError::UsageCapped { .. }), "{e:?}");
        let rate = r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"https://api.x.com/2/problems/rate-limit-exceeded","status":429}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::TOO_MANY_REQUESTS,
            rate.as_bytes(),
            None,
        );
        assert!(matches!(e, ApiError::RateLimited { .. }), "{e:?}");
        let v11 = r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::TOO_MANY_REQUESTS,
            v11.as_bytes(),
            None,
        );
        assert!(matches!(e, ApiError::RateLimited { .. }));
    }

    #[test]
    fn credits_depleted_keeps_the_big_account_id_exact() {
        let body = r#"{"account_id":1243608864848629761,"title":"CreditsDepleted","detail":"Your enrolled account [1243608864848629761] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"}"#;
        let e = classify(
            Endpoint::Blocking,
            StatusCode::PAYMENT_REQUIRED,
            body.as_bytes(),
            None,
        );
        match &e {
            ApiError::CreditsDepleted { account_id, .. } => {
                assert_eq!(account_id.as_deref(), Some("1243608864848629761"))
            }
            other => panic!("{other:?}"),
        }
        assert!(e.is_money());
        assert!(e.user_message().contains("console.x.com"));
        assert!(e.user_message().contains("1243608864848629761"));
        let variant = r#"{"detail":"credits depleted","status":402,"title":"Payment Required","type":"https://api.x.com/2/problems/credits-depleted"}"#;
        let e = classify(
            Endpoint::Me,
            StatusCode::PAYMENT_REQUIRED,
            variant.as_bytes(),
            None,
        );
        assert_eq!(
            e,
            ApiError::CreditsDepleted {
                account_id: None,
                detail: "Payment Required: credits depleted".into()
            }
        );
        let e = classify(
            Endpoint::Me,
            StatusCode::PAYMENT_REQUIRED,
            b"Payment Required",
            None,
        );
        assert!(e.is_money());
    }

    #[test]
    fn fields_of_unexpected_types_do_not_lose_the_rest() {
        let body =
            r#"{"title":"Forbidden","detail":{"nested":true},"reason":7,"type":"about:blank"}"#;
        let e = classify(
            Endpoint::Muting,
            StatusCode::FORBIDDEN,
            body.as_bytes(),
            None,
        );
        assert_eq!(
            e,
            ApiError::Forbidden {
                missing_scope: None,
                detail: "Forbidden".into()
            }
        );
    }

    #[test]
    fn html_bodies_become_one_line() {
        let e = classify(
            Endpoint::Me,
            StatusCode::BAD_GATEWAY,
            b"<html>\n<body>Bad gateway</body></html>",
            None,
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
