//! Splitting and decoding a compact JWS before anything else looks at it: a size limit, exactly three
//! canonical base64url segments, header and payload JSON objects with no duplicate keys and bounded
//! nesting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use super::error::{Reason, VerifyError};
use super::strict::{check_object, read_object};

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
    check_object(&decoded.payload, &[])?;
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
    // On failure, the strict check alone says whether the form is wrong or a member does not fit.
    let (header, _) = read_object::<Header>(&header_bytes, &[])
        .map_err(|_| check_object(&header_bytes, &[]).err().unwrap_or_else(undecodable))?;
    Ok(Decoded { header, payload, signature, signing_input, header_json: header_bytes })
}

/// Canonical base64url without padding. The engine refuses padding, the standard alphabet and
/// non-zero trailing bits, so one byte string has exactly one accepted spelling.
fn b64(segment: &str) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| undecodable())
}
