//! The dev issuer's signing keys: the instance key (RSA, RS256, as Clerk signs session and template
//! tokens) and templates' custom keys. Signing goes through `jsonwebtoken::EncodingKey` (the
//! well-kept signer) for every algorithm it has; verification stays on the runtime's parsed keys.
//!
//! | algorithm | custom key material | signs with | verifies with |
//! |---|---|---|---|
//! | HS256, HS384, HS512 | a secret at least as long as the hash | jsonwebtoken | `Key::hmac` |
//! | RS256, RS384, RS512 | RSA private key PEM (PKCS#8 or PKCS#1), 2048 bits or more | jsonwebtoken | RSA JWK / PEM |
//! | ES256, ES384 | EC private key PEM (PKCS#8), P-256 / P-384 | jsonwebtoken | EC JWK |
//! | ES512 | EC private key PEM (PKCS#8), P-521 | aws-lc-rs (jsonwebtoken has no ES512) | EC JWK |
//! | EdDSA | Ed25519 private key PEM (PKCS#8) | jsonwebtoken | OKP JWK |
//!
//! The verifier (`clerk_claims_runtime::keys::Algorithm`) takes exactly these ten.

use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use clerk_claims_runtime::keys::{Algorithm, Jwks, Key, KeyError};

/// The bundled development key. DEVELOPMENT ONLY: it is published with this crate, so anyone can
/// sign tokens with it; never configure a production verifier to trust it.
pub const DEVELOPMENT_KEY_PEM: &str = include_str!("development_key.pem");

/// The kid the bundled development key signs with.
pub const DEVELOPMENT_KEY_ID: &str = "ins_dev_clerk_claims_development_only";

/// The DER inside a PEM text (the base64 between its armour lines; text around them, which RFC
/// 7468 allows, is not key material), and the armour's label (`PRIVATE KEY`, ...).
fn pem_der(pem: &str) -> Option<(String, Vec<u8>)> {
    let lines: Vec<&str> = pem.lines().map(str::trim).collect();
    let begin = lines.iter().position(|l| l.starts_with("-----BEGIN"));
    let (label, body): (String, String) = match begin {
        Some(begin) => {
            let label = lines
                .get(begin)
                .and_then(|l| l.strip_prefix("-----BEGIN "))
                .and_then(|l| l.strip_suffix("-----"))
                .unwrap_or_default()
                .to_string();
            (
                label,
                lines.iter().skip(begin + 1).take_while(|l| !l.starts_with("-----END")).copied().collect(),
            )
        }
        None => (String::new(), lines.concat()),
    };
    let der = STANDARD.decode(body.trim()).ok()?;
    Some((label, der))
}

/// `der` in PEM armour with `label`, as jsonwebtoken reads keys.
fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).filter_map(|line| std::str::from_utf8(line).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn jwt_algorithm(algorithm: Algorithm) -> Option<jsonwebtoken::Algorithm> {
    Some(match algorithm {
        Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
        Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
        Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        Algorithm::RS384 => jsonwebtoken::Algorithm::RS384,
        Algorithm::RS512 => jsonwebtoken::Algorithm::RS512,
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::ES384 => jsonwebtoken::Algorithm::ES384,
        Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        Algorithm::ES512 => return None,
    })
}

/// How a key signs.
enum Signer {
    /// Through jsonwebtoken.
    Jwt(jsonwebtoken::EncodingKey, jsonwebtoken::Algorithm),
    /// ES512, which jsonwebtoken does not sign: aws-lc-rs directly.
    P521(EcdsaKeyPair),
}

impl Signer {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, KeyError> {
        match self {
            Signer::Jwt(key, algorithm) => {
                let signature = jsonwebtoken::crypto::sign(input, key, *algorithm)
                    .map_err(|e| KeyError::SigningFailed { reason: Some(e.to_string()) })?;
                URL_SAFE_NO_PAD.decode(signature).map_err(|_| KeyError::SigningFailed { reason: None })
            }
            Signer::P521(pair) => pair
                .sign(&aws_lc_rs::rand::SystemRandom::new(), input)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::SigningFailed { reason: None }),
        }
    }
}

