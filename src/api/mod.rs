//! Typed X API v2 client: requests, responses, errors, pagination, rate-limit headers.

pub mod authorize;
pub mod body;
pub mod client;
pub mod error;
pub mod eta;
pub mod interrupt;
pub mod pagination;
pub mod price;
pub mod problem;
pub mod ratelimit;
mod transport;
pub mod types;
mod user_de;
mod write;

pub use authorize::Authorize;
pub use client::{http_client, Capability, Client, ClientConfig, Lookup, Page, RawPage};
pub use error::ApiError;
pub use ratelimit::{Budget, Endpoint, RateEvent};
pub use write::Write;
