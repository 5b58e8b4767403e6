//! Verification keys: JWKs (Clerk's instance keys, RSA), PEM public keys (Clerk's networkless
//! `CLERK_JWT_KEY`), and the keys of templates with a custom signing key (HMAC, EC, Ed25519).
//!
//! A key is parsed once into the crypto backend's form and pinned to one algorithm: a token whose
//! `alg` differs is rejected, so `none`, HS256-with-an-RSA-key and similar confusions cannot happen.

mod der;
mod jwks;
#[cfg(feature = "remote")]
mod remote;
mod source;

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::{hmac, signature};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub use jwks::Jwks;
#[cfg(feature = "remote")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote")))]
pub use remote::{RemoteJwks, RemoteOptions};
pub use source::KeySource;

use crate::error::{Reason, VerifyError};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Smallest RSA public exponent accepted.
pub const MIN_RSA_EXPONENT: u64 = 65537;

/// The public modulus (base64url) of the development key bundled with the dev issuer. Its private
/// half is published, so anyone can sign with it: a verifier refuses a key with this modulus unless
/// it is for a loopback issuer or told otherwise ([`crate::Verifier::allow_development_key`]).
pub const DEVELOPMENT_KEY_MODULUS: &str = "z06TitHZQlQvciKaMW5vT_qeSlenOU0j_5F-7nN4FqTeSu5JtmzFZFHAaW18PXYf1uL4A-nuNHxA8jcCJW0Ze2YCdUFUa0CNQyeEZkeBI3pBXnOxsLGoWo3AGcDsu09kRoS5d-VrA_Bfabp172wOcITthVcLObYNXKafqzdDrYAr47A30CNj8dxU3PPb5abq5xWZSsqeJOC3d7QuOnN0a7Ik1eqzLHq5qvkZRhzRUYpnPTpMKiE3ysZ4Mr7Kz7T9Ug_4LI28BmEkRHqaFIwNO1VIpghyeS2xCHqrlPNzhl0WeFp_VuZMfRGTOGR9Tzh3dCy4RGyTIq8f0W3lmx5sXw";

/// A JWS algorithm this crate verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Clerk's instance keys).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// Ed25519.
    EdDSA,
}

