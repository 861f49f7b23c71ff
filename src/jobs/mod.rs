//! Bulk work: runs the durable action queue against the API, paced by the client's rate-limit
//! budget, logging every write; undo queues the inverse of the last batch; a timed job whose
//! account changed meanwhile is not sent.

pub mod api_writer;
pub mod runner;
pub mod timed;
pub mod undo;
