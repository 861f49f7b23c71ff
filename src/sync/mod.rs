//! Syncs of the block list into the profile database: the plan printed before any request
//! (requests, accounts at most, cost, ETA), and the run, a top-up from the newest block or a
//! full read that records who is gone, with every request admitted by the money caps first.

pub mod plan;
pub mod run;

pub use plan::Plan;
pub use run::{sync, Outcome, SyncError};