impl Algorithm {
    /// The `alg` name.
    ///
    /// ```
    /// assert_eq!(clerk_claims_runtime::keys::Algorithm::RS256.name(), "RS256");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    fn public(self) -> Option<&'static dyn signature::VerificationAlgorithm> {
        Some(match self {
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::ES512 => &signature::ECDSA_P521_SHA512_FIXED,
            Algorithm::EdDSA => &signature::ED25519,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => return None,
        })
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        Ok(match s {
            "RS256" => Algorithm::RS256,
            "RS384" => Algorithm::RS384,
            "RS512" => Algorithm::RS512,
            "ES256" => Algorithm::ES256,
            "ES384" => Algorithm::ES384,
            "ES512" => Algorithm::ES512,
            "HS256" => Algorithm::HS256,
            "HS384" => Algorithm::HS384,
            "HS512" => Algorithm::HS512,
            "EdDSA" => Algorithm::EdDSA,
            other => return Err(KeyError::UnsupportedAlgorithm { name: other.to_string() }),
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a key (a JWK, a key set, a PEM, an HMAC secret) cannot be used; each says what was expected
/// and what was found.
///
/// ```
/// use clerk_claims_runtime::keys::{Algorithm, Key, KeyError};
/// let err = Key::hmac(&[1; 16], Algorithm::HS256).unwrap_err();
/// assert_eq!(err, KeyError::SecretTooShort { algorithm: Algorithm::HS256, min: 32, found: 16 });
/// assert_eq!(err.to_string(), "an HS256 secret needs at least 32 bytes, this one has 16");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// An `alg` this crate does not verify.
    #[error("unsupported algorithm `{name}`")]
    UnsupportedAlgorithm {
        /// The algorithm's name as given.
        name: String,
    },
    /// A key type (`kty`) this crate does not verify.
    #[error("unsupported key type {kty:?}")]
    UnsupportedKeyType {
        /// The key type as given (`(none)` when absent).
        kty: String,
    },
    /// An elliptic curve this crate does not verify.
    #[error("unsupported EC curve `{crv}`")]
    UnsupportedCurve {
        /// The curve as given.
        crv: String,
    },
    /// The key cannot verify the algorithm named with it.
    #[error("{key} cannot verify {algorithm}")]
    AlgorithmMismatch {
        /// What the key is (`an RSA key`, `a P-256 key`, ...).
        key: String,
        /// The algorithm asked for.
        algorithm: String,
    },
    /// The JWK is marked for something other than verifying signatures (`use`, `key_ops`).
    #[error("the key's `{member}` is {found}, which does not allow verifying signatures")]
    NotForVerifying {
        /// `use` or `key_ops`.
        member: &'static str,
        /// Its value, as JSON.
        found: String,
    },
    /// A member the key type needs is absent.
    #[error("the JWK has no `{member}`")]
    MissingMember {
        /// The member's name.
        member: String,
    },
    /// Part of the key is not in the encoding it must be in.
    #[error("{part} is not {encoding}")]
    BadEncoding {
        /// What was read (``the JWK's `n` ``, `the PEM body`).
        part: String,
        /// `base64url`, `base64`.
        encoding: &'static str,
    },
    /// An RSA modulus shorter than this crate accepts.
    #[error("the RSA key has {bits} bits; at least {min} are required")]
    RsaTooSmall {
        /// The modulus' length in bits.
        bits: usize,
        /// The shortest accepted.
        min: usize,
    },
    /// An RSA public exponent that is even or too small.
    #[error("the RSA exponent is {exponent}; an odd exponent of at least {min} is required")]
    RsaExponent {
        /// The exponent (saturated at `u64::MAX`).
        exponent: u64,
        /// The smallest accepted.
        min: u64,
    },
    /// EC coordinates of the wrong length for their curve.
    #[error("the {crv} key's coordinates are not {size} bytes")]
    CoordinateSize {
        /// The curve.
        crv: String,
        /// The length each coordinate must have.
        size: usize,
    },
    /// An HMAC secret shorter than its hash.
    #[error("an {algorithm} secret needs at least {min} bytes, this one has {found}")]
    SecretTooShort {
        /// The HMAC algorithm.
        algorithm: Algorithm,
        /// The shortest accepted, in bytes.
        min: usize,
        /// The secret's length.
        found: usize,
    },
    /// An HMAC secret that is a public key: anyone holding the public key could sign.
    #[error(
        "the HMAC secret is {kind}, not a secret: verify with the public key itself (--pem or --jwks), \
         or give the template's shared secret"
    )]
    PublicKeyAsSecret {
        /// What it looks like (`a PEM public key`, ...).
        kind: &'static str,
    },
    /// The cryptography library refused the key material.
    #[error("the {what} was refused: {reason}")]
    Rejected {
        /// What was refused (`key`, `RSA key`, ...).
        what: &'static str,
        /// Why, as the library says it.
        reason: String,
    },
    /// A key set that is not a JWKS document.
    #[error("the JWKS {problem}")]
    NotAJwks {
        /// What is wrong (`is not valid JSON: ...`, `has no `keys` array`).
        problem: String,
    },
    /// Two keys in one set share a `kid`: neither is used.
    #[error("two keys in the set share this kid")]
    DuplicateKid,
    /// A symmetric key in a published (public) key set: never used.
    #[error("a symmetric key is never taken from a published key set")]
    SymmetricInPublishedSet,
    /// A key set with both symmetric and public keys.
    #[error("the key set mixes symmetric and public keys; keep them in separate sets")]
    MixedKeySet,
    /// Private key material that is not what the algorithm signs with.
    #[error("{algorithm} needs {needs}; found {found}")]
    WrongMaterial {
        /// The algorithm the key is for.
        algorithm: Algorithm,
        /// What it needs.
        needs: &'static str,
        /// What was given instead.
        found: &'static str,
    },
    /// Signing with the key failed.
    #[error("signing failed{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    SigningFailed {
        /// Why, when the library says.
        reason: Option<String>,
    },
}

