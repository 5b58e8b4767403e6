//! Splitting and decoding a compact JWS before anything else looks at it: a size limit, exactly three
//! canonical base64url segments, header and payload JSON objects with no duplicate keys and bounded
//! nesting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use super::error::{Reason, VerifyError};

/// Deepest JSON nesting accepted in a header or payload.
pub const MAX_NESTING: usize = 32;

/// A decoded, not yet verified token.
#[derive(Debug, Clone)]
pub struct Decoded<'t> {
    /// The header.
    pub header: Header,
    /// The payload bytes (JSON).
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// `header.payload` as it was signed.
    pub signing_input: &'t str,
    /// The header's JSON text.
    pub header_json: Vec<u8>,
}

/// The JOSE header fields that matter; others are ignored (except `crit`, which is rejected).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Header {
    /// Algorithm.
    pub alg: Option<String>,
    /// Key id.
    pub kid: Option<String>,
    /// Type (`JWT`).
    pub typ: Option<String>,
    /// Clerk's token category (`cl_B7d4PD111AAA` session, `cl_B7d4PD222AAA` template, ...).
    pub cat: Option<String>,
    /// Critical extensions: none are understood, so any is rejected.
    pub crit: Option<Value>,
    /// RFC 7797 unencoded payload: never accepted.
    pub b64: Option<Value>,
    /// Compression: a JWE member, never accepted in a JWS.
    pub zip: Option<Value>,
    /// Content encryption: a JWE member, never accepted in a JWS.
    pub enc: Option<Value>,
    // Every other member (`jku`, `x5u`, `jwk`, `x5c`, `oiat`, ...) is ignored: keys come only from the
    // verifier's own key source.
}

fn invalid_form() -> VerifyError {
    VerifyError::new(
        Reason::TokenInvalid,
        "Invalid JWT form. A JWT consists of three parts separated by dots.",
    )
}

fn undecodable() -> VerifyError {
    VerifyError::new(
        Reason::TokenInvalid,
        "Invalid JWT form. The header, payload, or signature could not be decoded.",
    )
}

/// Decodes `token`, rejecting it when it is over `max_bytes`.
///
/// ```
/// use clerk_claims_runtime::verify::decode;
/// let err = decode("whatever", 8192).unwrap_err();
/// assert_eq!(err.message, "Invalid JWT form. A JWT consists of three parts separated by dots.");
/// assert_eq!(decode("aaa.bbb.ccc", 8192).unwrap_err().reason.code(), "token-invalid");
/// ```
pub fn decode(token: &str, max_bytes: usize) -> Result<Decoded<'_>, VerifyError> {
    let decoded = decode_jws(token, max_bytes)?;
    check_json_object(&decoded.payload)?;
    Ok(decoded)
}

/// [`decode`] for any JWS: the payload is left as bytes (a JWT's payload is checked once the
/// signature is).
///
/// ```
/// use clerk_claims_runtime::verify::decode_jws;
/// let token = "eyJhbGciOiJIUzI1NiJ9.aGVsbG8.AAAA";
/// assert_eq!(decode_jws(token, 8192).unwrap().payload, b"hello");
/// ```
pub fn decode_jws(token: &str, max_bytes: usize) -> Result<Decoded<'_>, VerifyError> {
    if token.len() > max_bytes {
        return Err(VerifyError::new(
            Reason::TokenTooLarge,
            format!("The token is {} bytes; the limit is {max_bytes}.", token.len()),
        ));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(invalid_form());
    };
    let signing_input = &token[..h.len() + 1 + p.len()];
    let header_bytes = b64(h)?;
    let payload = b64(p)?;
    let signature = b64(s)?;
    check_json_object(&header_bytes)?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| undecodable())?;
    Ok(Decoded { header, payload, signature, signing_input, header_json: header_bytes })
}

/// Canonical base64url without padding. The engine refuses padding, the standard alphabet and
/// non-zero trailing bits, so one byte string has exactly one accepted spelling.
fn b64(segment: &str) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| undecodable())
}

/// A JSON object, with no duplicate key at any level and no nesting beyond [`MAX_NESTING`].
pub(crate) fn check_json_object(bytes: &[u8]) -> Result<(), VerifyError> {
    let is_object = strictly(bytes, Strict { depth: 0, capture: None })?;
    if is_object { Ok(()) } else { Err(undecodable()) }
}

/// [`check_json_object`] and, in the same pass, the top-level members named in `names` (a member
/// present as `null` is captured as `null`). Everything else is walked, not built.
pub(crate) fn check_json_object_capturing(
    bytes: &[u8],
    names: &[&str],
) -> Result<serde_json::Map<String, serde_json::Value>, VerifyError> {
    let mut captured = serde_json::Map::new();
    let is_object =
        strictly(bytes, Strict { depth: 0, capture: Some(Capture { names, into: &mut captured }) })?;
    if is_object { Ok(captured) } else { Err(undecodable()) }
}

/// Runs a strict walk over `bytes` (the whole input, nothing after it).
fn strictly(bytes: &[u8], seed: Strict<'_>) -> Result<bool, VerifyError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|value| de.end().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(e) if e.to_string().contains("duplicate key") => Err(VerifyError::new(
            Reason::TokenInvalid,
            "Invalid JWT form. The header or payload has a duplicate key.",
        )),
        Err(e) if e.to_string().contains("nested") => Err(VerifyError::new(
            Reason::TokenInvalid,
            format!("Invalid JWT form. The header or payload is nested deeper than {MAX_NESTING} levels."),
        )),
        Err(_) => Err(undecodable()),
    }
}

/// Top-level members to keep as JSON while walking, and where to put them.
struct Capture<'c> {
    names: &'c [&'c str],
    into: &'c mut serde_json::Map<String, serde_json::Value>,
}

/// Walks a JSON value checking keys and depth; yields whether the top is an object. With a
/// `capture`, the object's named members are also read as JSON.
struct Strict<'c> {
    depth: usize,
    capture: Option<Capture<'c>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Strict<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Strict<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_NESTING {
            return Err(serde::de::Error::custom("nested too deep"));
        }
        while seq.next_element_seed(Strict { depth, capture: None })?.is_some() {}
        Ok(false)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        use serde::de::Error;
        let depth = self.depth + 1;
        if depth > MAX_NESTING {
            return Err(A::Error::custom("nested too deep"));
        }
        let mut capture = self.capture;
        // Objects in tokens are small: a linear scan over borrowed keys beats hashing owned ones.
        let mut keys: Vec<std::borrow::Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if keys.contains(&key) {
                return Err(A::Error::custom("duplicate key"));
            }
            match &mut capture {
                Some(capture) if capture.names.contains(&key.as_ref()) => {
                    // Captured members are small (times, ids, `aud`): take their text, check it
                    // as strictly as the rest, then read it as JSON.
                    let raw: &'de serde_json::value::RawValue = map.next_value()?;
                    let mut inner = serde_json::Deserializer::from_str(raw.get());
                    serde::de::DeserializeSeed::deserialize(Strict { depth, capture: None }, &mut inner)
                        .map_err(|e| A::Error::custom(e.to_string()))?;
                    let value =
                        serde_json::from_str(raw.get()).map_err(|e| A::Error::custom(e.to_string()))?;
                    capture.into.insert(key.to_string(), value);
                }
                _ => {
                    map.next_value_seed(Strict { depth, capture: None })?;
                }
            }
            keys.push(key);
        }
        Ok(true)
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
}
