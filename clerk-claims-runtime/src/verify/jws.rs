//! Splitting and decoding a compact JWS before anything else looks at it: a size limit, exactly three
//! canonical base64url segments, header and payload JSON objects with no duplicate keys and bounded
//! nesting.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};

use super::error::{Reason, VerifyError};
use super::strict::{check_object, read_checked};

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

/// The JOSE header fields that matter; others are ignored (except those a Clerk JWS never has,
/// which are rejected: see [`Header::crit`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Header {
    /// Algorithm. Each of these four is a string when present: `null` is not taken for absent.
    #[serde(default, deserialize_with = "string")]
    pub alg: Option<String>,
    /// Key id.
    #[serde(default, deserialize_with = "string")]
    pub kid: Option<String>,
    /// Type (`JWT`).
    #[serde(default, deserialize_with = "string")]
    pub typ: Option<String>,
    /// Clerk's token category (`cl_B7d4PD111AAA` session, `cl_B7d4PD222AAA` template, ...).
    #[serde(default, deserialize_with = "string")]
    pub cat: Option<String>,
    /// Whether the header has `crit`, whatever its value (`null` included): no critical extension
    /// is understood, so any is rejected.
    #[serde(default, deserialize_with = "present")]
    pub crit: bool,
    /// Whether the header has `b64` (RFC 7797 unencoded payload): never accepted.
    #[serde(default, deserialize_with = "present")]
    pub b64: bool,
    /// Whether the header has `zip` (compression, a JWE member): never accepted in a JWS.
    #[serde(default, deserialize_with = "present")]
    pub zip: bool,
    /// Whether the header has `enc` (content encryption, a JWE member): never accepted in a JWS.
    #[serde(default, deserialize_with = "present")]
    pub enc: bool,
    // Every other member (`jku`, `x5u`, `jwk`, `x5c`, `oiat`, ...) is ignored: keys come only from the
    // verifier's own key source.
}

/// A member that must be a string when it is there.
fn string<'de, D: Deserializer<'de>>(value: D) -> Result<Option<String>, D::Error> {
    String::deserialize(value).map(Some)
}

/// A member that is there, whatever its value: walked (strictly, like any other), not kept.
fn present<'de, D: Deserializer<'de>>(value: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(value).map(|_| true)
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
    let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(invalid_form());
    };
    let (Some(signing_input), Some(h), Some(p), Some(s)) =
        (token.get(..second), token.get(..first), token.get(first + 1..second), token.get(second + 1..))
    else {
        return Err(invalid_form());
    };
    let header_bytes = b64(h)?;
    let payload = b64(p)?;
    let signature = b64(s)?;
    let header = read_checked::<Header, ()>(&header_bytes, &[], &mut ())?.0.ok_or_else(undecodable)?;
    Ok(Decoded { header, payload, signature, signing_input, header_json: header_bytes })
}

/// Canonical base64url without padding. The engine refuses padding, the standard alphabet and
/// non-zero trailing bits, so one byte string has exactly one accepted spelling.
fn b64(segment: &str) -> Result<Vec<u8>, VerifyError> {
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(segment).map_err(|_| undecodable())
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    use super::{b64, decode_jws};

    #[test]
    fn a_token_is_exactly_three_dot_separated_parts() {
        let form = "Invalid JWT form. A JWT consists of three parts separated by dots.";
        let decode = "Invalid JWT form. The header, payload, or signature could not be decoded.";
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
        let good = format!("{header}.e30.AAAA");
        let decoded = decode_jws(&good, 8192).unwrap();
        assert_eq!((decoded.signing_input, &decoded.payload[..]), (&good[..good.len() - 5], &b"{}"[..]));
        for token in ["", "a", "a.b", "é.é", &format!("{good}."), &format!("{header}.e30.AA.AA"), "...."] {
            assert_eq!(decode_jws(token, 8192).unwrap_err().message, form, "{token:?}");
        }
        for token in ["..", "é.e30.AAAA", "e30.é.AAAA", "e30.e30.A A"] {
            assert_eq!(decode_jws(token, 8192).unwrap_err().message, decode, "{token:?}");
        }
    }

    /// What `base64`'s canonical unpadded base64url engine accepts, and decodes it to.
    fn reference(segment: &str) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(segment).ok()
    }

    #[test]
    fn every_short_segment_decodes_as_the_reference_does() {
        // Both alphabets' extra characters, padding, whitespace, a dot, non-ASCII, and letters
        // whose low bits are set or clear (so trailing bits of every kind occur).
        let symbols = ["A", "B", "Q", "g", "w", "_", "-", "+", "/", "=", " ", ".", "é"];
        let mut segments = vec![String::new()];
        let mut previous = vec![String::new()];
        for _ in 0..4 {
            previous = previous.iter().flat_map(|p| symbols.iter().map(move |s| format!("{p}{s}"))).collect();
            segments.extend(previous.iter().cloned());
        }
        for segment in &segments {
            assert_eq!(b64(segment).ok(), reference(segment), "{segment:?}");
        }
    }

    proptest! {
        #[test]
        fn long_segments_decode_as_the_reference_does(
            bytes in proptest::collection::vec(any::<u8>(), 0..700),
            at in any::<prop::sample::Index>(),
            symbol in prop::sample::select(vec!['=', '+', '/', '.', ' ', 'A', '_', '-', 'w']),
            insert in any::<bool>(),
        ) {
            let good = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert_eq!(b64(&good).ok(), Some(bytes));
            let mut bad: Vec<char> = good.chars().collect();
            let i = at.index(bad.len() + 1);
            if insert || i == bad.len() {
                bad.insert(i, symbol);
            } else {
                bad[i] = symbol;
            }
            let bad: String = bad.into_iter().collect();
            prop_assert_eq!(b64(&bad).ok(), reference(&bad), "{:?}", bad);
        }
    }
}