/// An HMAC key for `alg` (HS256, HS384, HS512); secrets shorter than the hash are refused. One
/// rule for verifying ([`Key::hmac`]) and for the dev issuer's signing.
pub(crate) fn hmac_key(secret: &[u8], alg: Algorithm) -> Result<hmac::Key, KeyError> {
    let (algorithm, min) = match alg {
        Algorithm::HS256 => (hmac::HMAC_SHA256, 32),
        Algorithm::HS384 => (hmac::HMAC_SHA384, 48),
        Algorithm::HS512 => (hmac::HMAC_SHA512, 64),
        other => {
            return Err(KeyError::AlgorithmMismatch {
                key: "an HMAC secret".into(),
                algorithm: other.to_string(),
            });
        }
    };
    if secret.len() < min {
        return Err(KeyError::SecretTooShort { algorithm: alg, min, found: secret.len() });
    }
    Ok(hmac::Key::new(algorithm, secret))
}

enum Verifying {
    Public(signature::ParsedPublicKey),
    Hmac(Box<hmac::Key>),
}

/// A verification key, parsed and pinned to one algorithm.
pub struct Key {
    kid: Option<String>,
    alg: Algorithm,
    verifying: Verifying,
    jwk: Value,
    development: bool,
}

impl fmt::Debug for Key {
    // Never prints key material (an HMAC secret in particular).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").field("kid", &self.kid).field("alg", &self.alg).finish_non_exhaustive()
    }
}

