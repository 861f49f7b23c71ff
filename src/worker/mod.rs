//! The async worker: owns the API client, takes commands, sends results back as actions.
