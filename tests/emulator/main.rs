//! The X API v2 emulator as a client sees it over HTTP: OAuth, paging, limits, errors, faults, money.

mod emulator_support;

mod errors;
mod faults;
mod lists;
mod money;
mod oauth;
mod paging_prop;
