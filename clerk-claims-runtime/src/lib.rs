//! What an application links to verify Clerk tokens into typed claims.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
