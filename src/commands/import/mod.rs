//! `xblocks import FILE [--dry-run] [--unblock]`.

pub mod plan;
