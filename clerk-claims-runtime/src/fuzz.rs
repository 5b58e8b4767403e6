//! Entry points for the fuzz targets (`fuzz/`) into code that is not public: the strict JSON reader
//! and the segment decoder, so they can be checked against serde_json and the `base64` crate on
//! any input. Not an API: no stability, hidden from the docs.

use serde_json::Value;

/// The strict reader's view of `bytes` as a token's header or payload: the object as a
/// `serde_json::Value`, or why it was refused (duplicate key, nesting past
/// [`MAX_NESTING`](crate::verify::MAX_NESTING), not a JSON object).
///
/// ```
/// use clerk_claims_runtime::__fuzz::strict_object;
/// assert_eq!(strict_object(br#"{"a": [1, {"b": null}]}"#).unwrap(), serde_json::json!({"a": [1, {"b": null}]}));
/// assert!(strict_object(br#"{"a": 1, "a": 2}"#).is_err());
/// assert!(strict_object(b"[1]").is_err());
/// ```
pub fn strict_object(bytes: &[u8]) -> Result<Value, String> {
    match crate::strict::read_checked::<Value, ()>(bytes, &[], &mut ()) {
        Ok((Some(value), _)) => Ok(value),
        Ok((None, _)) => Err("the object does not fit serde_json::Value".into()),
        Err(e) => Err(e.message),
    }
}

/// The segment decoder's view of `segment`: its bytes if it is canonical base64url without
/// padding.
///
/// ```
/// use clerk_claims_runtime::__fuzz::segment;
/// assert_eq!(segment("e30").unwrap(), b"{}");
/// assert!(segment("e30=").is_none() && segment("e31").is_none());
/// ```
pub fn segment(segment: &str) -> Option<Vec<u8>> {
    crate::verify::jws::segment(segment)
}

/// How the Backend API client reads a response of `status` with `body`: the value, or the typed
/// error it reports.
///
/// ```
/// use clerk_claims_runtime::__fuzz::backend_response;
/// assert!(backend_response(200, br#"{"id": "sess_1", "user_id": "u", "status": "active"}"#).is_ok());
/// assert!(backend_response(404, br#"{"errors": [{"message": "m", "code": "resource_not_found"}]}"#).unwrap_err().contains("404"));
/// ```
#[cfg(feature = "backend")]
pub fn backend_response(status: u16, body: &[u8]) -> Result<crate::backend::Session, String> {
    crate::backend::parse_response(status, body, "GET /v1/sessions/{id}").map_err(|e| e.to_string())
}
