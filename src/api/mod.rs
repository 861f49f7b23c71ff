//! Typed X API v2 client: requests, responses, errors, pagination, rate-limit headers.

pub mod types;
