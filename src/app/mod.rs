//! Application state, actions and the pure `update` function.
