//! The exact error bodies X sends (CONTRACT §5) and the responses that carry them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// `application/json; charset=utf-8` for successes and the token endpoint.
pub const JSON: &str = "application/json; charset=utf-8";
/// `application/problem+json` for API errors.
pub const PROBLEM: &str = "application/problem+json";

/// A JSON response with the given status and content type.
pub fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A response with an already serialised body, status and content type.
pub fn text_response(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// 200 with a JSON body.
pub fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, JSON, body)
}

/// 200 with an already serialised JSON body.
pub fn ok_text(body: String) -> Response {
    text_response(StatusCode::OK, JSON, body)
}

/// A problem response.
pub fn problem(status: StatusCode, body: &Value) -> Response {
    json_response(status, PROBLEM, body)
}

/// 401, token missing or rejected.
pub fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        &json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}),
    )
}

/// 403, app-only bearer on a user-context endpoint.
pub fn unsupported_auth() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        &json!({"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}),
    )
}

/// 403, the plan lacks the endpoint (block writes outside Enterprise).
pub fn client_forbidden(client_id: &str) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        &json!({"client_id":client_id,"detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}),
    )
}

/// 403, the authenticated user is billed but has no developer account enrolled in
/// pay-per-use (CONTRACT §10, reason `user-not-enrolled`).
pub fn user_not_enrolled(client_id: &str) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        &json!({"client_id":client_id,"detail":"This request is billed to the authenticated user. Create a developer account at the Developer Console and enroll it in Pay-per-use.","registration_url":"https://console.x.com","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"user-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}),
    )
}

/// 403, missing scope or `:id` not the authenticated user.
pub fn forbidden() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        &json!({"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}),
    )
}

/// 429, rate limited.
pub fn too_many() -> Response {
    problem(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}),
    )
}

/// 429, rate limited, with the problem type of the docs (CONTRACT §10) instead of `about:blank`.
pub fn rate_limit_exceeded() -> Response {
    problem(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"https://api.x.com/2/problems/rate-limit-exceeded","status":429}),
    )
}

/// 404 for an unknown route.
pub fn no_route() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        &json!({"title":"Not Found Error","detail":"Sorry, that page does not exist.","type":"about:blank","status":404}),
    )
}

/// 500 or 503 injected by the fault layer.
pub fn server_error(status: StatusCode) -> Response {
    let title = status.canonical_reason().unwrap_or("Server Error");
    problem(
        status,
        &json!({"title":title,"detail":title,"type":"about:blank","status":status.as_u16()}),
    )
}

/// One entry of the 400 envelope.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// Parameter name and the values sent.
    pub parameter: Option<(String, Vec<String>)>,
    /// The message.
    pub message: String,
}

impl Invalid {
    /// An entry echoing one value of `name`.
    pub fn value(name: &str, value: &str, message: String) -> Self {
        Self {
            parameter: Some((name.to_string(), vec![value.to_string()])),
            message,
        }
    }
    /// An entry without a parameter echo.
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            parameter: None,
            message: message.into(),
        }
    }
}

/// 400 with the invalid-request envelope.
pub fn invalid(errors: &[Invalid]) -> Response {
    let errs: Vec<Value> = errors
        .iter()
        .map(|e| match &e.parameter {
            Some((name, values)) => json!({"parameters":{name: values},"message":e.message}),
            None => json!({"parameters":{},"message":e.message}),
        })
        .collect();
    problem(
        StatusCode::BAD_REQUEST,
        &json!({"errors":errs,"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}),
    )
}

/// A `resource-not-found` partial-error entry for a user.
pub fn user_not_found(parameter: &str, value: &str, api_host: &str) -> Value {
    json!({"value":value,"detail":format!("Could not find user with {parameter}: [{value}]."),"title":"Not Found Error","resource_type":"user","parameter":parameter,"resource_id":value,"type":format!("https://{api_host}/2/problems/resource-not-found")})
}

/// A suspended-user partial-error entry.
pub fn user_suspended(parameter: &str, value: &str, api_host: &str) -> Value {
    json!({"value":value,"detail":format!("User has been suspended: [{value}]."),"title":"Forbidden","resource_type":"user","parameter":parameter,"resource_id":value,"type":format!("https://{api_host}/2/problems/resource-not-found")})
}

/// An OAuth 2.0 token-endpoint error (`application/json`).
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        JSON,
        &json!({"error":error,"error_description":description}),
    )
}
