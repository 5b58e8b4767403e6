//! The dev issuer's signing key: RSA, RS256, as Clerk signs session and template tokens.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use aws_lc_rs::hmac;

use clerk_claims_runtime::keys::{Algorithm, Jwks, Key, KeyError};

/// The bundled development key. DEVELOPMENT ONLY: it is published with this crate, so anyone can
/// sign tokens with it; never configure a production verifier to trust it.
pub const DEVELOPMENT_KEY_PEM: &str = include_str!("development_key.pem");

/// The kid the bundled development key signs with.
pub const DEVELOPMENT_KEY_ID: &str = "ins_dev_clerk_claims_development_only";

/// An RSA private key that signs RS256 tokens under a `kid`.
///
/// ```
/// use clerk_claims_dev::SigningKey;
/// let key = SigningKey::development();
/// assert_eq!(key.kid(), "ins_dev_clerk_claims_development_only");
/// let token = key.sign(&serde_json::json!({"typ": "JWT"}), &serde_json::json!({"sub": "user_1"})).unwrap();
/// assert_eq!(token.split('.').count(), 3);
/// assert!(SigningKey::from_pem("not a key", "k").is_err());
/// ```
pub struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    public: Key,
    development: bool,
}

impl std::fmt::Debug for SigningKey {
    // Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("development", &self.development)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The bundled development key ([`DEVELOPMENT_KEY_PEM`], kid [`DEVELOPMENT_KEY_ID`]).
    /// Development only.
    pub fn development() -> SigningKey {
        match SigningKey::from_pem(DEVELOPMENT_KEY_PEM, DEVELOPMENT_KEY_ID) {
            Ok(key) => SigningKey { development: true, ..key },
            // The bundled PEM is a fixed, valid key (a unit test parses it).
            Err(e) => unreachable!("the bundled development key does not parse: {e}"),
        }
    }

    /// An RSA private key from PEM (`BEGIN PRIVATE KEY`, PKCS#8, or `BEGIN RSA PRIVATE KEY`,
    /// PKCS#1) that signs under `kid`. Keys under 2048 bits are refused.
    ///
    /// # Errors
    /// [`KeyError`] naming what is wrong with the PEM.
    pub fn from_pem(pem: &str, kid: &str) -> Result<SigningKey, KeyError> {
        // The base64 between the armour lines; text before or after them (RFC 7468 allows it) is
        // not key material.
        let lines: Vec<&str> = pem.lines().map(str::trim).collect();
        let begin = lines.iter().position(|l| l.starts_with("-----BEGIN"));
        let body: String = match begin {
            Some(begin) => {
                lines.iter().skip(begin + 1).take_while(|l| !l.starts_with("-----END")).copied().collect()
            }
            None => lines.concat(),
        };
        let der = STANDARD
            .decode(body.trim())
            .map_err(|_| KeyError("this is not an RSA private key in PEM: its body is not base64 (expected `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`)".into()))?;
        let pair = RsaKeyPair::from_pkcs8(&der).or_else(|_| RsaKeyPair::from_der(&der)).map_err(|_| {
            KeyError("the PEM is not an RSA private key (PKCS#8 or PKCS#1) of 2048 bits or more".into())
        })?;
        let rsa = pair.public_key();
        let jwk = json!({
            "kid": kid,
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(rsa.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(rsa.exponent().big_endian_without_leading_zero()),
        });
        let public = Key::from_jwk(&jwk)?;
        Ok(SigningKey { kid: kid.to_string(), pair, public, development: false })
    }

    /// The kid tokens carry.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Whether this is the bundled development key.
    pub fn is_development(&self) -> bool {
        self.development
    }

    /// The public key as a verification [`Key`].
    pub fn public_key(&self) -> &Key {
        &self.public
    }

    /// The public key as PEM (`-----BEGIN PUBLIC KEY-----`, SPKI): what Clerk's Dashboard shows as
    /// the "JWT public key", for networkless verification (`CLERK_JWT_KEY`, `jwtKey` of Clerk's SDKs).
    ///
    /// ```
    /// let key = clerk_claims_dev::SigningKey::development();
    /// let pem = key.public_pem();
    /// assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    /// let parsed = clerk_claims_runtime::keys::Key::from_pem(&pem, "k").unwrap();
    /// assert_eq!(parsed.jwk()["n"], key.public_key().jwk()["n"]);
    /// ```
    pub fn public_pem(&self) -> String {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        let der: Result<PublicKeyX509Der<'static>, _> = self.pair.public_key().as_der();
        let body = der.map(|der| STANDARD.encode(der.as_ref())).unwrap_or_default();
        let lines: Vec<&str> =
            body.as_bytes().chunks(64).filter_map(|line| std::str::from_utf8(line).ok()).collect();
        format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", lines.join("\n"))
    }

    /// The public JWKS document (`{"keys": [...]}`) that verifies this key's tokens.
    ///
    /// ```
    /// let jwks = clerk_claims_dev::SigningKey::development().jwks_json();
    /// assert_eq!(jwks["keys"][0]["kty"], "RSA");
    /// ```
    pub fn jwks_json(&self) -> Value {
        json!({"keys": [self.public.jwk()]})
    }

    /// The public key set, ready for a [`Verifier`](clerk_claims_runtime::Verifier).
    pub fn jwks(&self) -> Jwks {
        // Rebuilt from the JWK: `Key` is not `Clone` (it holds a parsed key).
        Key::from_jwk(self.public.jwk()).map_or_else(|_| Jwks::from_keys([]), |k| Jwks::from_keys([k]))
    }

    /// A compact JWS of `claims`: `header` gets `alg: RS256` and this key's `kid`.
    ///
    /// # Errors
    /// [`KeyError`] when signing fails (not expected with a parsed key).
    pub fn sign(&self, header: &Value, claims: &Value) -> Result<String, KeyError> {
        compact(header, &[("alg", "RS256"), ("kid", &self.kid)], claims, |input| {
            let mut signature = vec![0; self.pair.public_modulus_len()];
            self.pair
                .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), input, &mut signature)
                .map_err(|_| KeyError("signing failed".into()))?;
            Ok(signature)
        })
    }
}