impl Key {
    /// A key from a JWK (`kty` RSA, EC, OKP or oct). RSA keys under 2048 bits or with an exponent
    /// under 65537 are refused, as are keys whose `use` is not `sig`.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::{Algorithm, Key};
    /// let jwk = serde_json::json!({"kty": "oct", "k": "YS1zZWNyZXQta2V5LW9mLWF0LWxlYXN0LTMyLWJ5dGVzIQ", "alg": "HS256", "kid": "k1"});
    /// let key = Key::from_jwk(&jwk).unwrap();
    /// assert_eq!((key.kid(), key.algorithm()), (Some("k1"), Algorithm::HS256));
    /// assert!(Key::from_jwk(&serde_json::json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})).is_err());
    /// ```
    pub fn from_jwk(jwk: &Value) -> Result<Key, KeyError> {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        let kid = field("kid").map(str::to_string);
        if let Some(usage) = field("use")
            && usage != "sig"
        {
            return Err(KeyError::NotForVerifying { member: "use", found: Value::from(usage).to_string() });
        }
        if let Some(ops) = jwk.get("key_ops")
            && !ops.as_array().is_some_and(|ops| ops.iter().any(|op| op == "verify"))
        {
            return Err(KeyError::NotForVerifying { member: "key_ops", found: ops.to_string() });
        }
        let declared = field("alg").map(Algorithm::from_str).transpose()?;
        let b64 = |name: &str| -> Result<Vec<u8>, KeyError> {
            let text = field(name).ok_or_else(|| KeyError::MissingMember { member: name.to_string() })?;
            URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(|_| KeyError::BadEncoding {
                part: format!("the JWK's `{name}`"),
                encoding: "base64url",
            })
        };
        let (alg, verifying, public) = match field("kty") {
            Some("RSA") => {
                let alg = declared.unwrap_or(Algorithm::RS256);
                if !matches!(alg, Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512) {
                    return Err(KeyError::AlgorithmMismatch {
                        key: "an RSA key".into(),
                        algorithm: alg.to_string(),
                    });
                }
                let (n, e) = (b64("n")?, b64("e")?);
                let der = rsa_der(&n, &e)?;
                let parsed = parse(alg, &der)?;
                let public = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(strip_zeros(&n)), "e": URL_SAFE_NO_PAD.encode(strip_zeros(&e))});
                (alg, Verifying::Public(parsed), public)
            }
            Some("EC") => {
                let crv = field("crv").unwrap_or_default();
                let (alg, size) = match crv {
                    "P-256" => (Algorithm::ES256, 32),
                    "P-384" => (Algorithm::ES384, 48),
                    "P-521" => (Algorithm::ES512, 66),
                    other => return Err(KeyError::UnsupportedCurve { crv: other.to_string() }),
                };
                if let Some(declared) = declared.filter(|d| *d != alg) {
                    return Err(KeyError::AlgorithmMismatch {
                        key: format!("a {crv} key"),
                        algorithm: declared.to_string(),
                    });
                }
                let (x, y) = (b64("x")?, b64("y")?);
                if x.len() != size || y.len() != size {
                    return Err(KeyError::CoordinateSize { crv: crv.to_string(), size });
                }
                let point: Vec<u8> = [&[4u8][..], &x, &y].concat();
                let public = json!({"kty": "EC", "crv": crv, "x": field("x"), "y": field("y")});
                (alg, Verifying::Public(parse(alg, &point)?), public)
            }
            Some("OKP") if field("crv") == Some("Ed25519") => {
                if let Some(declared) = declared.filter(|d| *d != Algorithm::EdDSA) {
                    return Err(KeyError::AlgorithmMismatch {
                        key: "an Ed25519 key".into(),
                        algorithm: declared.to_string(),
                    });
                }
                let x = b64("x")?;
                let public = json!({"kty": "OKP", "crv": "Ed25519", "x": field("x")});
                (Algorithm::EdDSA, Verifying::Public(parse(Algorithm::EdDSA, &x)?), public)
            }
            Some("oct") => {
                let alg = declared.unwrap_or(Algorithm::HS256);
                let secret = b64("k")?;
                return Key::hmac(&secret, alg).map(|key| Key { kid, ..key });
            }
            other => {
                return Err(KeyError::UnsupportedKeyType { kty: other.unwrap_or("(none)").to_string() });
            }
        };
        let development = public.get("n").and_then(Value::as_str) == Some(DEVELOPMENT_KEY_MODULUS);
        let mut jwk_out = public;
        if let Some(obj) = jwk_out.as_object_mut() {
            obj.insert("alg".into(), alg.name().into());
            obj.insert("use".into(), "sig".into());
            if let Some(kid) = &kid {
                obj.insert("kid".into(), kid.clone().into());
            }
        }
        Ok(Key { kid, alg, verifying, jwk: jwk_out, development })
    }

    /// An RSA public key from PEM (SPKI or PKCS#1), armoured or as a bare base64 body, as Clerk's
    /// `CLERK_JWT_KEY` holds it. It verifies RS256 and gets kid `local-<kid>`.
    ///
    /// ```
    /// // Clerk's Dashboard shows it under API keys, "Show JWT public key" (this one is Clerk's
    /// // SDK test fixture's).
    /// let pem = "-----BEGIN PUBLIC KEY-----
    /// MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqYy3MY8fOneEyzNDu9lp
    /// 6iGXKkNUF+u/dUnrlkadZYyB35efzKFJEr9fftmWv5PUj1uRHTQ3bh6X1cceOYsI
    /// jy008dHWZJsKhGOxgdTjeK91rjaklxt7tyFXEiKHIOr1LSgKzopClOfCIjxK/oPU
    /// Of38pVh7WnekcSBQmU5fqA+EzKMi6k9VwvbzqKlZM4XQsiFyn28d9VubJWjTU8nN
    /// ot0n1NE+9k6TxM8nglM4RwkBH4Ni4B0LhKKOOV+AG8tBNiZVil415dpBldmJ/j0w
    /// k7Ad4VFi9en3Z17oCKr+K+zuT7vKMKSb1548dk0vnmi0vj2QGXSo+61wM5yQWpk6
    /// sQIDAQAB
    /// -----END PUBLIC KEY-----";
    /// let key = clerk_claims_runtime::keys::Key::from_pem(pem, "test-kid").unwrap();
    /// assert_eq!(key.jwk()["kid"], "local-test-kid");
    /// assert_eq!(key.jwk()["e"], "AQAB");
    /// assert!(clerk_claims_runtime::keys::Key::from_pem("not a key", "k").is_err());
    /// ```
    pub fn from_pem(pem: &str, kid: &str) -> Result<Key, KeyError> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat()
            .replace("\\n", "");
        let der = STANDARD
            .decode(body.trim())
            .map_err(|_| KeyError::BadEncoding { part: "the PEM body".into(), encoding: "base64" })?;
        let rsa = aws_lc_rs::rsa::PublicKey::from_der(&der)
            .map_err(|_| KeyError::Rejected { what: "PEM", reason: "it is not an RSA public key".into() })?;
        let jwk = json!({
            "kid": format!("local-{kid}"),
            "kty": "RSA",
            "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode(rsa.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(rsa.exponent().big_endian_without_leading_zero()),
        });
        Key::from_jwk(&jwk)
    }

    /// Clerk's networkless key (`CLERK_JWT_KEY`): [`Key::from_pem`] with kid `local-<kid>`, or
    /// `jwk-local-missing` when there is none.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::Key;
    /// let err = Key::local(None, "k").unwrap_err();
    /// assert_eq!((err.reason.code(), err.message.as_str()), ("jwk-local-missing", "Missing local JWK."));
    /// ```
    pub fn local(pem: Option<&str>, kid: &str) -> Result<Key, VerifyError> {
        let pem = pem.filter(|p| !p.trim().is_empty()).ok_or_else(|| {
            VerifyError::new(Reason::JwkLocalMissing, "Missing local JWK.")
                .with_action("Set the CLERK_JWT_KEY environment variable.")
        })?;
        Key::from_pem(pem, kid).map_err(|e| {
            VerifyError::new(Reason::JwkInvalid, format!("CLERK_JWT_KEY is not a usable key: {e}."))
                .with_action("Set CLERK_JWT_KEY to the PEM public key from the Dashboard (API keys, Show JWT public key).")
        })
    }

    /// An HMAC key (a template's custom signing key). Secrets shorter than the hash are refused, and
    /// so is text that is a public key (PEM, OpenSSH or a JWK), as PyJWT refuses it: a public key
    /// used as an HMAC secret lets anyone who has it (everyone) sign tokens.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::{Algorithm, Key};
    /// assert!(Key::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256).is_ok());
    /// assert!(Key::hmac(b"short", Algorithm::HS256).is_err());
    /// assert!(Key::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::RS256).is_err());
    /// let pem = b"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    /// assert!(Key::hmac(pem, Algorithm::HS256).unwrap_err().to_string().contains("public key"));
    /// ```
    pub fn hmac(secret: &[u8], alg: Algorithm) -> Result<Key, KeyError> {
        if let Some(kind) = looks_like_public_key(secret) {
            return Err(KeyError::PublicKeyAsSecret { kind });
        }
        let key = hmac_key(secret, alg)?;
        Ok(Key {
            kid: None,
            alg,
            verifying: Verifying::Hmac(Box::new(key)),
            jwk: json!({"kty": "oct", "alg": alg.name()}),
            development: false,
        })
    }

    /// Whether this is the bundled development key (its private half is public).
    ///
    /// ```
    /// use clerk_claims_runtime::keys::{Algorithm, Key, DEVELOPMENT_KEY_MODULUS};
    /// let dev = Key::from_jwk(&serde_json::json!({"kty": "RSA", "n": DEVELOPMENT_KEY_MODULUS, "e": "AQAB"})).unwrap();
    /// assert!(dev.is_development());
    /// assert!(!Key::hmac(&[7; 32], Algorithm::HS256).unwrap().is_development());
    /// ```
    pub fn is_development(&self) -> bool {
        self.development
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The public JWK (for an HMAC key, no secret: only `kty` and `alg`).
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// Checks `signature` over `message`; the token's `alg` must be this key's.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::{Algorithm, Key};
    /// let key = Key::hmac(&[7; 32], Algorithm::HS256).unwrap();
    /// let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &[7; 32]), b"m");
    /// assert!(key.verify("HS256", b"m", tag.as_ref()).is_ok());
    /// assert_eq!(key.verify("HS256", b"x", tag.as_ref()).unwrap_err().reason.code(), "token-invalid-signature");
    /// assert_eq!(key.verify("none", b"m", b"").unwrap_err().reason.code(), "token-invalid-algorithm");
    /// ```
    pub fn verify(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
        if alg != self.alg.name() {
            return Err(VerifyError::new(
                Reason::TokenInvalidAlgorithm,
                format!("Invalid JWT algorithm {}. The key verifies {} only.", json!(alg), self.alg),
            ));
        }
        let ok = match &self.verifying {
            Verifying::Public(key) => key.verify_sig(message, sig).is_ok(),
            Verifying::Hmac(key) => hmac::verify(key, message, sig).is_ok(),
        };
        if ok {
            Ok(())
        } else {
            Err(VerifyError::new(Reason::TokenInvalidSignature, "JWT signature is invalid."))
        }
    }
}

