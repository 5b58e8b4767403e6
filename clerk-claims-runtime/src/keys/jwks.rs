//! A JSON Web Key Set, parsed once: usable keys by `kid`, and why the others were refused.

use std::sync::Arc;

use serde_json::Value;

use super::{Key, KeyError};

/// A key set (`{"keys": [...]}`), as Clerk serves it at `/.well-known/jwks.json` and `/v1/jwks`.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<Arc<Key>>,
    refused: Vec<(Option<String>, KeyError)>,
}

impl Jwks {
    /// Parses a JWKS document. Keys that cannot be used (weak RSA, `use` other than `sig`, unknown
    /// type) are left out and remembered, so a token naming one gets a precise error.
    ///
    /// ```
    /// // The key set of Clerk's SDK test fixtures (what `https://<frontend api>/.well-known/jwks.json` serves).
    /// let text = r#"{"keys": [{"use": "sig", "kty": "RSA", "kid": "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD", "alg": "RS256", "e": "AQAB",
    ///     "n": "qYy3MY8fOneEyzNDu9lp6iGXKkNUF-u_dUnrlkadZYyB35efzKFJEr9fftmWv5PUj1uRHTQ3bh6X1cceOYsIjy008dHWZJsKhGOxgdTjeK91rjaklxt7tyFXEiKHIOr1LSgKzopClOfCIjxK_oPUOf38pVh7WnekcSBQmU5fqA-EzKMi6k9VwvbzqKlZM4XQsiFyn28d9VubJWjTU8nNot0n1NE-9k6TxM8nglM4RwkBH4Ni4B0LhKKOOV-AG8tBNiZVil415dpBldmJ_j0wk7Ad4VFi9en3Z17oCKr-K-zuT7vKMKSb1548dk0vnmi0vj2QGXSo-61wM5yQWpk6sQ"}]}"#;
    /// let jwks = clerk_claims_runtime::Jwks::from_json(text).unwrap();
    /// assert!(jwks.get("ins_2GIoQhbUpy0hX7B2cVkuTMinXoD").is_some());
    /// assert!(clerk_claims_runtime::Jwks::from_json("[]").is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Jwks, KeyError> {
        Self::parse(text, false)
    }

    /// A key set you hold yourself (templates' custom signing keys), where symmetric (`oct`) keys
    /// are allowed, though not beside public keys (one set, one kind of key). Never use this for a
    /// key set fetched from anywhere.
    ///
    /// ```
    /// let set = r#"{"keys": [{"kty": "oct", "kid": "t", "alg": "HS256", "k": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#;
    /// assert!(clerk_claims_runtime::Jwks::from_private_json(set).unwrap().get("t").is_some());
    /// assert!(clerk_claims_runtime::Jwks::from_json(set).unwrap().get("t").is_none());
    /// ```
    pub fn from_private_json(text: &str) -> Result<Jwks, KeyError> {
        Self::parse(text, true)
    }

    fn parse(text: &str, allow_symmetric: bool) -> Result<Jwks, KeyError> {
        let mixed = serde_json::from_str::<Value>(text).ok().and_then(|doc| {
            let kinds: Vec<bool> = doc
                .get("keys")?
                .as_array()?
                .iter()
                .map(|k| k.get("kty") == Some(&Value::from("oct")))
                .collect();
            Some(kinds.contains(&true) && kinds.contains(&false))
        });
        if allow_symmetric && mixed == Some(true) {
            return Err(KeyError::MixedKeySet);
        }
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| KeyError::NotAJwks { problem: format!("is not valid JSON: {e}") })?;
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| KeyError::NotAJwks { problem: "has no `keys` array".into() })?;
        let mut jwks = Jwks::default();
        let kid_of = |jwk: &Value| jwk.get("kid").and_then(Value::as_str).map(str::to_string);
        let kids: Vec<Option<String>> = keys.iter().map(kid_of).collect();
        for jwk in keys {
            // Two keys under one kid are ambiguous: neither is used.
            if let Some(kid) = kid_of(jwk)
                && kids.iter().filter(|k| k.as_deref() == Some(kid.as_str())).count() > 1
            {
                if jwks.refusal(&kid).is_none() {
                    jwks.refused.push((Some(kid), KeyError::DuplicateKid));
                }
                continue;
            }
            if !allow_symmetric && jwk.get("kty").and_then(Value::as_str) == Some("oct") {
                // A published key is public: an HMAC key in it would let anyone mint tokens.
                let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
                jwks.refused.push((kid, KeyError::SymmetricInPublishedSet));
                continue;
            }
            match Key::from_jwk(jwk) {
                Ok(key) => jwks.keys.push(Arc::new(key)),
                Err(e) => {
                    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
                    jwks.refused.push((kid, e));
                }
            }
        }
        Ok(jwks)
    }

    /// A set of already-built keys.
    ///
    /// ```
    /// use clerk_claims_runtime::{Jwks, keys::{Algorithm, Key}};
    /// let jwks = Jwks::from_keys([Key::hmac(&[1; 32], Algorithm::HS256).unwrap()]);
    /// assert_eq!(jwks.len(), 1);
    /// ```
    pub fn from_keys(keys: impl IntoIterator<Item = Key>) -> Jwks {
        Jwks { keys: keys.into_iter().map(Arc::new).collect(), refused: Vec::new() }
    }

    /// The usable key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&Arc<Key>> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }

    /// Replaces each key that `held` has unchanged (same kid, same public JWK) with `held`'s own
    /// object, so that what was verified under it is known to be verified under this one. Symmetric
    /// keys (whose JWK shows no material) are never taken for one another.
    #[cfg(feature = "remote")]
    pub(crate) fn keep_unchanged(&mut self, held: &Jwks) {
        for key in &mut self.keys {
            if key.jwk().get("kty").and_then(Value::as_str) == Some("oct") {
                continue;
            }
            if let Some(same) = held.keys.iter().find(|h| h.kid() == key.kid() && h.jwk() == key.jwk()) {
                *key = same.clone();
            }
        }
    }

    /// Why the key with this `kid` was refused, if it was.
    ///
    /// ```
    /// let jwks = clerk_claims_runtime::Jwks::from_json(r#"{"keys": [{"kty": "RSA", "kid": "weak", "n": "AQAB", "e": "AQAB"}]}"#).unwrap();
    /// let why = jwks.refusal("weak").unwrap();
    /// assert!(matches!(why, clerk_claims_runtime::keys::KeyError::RsaTooSmall { bits: 17, min: 2048 }), "{why}");
    /// ```
    pub fn refusal(&self, kid: &str) -> Option<&KeyError> {
        self.refused.iter().find(|(k, _)| k.as_deref() == Some(kid)).map(|(_, why)| why)
    }

    /// Every usable key.
    pub fn keys(&self) -> &[Arc<Key>] {
        &self.keys
    }

    /// How many keys are usable.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The set as a JWKS document (public parts only).
    ///
    /// ```
    /// use clerk_claims_runtime::{Jwks, keys::{Algorithm, Key}};
    /// let jwks = Jwks::from_keys([Key::hmac(&[1; 32], Algorithm::HS256).unwrap()]);
    /// assert!(jwks.to_json()["keys"][0].get("k").is_none());
    /// ```
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "keys": self.keys.iter().map(|k| k.jwk().clone()).collect::<Vec<_>>() })
    }
}
