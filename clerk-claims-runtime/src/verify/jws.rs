//! Splitting and decoding a compact JWS before anything else looks at it: a size limit, exactly three
//! canonical base64url segments, header and payload JSON objects with no duplicate keys and bounded
//! nesting.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};
use smallvec::SmallVec;

use crate::error::{Reason, VerifyError};
use crate::strict::{Text, check_object, read_checked};

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

impl Decoded<'_> {
    /// The token as `clerk-claims decode` shows it: marked UNVERIFIED, the header and payload as
    /// pretty JSON, and `iat`, `nbf` and `exp` as dates with their distance from `now` (any number
    /// a token holds is shown, never a panic).
    ///
    /// ```
    /// use clerk_claims_runtime::verify::decode;
    /// let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1IiwiZXhwIjoxMDYwfQ.c2ln";
    /// let text = decode(token, 8192).unwrap().describe(1000);
    /// assert!(text.starts_with("UNVERIFIED"));
    /// assert!(text.contains("   expires: Thu, 01 Jan 1970 00:17:40 GMT (in 1m 0s)"));
    /// ```
    pub fn describe(&self, now: i64) -> String {
        let header: serde_json::Value = serde_json::from_slice(&self.header_json).unwrap_or_default();
        let payload: serde_json::Value = serde_json::from_slice(&self.payload).unwrap_or_default();
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        let mut out = format!(
            "UNVERIFIED: the signature and claims of this token were NOT checked (use `clerk-claims verify`).\n\
             header: {}\npayload: {}\n",
            pretty(&header),
            pretty(&payload)
        );
        for (name, label) in [("iat", "issued at"), ("nbf", "not before"), ("exp", "expires")] {
            if let Some(t) = payload.get(name).and_then(serde_json::Value::as_i64) {
                let when = crate::times::http_date(t);
                let distance = crate::times::relative(t.saturating_sub(now));
                out.push_str(&format!("{label:>10}: {when} ({distance})\n"));
            }
        }
        out
    }
}

/// The JOSE header fields that matter; others are ignored (except those a Clerk JWS never has,
/// which are rejected: see [`Header::crit`]).
///
/// ```
/// use clerk_claims_runtime::verify::Header;
/// let header: Header = serde_json::from_str(r#"{"alg": "RS256", "kid": "ins_1", "jwk": {}}"#).unwrap();
/// assert_eq!((header.alg.as_deref(), header.kid.as_deref(), header.typ), (Some("RS256"), Some("ins_1"), None));
/// assert!(serde_json::from_str::<Header>(r#"{"typ": null}"#).is_err());
/// // From a source that cannot lend its strings, too.
/// let owned: Header = serde_json::from_value(serde_json::json!({"alg": "ES256", "crit": null})).unwrap();
/// assert_eq!((owned.alg.as_deref(), owned.crit), (Some("ES256"), true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Algorithm. Each of these four is a string when present: `null` is not taken for absent.
    pub alg: Option<String>,
    /// Key id.
    pub kid: Option<String>,
    /// Type (`JWT`).
    pub typ: Option<String>,
    /// Clerk's token category (`cl_B7d4PD111AAA` session, `cl_B7d4PD222AAA` template, ...).
    pub cat: Option<String>,
    /// Whether the header has `crit`, whatever its value (`null` included): no critical extension
    /// is understood, so any is rejected.
    pub crit: bool,
    /// Whether the header has `b64` (RFC 7797 unencoded payload): never accepted.
    pub b64: bool,
    /// Whether the header has `zip` (compression, a JWE member): never accepted in a JWS.
    pub zip: bool,
    /// Whether the header has `enc` (content encryption, a JWE member): never accepted in a JWS.
    pub enc: bool,
}

/// Read as the verification path reads a header (borrowing its strings), then owned.
impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawHeader::deserialize(d).map(|raw| Header::from(&raw))
    }
}

impl From<&RawHeader<'_>> for Header {
    fn from(raw: &RawHeader<'_>) -> Self {
        let owned = |member| Text::of(member).map(str::to_owned);
        Header {
            alg: owned(&raw.alg),
            kid: owned(&raw.kid),
            typ: owned(&raw.typ),
            cat: owned(&raw.cat),
            crit: raw.crit,
            b64: raw.b64,
            zip: raw.zip,
            enc: raw.enc,
        }
    }
}