/// What kind of public key `secret` is written as, if it is one.
fn looks_like_public_key(secret: &[u8]) -> Option<&'static str> {
    let text = std::str::from_utf8(secret).ok()?.trim_start();
    const PEM: &[&str] = &[
        "-----BEGIN PUBLIC KEY",
        "-----BEGIN RSA PUBLIC KEY",
        "-----BEGIN CERTIFICATE",
        "-----BEGIN EC PUBLIC KEY",
    ];
    const SSH: &[&str] = &[
        "ssh-rsa ",
        "ssh-ed25519 ",
        "ssh-dss ",
        "ecdsa-sha2-nistp",
        "sk-ssh-ed25519@openssh.com ",
        "sk-ecdsa-sha2-nistp",
    ];
    if PEM.iter().any(|p| text.starts_with(p)) || text.starts_with("-----BEGIN") {
        return Some("PEM text");
    }
    if SSH.iter().any(|p| text.starts_with(p)) {
        return Some("an OpenSSH public key");
    }
    let json = serde_json::from_str::<Value>(text).ok()?;
    (json.get("kty").is_some() || json.get("keys").is_some()).then_some("a JWK")
}

fn parse(alg: Algorithm, bytes: &[u8]) -> Result<signature::ParsedPublicKey, KeyError> {
    let algorithm = alg.public().ok_or_else(|| KeyError::AlgorithmMismatch {
        key: "a public key".into(),
        algorithm: alg.to_string(),
    })?;
    signature::ParsedPublicKey::new(algorithm, bytes)
        .map_err(|e| KeyError::Rejected { what: "key", reason: e.to_string() })
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// PKCS#1 `RSAPublicKey` DER of a modulus and exponent, after the size and exponent checks.
fn rsa_der(n: &[u8], e: &[u8]) -> Result<Vec<u8>, KeyError> {
    let n = strip_zeros(n);
    let e = strip_zeros(e);
    let bits = n.first().map_or(0, |top| (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize));
    if bits < MIN_RSA_BITS {
        return Err(KeyError::RsaTooSmall { bits, min: MIN_RSA_BITS });
    }
    let exponent =
        if e.len() > 8 { u64::MAX } else { e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)) };
    if exponent < MIN_RSA_EXPONENT || exponent % 2 == 0 {
        return Err(KeyError::RsaExponent { exponent, min: MIN_RSA_EXPONENT });
    }
    Ok(der::rsa_public_key(n, e))
}