/// A private key for `algorithm` from PEM (or, for HMAC, the secret itself): how it signs and the
/// public key that verifies it (none for HMAC, whose key is the secret).
fn parse_private(algorithm: Algorithm, material: &[u8]) -> Result<(Signer, Option<Key>), KeyError> {
    let needs = match algorithm {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            "an RSA private key in PEM (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`) of 2048 bits or more"
        }
        Algorithm::ES256 => "a P-256 private key in PEM (PKCS#8: `-----BEGIN PRIVATE KEY-----`)",
        Algorithm::ES384 => "a P-384 private key in PEM (PKCS#8: `-----BEGIN PRIVATE KEY-----`)",
        Algorithm::ES512 => "a P-521 private key in PEM (PKCS#8: `-----BEGIN PRIVATE KEY-----`)",
        Algorithm::EdDSA => "an Ed25519 private key in PEM (PKCS#8: `-----BEGIN PRIVATE KEY-----`)",
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => "an HMAC secret",
    };
    let wrong = |found: &'static str| KeyError::WrongMaterial { algorithm, needs, found };
    if matches!(algorithm, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        // The verifying rule: a secret as long as the hash, and never a public key's text.
        Key::hmac(material, algorithm)?;
        let alg = jwt_algorithm(algorithm).ok_or_else(|| wrong("an algorithm jsonwebtoken does not sign"))?;
        return Ok((Signer::Jwt(jsonwebtoken::EncodingKey::from_secret(material), alg), None));
    }
    let text = std::str::from_utf8(material).map_err(|_| wrong("bytes that are not text"))?;
    let (label, der) = pem_der(text).ok_or_else(|| wrong("text that is not PEM (its body is not base64)"))?;
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    match algorithm {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            let pair = RsaKeyPair::from_pkcs8(&der)
                .or_else(|_| RsaKeyPair::from_der(&der))
                .map_err(|_| wrong("a PEM block that is not such a key"))?;
            let rsa = pair.public_key();
            let public = Key::from_jwk(&json!({
                "kty": "RSA", "alg": algorithm.name(),
                "n": b64(rsa.modulus().big_endian_without_leading_zero()),
                "e": b64(rsa.exponent().big_endian_without_leading_zero()),
            }))?;
            let label = if label.is_empty() { "PRIVATE KEY" } else { label.as_str() };
            let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem(label, &der).as_bytes())
                .map_err(|e| KeyError::Rejected { what: "RSA key", reason: e.to_string() })?;
            let alg =
                jwt_algorithm(algorithm).ok_or_else(|| wrong("an algorithm jsonwebtoken does not sign"))?;
            Ok((Signer::Jwt(key, alg), Some(public)))
        }
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
            let (signing, crv): (&'static signature::EcdsaSigningAlgorithm, &str) = match algorithm {
                Algorithm::ES256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
                Algorithm::ES384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
                _ => (&signature::ECDSA_P521_SHA512_FIXED_SIGNING, "P-521"),
            };
            let pair = EcdsaKeyPair::from_pkcs8(signing, &der)
                .map_err(|_| wrong("a PEM block that is not such a key"))?;
            let point = pair.public_key().as_ref();
            let size = (point.len().saturating_sub(1)) / 2;
            let (x, y) = (point.get(1..=size).unwrap_or_default(), point.get(size + 1..).unwrap_or_default());
            let public = Key::from_jwk(&json!({"kty": "EC", "crv": crv, "x": b64(x), "y": b64(y)}))?;
            let signer = match jwt_algorithm(algorithm) {
                Some(alg) => Signer::Jwt(
                    jsonwebtoken::EncodingKey::from_ec_pem(pem("PRIVATE KEY", &der).as_bytes())
                        .map_err(|e| KeyError::Rejected { what: "EC key", reason: e.to_string() })?,
                    alg,
                ),
                None => Signer::P521(pair),
            };
            Ok((signer, Some(public)))
        }
        Algorithm::EdDSA => {
            let pair = Ed25519KeyPair::from_pkcs8(&der)
                .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der))
                .map_err(|_| wrong("a PEM block that is not such a key"))?;
            let public = Key::from_jwk(
                &json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())}),
            )?;
            let key = jsonwebtoken::EncodingKey::from_ed_pem(pem("PRIVATE KEY", &der).as_bytes())
                .map_err(|e| KeyError::Rejected { what: "Ed25519 key", reason: e.to_string() })?;
            Ok((Signer::Jwt(key, jsonwebtoken::Algorithm::EdDSA), Some(public)))
        }
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Err(wrong("a request for a private key")),
    }
}

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
    signer: Signer,
    spki: Vec<u8>,
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
        let (signer, public) = parse_private(Algorithm::RS256, pem.as_bytes())?;
        let public =
            public.ok_or(KeyError::Rejected { what: "RSA key", reason: "it has no public half".into() })?;
        let jwk = json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": public.jwk()["n"], "e": public.jwk()["e"]});
        let public = Key::from_jwk(&jwk)?;
        let (_, der) = pem_der(pem)
            .ok_or_else(|| KeyError::BadEncoding { part: "the RSA key's PEM".into(), encoding: "base64" })?;
        let pair = RsaKeyPair::from_pkcs8(&der).or_else(|_| RsaKeyPair::from_der(&der)).map_err(|_| {
            KeyError::Rejected { what: "RSA key", reason: "it is not an RSA private key".into() }
        })?;
        let spki = {
            use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
            let der: Result<PublicKeyX509Der<'static>, _> = pair.public_key().as_der();
            der.map(|d| d.as_ref().to_vec()).unwrap_or_default()
        };
        Ok(SigningKey { kid: kid.to_string(), signer, spki, public, development: false })
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
        pem("PUBLIC KEY", &self.spki)
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
        compact(header, &[("alg", "RS256"), ("kid", &self.kid)], claims, |input| self.signer.sign(input))
    }
}