/// The header as read: [`Header`]'s members, the strings borrowed from the decoded header.
#[derive(Default, Deserialize)]
pub(crate) struct RawHeader<'h> {
    #[serde(default, borrow, deserialize_with = "string")]
    pub alg: Option<Text<'h>>,
    #[serde(default, borrow, deserialize_with = "string")]
    pub kid: Option<Text<'h>>,
    #[serde(default, borrow, deserialize_with = "string")]
    pub typ: Option<Text<'h>>,
    #[serde(default, borrow, deserialize_with = "string")]
    pub cat: Option<Text<'h>>,
    #[serde(default, deserialize_with = "present")]
    pub crit: bool,
    #[serde(default, deserialize_with = "present")]
    pub b64: bool,
    #[serde(default, deserialize_with = "present")]
    pub zip: bool,
    #[serde(default, deserialize_with = "present")]
    pub enc: bool,
    // Every other member (`jku`, `x5u`, `jwk`, `x5c`, `oiat`, ...) is ignored: keys come only from the
    // verifier's own key source.
}

impl RawHeader<'_> {
    /// `alg`.
    pub(crate) fn alg(&self) -> Option<&str> {
        Text::of(&self.alg)
    }
    /// `kid`.
    pub(crate) fn kid(&self) -> Option<&str> {
        Text::of(&self.kid)
    }
    /// `typ`.
    pub(crate) fn typ(&self) -> Option<&str> {
        Text::of(&self.typ)
    }
    /// `cat`.
    pub(crate) fn cat(&self) -> Option<&str> {
        Text::of(&self.cat)
    }
}

/// A member that must be a string when it is there.
fn string<'de: 'h, 'h, D: Deserializer<'de>>(value: D) -> Result<Option<Text<'h>>, D::Error> {
    Text::deserialize(value).map(Some)
}

/// A member that is there, whatever its value: walked (strictly, like any other), not kept.
fn present<'de, D: Deserializer<'de>>(value: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(value).map(|_| true)
}

/// Where a token's header and signature are decoded to: on the stack when they fit (a Clerk header
/// is about a hundred bytes, an RSA-4096 signature 512).
#[derive(Default)]
pub(crate) struct Buffers {
    header: StackBytes,
    signature: StackBytes,
}

type StackBytes = SmallVec<[u8; 512]>;

/// A decoded, not yet verified token whose header and signature are in the caller's [`Buffers`]:
/// what the verification path works on (a [`Decoded`] owns them).
pub(crate) struct Jws<'t, 'h> {
    pub header: RawHeader<'h>,
    pub header_json: &'h [u8],
    pub payload: Vec<u8>,
    pub signature: &'h [u8],
    pub signing_input: &'t str,
}

impl<'t> Jws<'t, '_> {
    /// The token with what it borrows copied.
    pub(crate) fn into_decoded(self) -> Decoded<'t> {
        Decoded {
            header: Header::from(&self.header),
            payload: self.payload,
            signature: self.signature.to_vec(),
            signing_input: self.signing_input,
            header_json: self.header_json.to_vec(),
        }
    }
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
/// signature is). The tests below show it on a payload that is not JSON.
pub(crate) fn decode_jws(token: &str, max_bytes: usize) -> Result<Decoded<'_>, VerifyError> {
    decode_into(token, max_bytes, &mut Buffers::default()).map(Jws::into_decoded)
}

/// [`decode_jws`] with the header and signature decoded into `buffers`.
pub(crate) fn decode_into<'t, 'h>(
    token: &'t str,
    max_bytes: usize,
    buffers: &'h mut Buffers,
) -> Result<Jws<'t, 'h>, VerifyError> {
    let segments = split(token, max_bytes)?;
    let Buffers { header: header_json, signature } = buffers;
    b64_into(segments.header, header_json)?;
    let payload = b64(segments.payload)?;
    b64_into(segments.signature, signature)?;
    let header_json: &'h [u8] = header_json;
    let header = read_header(header_json)?;
    Ok(Jws { header, header_json, payload, signature, signing_input: segments.signing_input })
}

/// The header of `token` alone, decoded into `buffers` (the payload and signature are not decoded):
/// enough to know which key the token needs.
#[cfg(feature = "remote")]
pub(crate) fn decode_header<'h>(
    token: &str,
    max_bytes: usize,
    buffers: &'h mut Buffers,
) -> Result<RawHeader<'h>, VerifyError> {
    let segments = split(token, max_bytes)?;
    b64_into(segments.header, &mut buffers.header)?;
    read_header(&buffers.header)
}