/// A `kid` from a token as a message shows it: escaped as inside a JSON string (no control
/// character or quote reaches a log line) and cut at 64 characters.
///
/// ```
/// use clerk_claims_runtime::keys::shown_kid;
/// assert_eq!(shown_kid("ins_1"), "ins_1");
/// assert_eq!(shown_kid("a\n'b"), "a\\n\\u0027b");
/// assert_eq!(shown_kid(&"k".repeat(100)), format!("{}…", "k".repeat(64)));
/// ```
pub fn shown_kid(kid: &str) -> String {
    let cut: String = kid.chars().take(64).collect();
    let more = if cut.len() < kid.len() { "…" } else { "" };
    let json = Value::String(cut).to_string();
    let inner = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')).unwrap_or_default();
    // The message quotes the kid with `'`, as Clerk's does.
    format!("{}{more}", inner.replace('\'', "\\u0027"))
}

/// The error for a `kid` a key set does not hold (or refused).
pub(crate) fn missing_key(jwks: &Jwks, kid: &str) -> VerifyError {
    let shown = shown_kid(kid);
    if let Some(why) = jwks.refusal(kid) {
        return VerifyError::new(
            Reason::JwkInvalid,
            format!("The key with kid='{shown}' cannot be used: {why}."),
        );
    }
    VerifyError::new(
        Reason::JwkKidMismatch,
        format!(
            "Unable to find a signing key in JWKS that matches the kid='{shown}' of the provided session token. \
             Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated \
             session JWT."
        ),
    )
    .with_action(
        "Go to your Dashboard and validate your secret and public keys are correct. \
         Contact support@clerk.com if the issue persists.",
    )
}