/// A template's custom signing key: an HMAC secret (`HS256`, `HS384`, `HS512`), as Clerk's
/// integrations (Supabase, Hasura, ...) use.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomKey {
    algorithm: Algorithm,
    secret: Vec<u8>,
}

impl std::fmt::Debug for CustomKey {
    // Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl CustomKey {
    /// A custom key: `algorithm` must be HMAC and `secret` at least as long as its hash (the rule
    /// [`Key::hmac`] applies to verifying keys).
    ///
    /// # Errors
    /// [`KeyError`] naming what is wrong.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::Algorithm;
    /// use clerk_claims_dev::CustomKey;
    /// assert!(CustomKey::new(Algorithm::HS256, b"short".to_vec()).is_err());
    /// assert!(CustomKey::new(Algorithm::RS256, vec![0; 64]).is_err());
    /// ```
    pub fn new(algorithm: Algorithm, secret: Vec<u8>) -> Result<CustomKey, KeyError> {
        Key::hmac(&secret, algorithm)?;
        Ok(CustomKey { algorithm, secret })
    }

    /// A compact JWS of `claims` with this secret (`header` gets `alg`; no `kid`).
    ///
    /// # Errors
    /// [`KeyError`] (not expected: the key was checked by [`CustomKey::new`]).
    ///
    /// ```
    /// use clerk_claims_runtime::keys::{Algorithm, Key};
    /// use clerk_claims_dev::CustomKey;
    /// let secret = b"a-supabase-jwt-secret-of-32-bytes!";
    /// let custom = CustomKey::new(Algorithm::HS256, secret.to_vec()).unwrap();
    /// let token = custom.sign(&serde_json::json!({"typ": "JWT"}), &serde_json::json!({"sub": "user_1", "exp": 100})).unwrap();
    /// let key = Key::hmac(secret, Algorithm::HS256).unwrap();
    /// let claims = clerk_claims_runtime::Verifier::new(key).now(50).verify_json(&token, clerk_claims_runtime::verify::TokenKind::Any).unwrap();
    /// assert_eq!(claims["sub"], "user_1");
    /// ```
    pub fn sign(&self, header: &Value, claims: &Value) -> Result<String, KeyError> {
        let hash = match self.algorithm {
            Algorithm::HS256 => hmac::HMAC_SHA256,
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            other => return Err(KeyError(format!("{other} is not an HMAC algorithm"))),
        };
        let key = hmac::Key::new(hash, &self.secret);
        compact(header, &[("alg", self.algorithm.name())], claims, |input| {
            Ok(hmac::sign(&key, input).as_ref().to_vec())
        })
    }
}

/// `header` (with `set` members) and `claims` as base64url JSON, signed by `sign`.
fn compact(
    header: &Value,
    set: &[(&str, &str)],
    claims: &Value,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, KeyError>,
) -> Result<String, KeyError> {
    let mut header = header.as_object().cloned().unwrap_or_default();
    for (name, value) in set {
        header.insert((*name).to_string(), (*value).into());
    }
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    let signing_input = format!("{}.{}", encode(&Value::Object(header)), encode(claims));
    let signature = sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_key_signs_what_its_jwks_verifies() {
        let key = SigningKey::development();
        let token = key.sign(&json!({"typ": "JWT"}), &json!({"sub": "user_1"})).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        key.jwks().get(DEVELOPMENT_KEY_ID).unwrap().verify("RS256", input.as_bytes(), &signature).unwrap();
    }
}