/// A token's three segments and what the signature covers.
struct Segments<'t> {
    header: &'t str,
    payload: &'t str,
    signature: &'t str,
    signing_input: &'t str,
}

/// The size limit, then exactly three dot-separated segments.
fn split(token: &str, max_bytes: usize) -> Result<Segments<'_>, VerifyError> {
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
    let (Some(signing_input), Some(header), Some(payload), Some(signature)) =
        (token.get(..second), token.get(..first), token.get(first + 1..second), token.get(second + 1..))
    else {
        return Err(invalid_form());
    };
    Ok(Segments { header, payload, signature, signing_input })
}

/// A decoded header read strictly.
fn read_header(json: &[u8]) -> Result<RawHeader<'_>, VerifyError> {
    read_checked::<RawHeader<'_>, ()>(json, &[], &mut ())?.0.ok_or_else(undecodable)
}

/// [`b64`] as an `Option`, for the differential fuzz target.
pub(crate) fn segment(segment: &str) -> Option<Vec<u8>> {
    b64(segment).ok()
}

/// Canonical base64url without padding. The engine refuses padding, the standard alphabet and
/// non-zero trailing bits, so one byte string has exactly one accepted spelling.
fn b64(segment: &str) -> Result<Vec<u8>, VerifyError> {
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(segment).map_err(|_| undecodable())
}

/// [`b64`] into `out`, decoded where it is copied to.
fn b64_into(segment: &str, out: &mut StackBytes) -> Result<(), VerifyError> {
    out.clear();
    out.extend_from_slice(segment.as_bytes());
    let decoded = base64_simd::URL_SAFE_NO_PAD.decode_inplace(out).map_err(|_| undecodable())?.len();
    out.truncate(decoded);
    Ok(())
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    use super::{StackBytes, b64, b64_into, decode_jws};

    #[test]
    fn any_jws_payload_is_left_as_bytes() {
        let token = "eyJhbGciOiJIUzI1NiJ9.aGVsbG8.AAAA";
        assert_eq!(decode_jws(token, 8192).unwrap().payload, b"hello");
        assert!(super::decode(token, 8192).is_err(), "a JWT's payload is a JSON object");
    }

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

    #[test]
    fn headers_and_signatures_of_any_size_and_escaped_strings_decode() {
        let note = "n".repeat(2000);
        let header = format!(r#"{{"alg":"RS\u0032\u0035\u0036","kid":"k\"1","note":"{note}"}}"#);
        let signature = vec![7u8; 1024]; // RSA-8192's: past the stack buffer
        let token = format!("{}.e30.{}", URL_SAFE_NO_PAD.encode(&header), URL_SAFE_NO_PAD.encode(&signature));
        let decoded = decode_jws(&token, 16 * 1024).unwrap();
        assert_eq!(
            (decoded.header.alg.as_deref(), decoded.header.kid.as_deref()),
            (Some("RS256"), Some("k\"1"))
        );
        assert_eq!((decoded.header_json, decoded.signature), (header.into_bytes(), signature));
    }

    /// What `base64`'s canonical unpadded base64url engine accepts, and decodes it to.
    fn reference(segment: &str) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(segment).ok()
    }

    /// [`b64_into`] as a `Vec`, into a buffer that held something else before.
    fn b64_stack(segment: &str) -> Option<Vec<u8>> {
        let mut out = StackBytes::from_slice(b"left over");
        b64_into(segment, &mut out).ok().map(|()| out.to_vec())
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
            assert_eq!(b64_stack(segment), reference(segment), "{segment:?}");
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
            prop_assert_eq!(b64(&good).ok(), Some(bytes.clone()));
            prop_assert_eq!(b64_stack(&good), Some(bytes));
            let mut bad: Vec<char> = good.chars().collect();
            let i = at.index(bad.len() + 1);
            if insert || i == bad.len() {
                bad.insert(i, symbol);
            } else {
                bad[i] = symbol;
            }
            let bad: String = bad.into_iter().collect();
            prop_assert_eq!(b64(&bad).ok(), reference(&bad), "{:?}", bad);
            prop_assert_eq!(b64_stack(&bad), reference(&bad), "{:?}", bad);
        }
    }
}
