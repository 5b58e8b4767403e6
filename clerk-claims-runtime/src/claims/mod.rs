//! Claims types: Clerk's registered claims, session and JWT-template tokens with typed custom claims,
//! the normalised organization, and the [`ClerkClaims`] trait of template types.

mod organization;
mod registered;
pub(crate) mod session;
mod template;

pub use organization::{OrgClaim, Organization, encode_v2, split_by_scope};
pub use registered::{Audience, RegisteredClaims};
pub(crate) use registered::{MAX_NUMERIC_DATE, whole_seconds};
pub use session::{ClaimsError, SessionClaims, TemplateClaims};
pub use template::ClerkClaims;