/// A template's custom signing key, as Clerk's integrations (Supabase, Hasura, Firebase, ...) use:
/// an HMAC secret, or a private key in PEM (see the table of this module).
#[derive(Clone)]
pub struct CustomKey {
    algorithm: Algorithm,
    material: Vec<u8>,
    /// Parsed once, in [`CustomKey::new`]: every token it signs reuses it.
    signer: std::sync::Arc<Signer>,
}

impl PartialEq for CustomKey {
    fn eq(&self, other: &Self) -> bool {
        (self.algorithm, &self.material) == (other.algorithm, &other.material)
    }
}

impl Eq for CustomKey {}

impl std::fmt::Debug for CustomKey {
    // Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl CustomKey {
    /// A custom key for `algorithm`: an HMAC secret at least as long as its hash (the rule
    /// [`Key::hmac`] applies to verifying keys), or a private key's PEM text.
    ///
    /// # Errors
    /// [`KeyError`] naming what is wrong.
    ///
    /// ```
    /// use clerk_claims_runtime::keys::Algorithm;
    /// use clerk_claims_dev::CustomKey;
    /// assert!(CustomKey::new(Algorithm::HS256, b"short".to_vec()).is_err());
    /// assert!(CustomKey::new(Algorithm::RS256, vec![0; 64]).unwrap_err().to_string().contains("RS256 needs an RSA private key"));
    /// ```
    pub fn new(algorithm: Algorithm, material: Vec<u8>) -> Result<CustomKey, KeyError> {
        let (signer, _) = parse_private(algorithm, &material)?;
        Ok(CustomKey { algorithm, material, signer: std::sync::Arc::new(signer) })
    }

    /// The algorithm it signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key that verifies its tokens; `None` for an HMAC secret (verify with
    /// `Key::hmac` of the same secret).
    ///
    /// # Errors
    /// [`KeyError`] (not expected: the key was checked by [`CustomKey::new`]).
    pub fn public_key(&self) -> Result<Option<Key>, KeyError> {
        parse_private(self.algorithm, &self.material).map(|(_, public)| public)
    }

    /// A compact JWS of `claims` with this key (`header` gets `alg`; no `kid`).
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
        compact(header, &[("alg", self.algorithm.name())], claims, |input| self.signer.sign(input))
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
