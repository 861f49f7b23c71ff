//! Sign-in: OAuth 2.0 PKCE, OAuth 1.0a signing, token storage and refresh.
