//! Claims types.

mod template;

pub use template::ClerkClaims;
