//! Where a verifier's keys come from: a key set, one key, or a remote key set kept fresh.

use std::sync::Arc;

use super::{Jwks, Key};

/// Where verification keys come from: what [`Verifier::new`](crate::Verifier::new) takes.
///
/// ```
/// use clerk_claims_runtime::keys::{Jwks, KeySource};
/// let jwks = Jwks::from_json(r#"{"keys": []}"#).unwrap();
/// assert!(matches!(KeySource::from(jwks), KeySource::Jwks(_)));
/// ```
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A key set: the token's `kid` picks the key.
    Jwks(Arc<Jwks>),
    /// One key for every token (Clerk's networkless `CLERK_JWT_KEY`, a template's custom key).
    Key(Arc<Key>),
    /// A key set fetched over HTTPS and cached ([`crate::Verifier::fetch_key`] fetches it before a verification).
    #[cfg(feature = "remote")]
    Remote(super::RemoteJwks),
}

#[cfg(feature = "remote")]
impl From<super::RemoteJwks> for KeySource {
    fn from(remote: super::RemoteJwks) -> Self {
        KeySource::Remote(remote)
    }
}

impl From<Jwks> for KeySource {
    fn from(jwks: Jwks) -> Self {
        KeySource::Jwks(Arc::new(jwks))
    }
}

impl From<Key> for KeySource {
    fn from(key: Key) -> Self {
        KeySource::Key(Arc::new(key))
    }
}
