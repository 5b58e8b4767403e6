//! What each fuzz target does with its input, and what must hold for every input; shared with the
//! corpus replay test of the normal suite (`tests/tests/fuzz_corpus.rs`), so both run exactly the
//! same calls and the same checks. A broken invariant is a panic, which the fuzzer reports.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use base64::Engine;
use clerk_claims_codegen::derive::{FieldSource, FieldSpec, FieldType, StructSpec, analyze};
use clerk_claims_codegen::shortcode::StringValue;
use clerk_claims_codegen::{Source, check_source};
use clerk_claims_runtime::instance::{InstanceConfig, PublishableKey, secret_key_environment};
use clerk_claims_runtime::request::{Carrier, session_token};
use clerk_claims_runtime::verify::TokenKind;
use clerk_claims_runtime::{Jwks, SessionClaims, Verifier};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

/// The instance key set the tokens are verified against.
pub const JWKS: &str = include_str!("../corpus/mock_jwks.json");

/// The clock of Clerk's fixtures, at which their tokens are valid.
const NOW: i64 = 1_666_648_250;

/// Any bytes as a token: an error or a verdict, never a panic. A token that verifies verifies again
/// to the same payload, as JSON and as typed claims, and its typed claims read back from the payload.
pub fn verify_token(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let Ok(jwks) = Jwks::from_json(JWKS) else { return };
    let verifier = Verifier::new(jwks).now(NOW);
    let first = verifier.verify_json(token, TokenKind::Any);
    assert_eq!(first, verifier.verify_json(token, TokenKind::Any), "a second verification disagrees");
    let session = verifier.verify_session::<SessionClaims<Value>>(token);
    let again = verifier.verify_session::<SessionClaims<Value>>(token);
    assert_eq!(session.is_ok(), again.is_ok(), "the token cache changed the verdict");
    if let (Ok(claims), Ok(payload)) = (&session, &first) {
        assert_eq!(claims.user_id(), payload["sub"].as_str().unwrap_or_default());
        let bytes = serde_json::to_vec(payload).unwrap_or_default();
        let reread = SessionClaims::<Value>::from_payload(&bytes).ok();
        assert_eq!(reread.as_ref().map(|c| &c.sid), Some(&claims.sid), "the claims do not round-trip");
    }
    let _ = clerk_claims_runtime::verify::decode(token, 8192);
    let _ = SessionClaims::<()>::from_payload(data);
}

/// Any text as a JWKS document or PEM key. A key set that parses serializes to one that parses to
/// the same keys.
pub fn parse_jwks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(jwks) = Jwks::from_json(text) {
        let again = Jwks::from_json(&jwks.to_json().to_string()).unwrap_or_default();
        assert_eq!(again.to_json(), jwks.to_json(), "a key set does not round-trip");
    }
    let _ = Jwks::from_private_json(text);
    let _ = clerk_claims_runtime::keys::Key::from_pem(text, "fuzz");
}

/// What Clerk renders for a user created with an empty body: every shortcode Clerk always
/// renders, nothing else.
fn new_user() -> Value {
    json!({"user": {
        "id": "user_2aBcDeFgHiJkLmNoPqRsTuVwXyZ", "image_url": "https://img.clerk.com/x", "has_image": false,
        "email_verified": false, "phone_number_verified": false, "two_factor_enabled": false,
        "created_at": 1_700_000_000, "updated_at": 1_700_000_000, "public_metadata": {},
        "unsafe_metadata": {}, "organizations": {},
    }})
}

/// Any bytes as a template file: parsed, checked, diagnostics rendered. A template that passes
/// `check` renders for a user with nothing set, and the token fits the template's JSON Schema.
pub fn parse_template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let checked = check_source(Source::new("fuzz.json", text));
    for d in &checked.diagnostics {
        let _ = checked.source.render(d);
    }
    let (Some(t), Some(model)) = (&checked.template, &checked.model) else { return };
    let rendered = clerk_claims_codegen::render(&t.claims_json(), &new_user());
    if checked.has_errors() {
        return;
    }
    let Ok(Value::Object(claims)) = rendered else {
        panic!("a checked template does not render: {rendered:?}")
    };
    let mut token =
        json!({"sub": "user_1", "exp": 1, "iat": 0, "nbf": 0, "iss": "https://x", "jti": "j", "sid": "s"});
    if let Some(registered) = token.as_object_mut() {
        registered.extend(claims);
    }
    let schema = clerk_claims_codegen::emit::template_schema(t, model);
    let validator =
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("the schema does not compile: {e}"));
    if let Err(e) = validator.validate(&token) {
        panic!("the rendered claims do not fit the template's schema: {e}\n{token}");
    }
}

/// Any text as a template string: parsed and printed back to the same value, or an error.
pub fn parse_expression(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(value) = StringValue::parse(text) {
        let printed = value.to_string();
        assert_eq!(StringValue::parse(&printed).ok(), Some(value), "{text:?} printed as {printed:?}");
    }
}

/// Any status and body as a Backend API response: a value only for a 2xx status; any other is an
/// error naming the status.
pub fn backend_response(data: &[u8]) {
    let [high, low, body @ ..] = data else { return };
    let status = 100 + u16::from_be_bytes([*high, *low]) % 500;
    match clerk_claims_runtime::__fuzz::backend_response(status, body) {
        Ok(session) => assert!((200..300).contains(&status), "{status} read as a session {session:?}"),
        Err(e) if !(200..300).contains(&status) => assert!(e.contains(&status.to_string()), "{e}"),
        Err(_) => {}
    }
}

/// A request read from fuzz input.
struct FuzzRequest {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A request in the input: a request line (`METHOD URI`), header lines, a blank line, the body.
fn request(data: &[u8]) -> Option<FuzzRequest> {
    let split = data.windows(2).position(|w| w == b"\n\n").unwrap_or(data.len());
    let head = std::str::from_utf8(data.get(..split)?).ok()?;
    let body = data.get(split.saturating_add(2)..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let (method, uri) = lines.next()?.split_once(' ')?;
    let headers =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Some(FuzzRequest { method: method.to_string(), uri: uri.to_string(), headers, body })
}

/// Any request to the dev issuer, in process: a status Clerk's Backend API (or the dashboard) uses,
/// never a 500; JSON under `/v1` and `/.well-known`, with Clerk's error envelope whenever it is not
/// a success; a dashboard page shows its error; a 2xx under `/v1` only with the secret key.
pub fn dev_issuer_request(data: &[u8]) {
    static HARNESS: OnceLock<clerk_claims_dev::__fuzz::Harness> = OnceLock::new();
    let Some(FuzzRequest { method, uri, headers, body }) = request(data) else { return };
    let harness = HARNESS.get_or_init(clerk_claims_dev::__fuzz::Harness::new);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some((status, mut answer)) = harness.answer(&method, &uri, &headers, &body) else { return };
    // A HEAD request is answered as the GET would be, without the body (RFC 9110 §9.3.2): the
    // checks below read the GET's body.
    if method == "HEAD" {
        assert!(answer.is_empty(), "HEAD {uri} answered with a body: {answer:?}");
        let get = harness.answer("GET", &uri, &headers, &body);
        assert_eq!(get.as_ref().map(|(s, _)| *s), Some(status), "HEAD {uri} and GET {uri} differ in status");
        answer = get.map(|(_, b)| b).unwrap_or_default();
    }
    assert!(
        [200, 303, 400, 401, 403, 404, 405, 413, 415, 422].contains(&status),
        "status {status} for {method} {uri}"
    );
    let api = uri.starts_with("/v1") || uri.starts_with("/.well-known");
    match serde_json::from_slice::<Value>(&answer) {
        // The Backend API, the JWKS, the dashboard's token check and the unknown-route fallback.
        Ok(value) => {
            if status != 200 {
                let code = value.pointer("/errors/0/code").and_then(Value::as_str);
                assert!(code.is_some_and(|c| !c.is_empty()), "{status} without Clerk's envelope: {value}");
            }
        }
        // A dashboard page: HTML, a redirect after a change, or the page showing Clerk's error.
        Err(e) => {
            assert!(!api, "{method} {uri}: not JSON ({e}): {answer:?}");
            let page = String::from_utf8_lossy(&answer);
            if status >= 400 && !uri.starts_with("/assets/") {
                assert!(page.contains("role=\"alert\""), "{status} page without the error shown: {page}");
            }
        }
    }
    let authorized = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("authorization")
            && v.split_once(' ').is_some_and(|(s, t)| {
                s.eq_ignore_ascii_case("bearer") && t.trim() == clerk_claims_dev::__fuzz::SECRET_KEY
            })
    });
    if status == 200 && uri.starts_with("/v1/") {
        assert!(authorized, "{method} {uri} answered without the secret key");
    }
}

/// Any headers (`name: value` lines after a first line holding the cookie suffix): a token is found
/// only inside an `Authorization` or `Cookie` header, and one from `Authorization` wins.
pub fn request_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let suffix = lines.next().filter(|s| !s.is_empty());
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(": ") else { continue };
        let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name), http::HeaderValue::try_from(value))
        else {
            continue;
        };
        headers.append(name, value);
    }
    let Some((token, carrier)) = session_token(&headers, suffix) else { return };
    assert!(!token.is_empty());
    let carried_in = |name: http::header::HeaderName| {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).any(|v| v.contains(token))
    };
    match carrier {
        Carrier::Header => assert!(carried_in(http::header::AUTHORIZATION), "{token:?}"),
        Carrier::Cookie => {
            assert!(headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_none());
            assert!(carried_in(http::header::COOKIE), "{token:?}");
        }
    }
}

/// Any text as a publishable key, a secret key and authorized parties: a key that parses derives
/// an `https://` issuer (`http://` only on loopback), its JWKS URL under it, an 8-character cookie
/// suffix, and builds back to the same Frontend API.
pub fn instance_keys(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = secret_key_environment(text);
    let _ = InstanceConfig::from_lookup(|name| match name {
        "CLERK_PUBLISHABLE_KEY" | "CLERK_SECRET_KEY" | "CLERK_AUTHORIZED_PARTIES" | "CLERK_API_URL" => {
            Some(text.to_string())
        }
        _ => None,
    });
    let Ok(key) = PublishableKey::parse(text) else { return };
    let issuer = key.issuer();
    let secure = issuer.starts_with("https://");
    assert!(
        secure || (issuer.starts_with("http://") && clerk_claims_runtime::urls::is_loopback(&issuer)),
        "{issuer}"
    );
    assert_eq!(key.jwks_url(), format!("{issuer}/.well-known/jwks.json"));
    assert_eq!(key.cookie_suffix().chars().count(), 8);
    let rebuilt = PublishableKey::parse(&PublishableKey::build(&key.frontend_api));
    assert_eq!(rebuilt.map(|k| k.frontend_api), Ok(key.frontend_api.clone()));
}

/// A field type by name, as the derive classifies one.
fn field_type(name: &str) -> FieldType {
    match name.strip_prefix("Option<").and_then(|n| n.strip_suffix('>')) {
        Some(inner) => FieldType::Option(Box::new(field_type(inner))),
        None => match name.strip_prefix("Vec<").and_then(|n| n.strip_suffix('>')) {
            Some(inner) => FieldType::Vec(Box::new(field_type(inner))),
            None => match name {
                "String" => FieldType::String,
                "i64" | "u32" => FieldType::Integer,
                "f64" => FieldType::Float,
                "bool" => FieldType::Bool,
                "Value" => FieldType::Json,
                "Map" => FieldType::Map(Box::new(FieldType::Json)),
                other => FieldType::Other(other.to_string()),
            },
        },
    }
}

/// Any JSON description of a struct deriving `ClerkClaims`
/// (`{"type_name", "name", "kind", "lifetime", "metadata", "fields": [{"claim", "shortcode" |
/// "template" | "value" | "json", "ty"}]}`) through the engine's derive analysis: no panic, and
/// without errors a claims object, an object schema and constants that are claims.
pub fn derive_spec(data: &[u8]) {
    let Ok(spec) = serde_json::from_slice::<Value>(data) else { return };
    let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let fields = spec.get("fields").and_then(Value::as_array).cloned().unwrap_or_default();
    let spec = StructSpec {
        type_name: text(&spec, "type_name").filter(|n| !n.is_empty()).unwrap_or_else(|| "FuzzClaims".into()),
        name: text(&spec, "name"),
        kind: if text(&spec, "kind").as_deref() == Some("session") {
            clerk_claims_codegen::Kind::Session
        } else {
            Default::default()
        },
        lifetime: spec.get("lifetime").and_then(Value::as_u64),
        allowed_clock_skew: spec.get("allowed_clock_skew").and_then(Value::as_u64),
        custom_signing_key: spec.get("custom_signing_key").and_then(Value::as_bool).unwrap_or(false),
        signing_algorithm: text(&spec, "signing_algorithm"),
        metadata: text(&spec, "metadata"),
        allow_shortcodes: Vec::new(),
        fields: fields
            .iter()
            .map(|f| FieldSpec {
                claim: text(f, "claim").unwrap_or_default(),
                source: match (text(f, "shortcode"), text(f, "template"), f.get("value"), text(f, "json")) {
                    (Some(s), ..) => FieldSource::Shortcode(s),
                    (_, Some(t), ..) => FieldSource::Template(t),
                    (_, _, Some(v), _) => FieldSource::Value(v.clone()),
                    (.., Some(j)) => FieldSource::Json(j),
                    _ => FieldSource::Nested { flatten: f.get("flatten").is_some() },
                },
                ty: field_type(&text(f, "ty").unwrap_or_default()),
                type_text: text(f, "ty").unwrap_or_default(),
                custom_deserializer: f.get("deserialize_with").is_some(),
            })
            .collect(),
    };
    let analysis = analyze(&spec);
    if analysis.has_errors() {
        return;
    }
    assert!(analysis.claims.is_object(), "{:?}", analysis.claims);
    let object = analysis.schema.get("type") == Some(&json!("object"));
    assert!(object, "{}", analysis.schema);
    for (name, value) in &analysis.constants {
        assert_eq!(analysis.claims.get(name), Some(value), "constant {name} is not the claim");
    }
}

/// Any text as a token for `clerk-claims decode`: decoded or refused, and described at any clock,
/// marked UNVERIFIED.
pub fn decode_describe(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let Ok(decoded) = clerk_claims_runtime::verify::decode(token, 64 * 1024) else { return };
    for now in [i64::MIN, -1, 0, NOW, 253_402_300_800, i64::MAX] {
        assert!(decoded.describe(now).starts_with("UNVERIFIED"));
    }
}

/// A JSON document's shape, read by serde's own visitor: whether an object holds a key twice, and
/// how deep the deepest value is. The reference the strict reader is held to.
struct Shape {
    duplicate: bool,
    depth: usize,
}

impl<'de> serde::Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        struct ShapeVisitor;
        impl<'de> Visitor<'de> for ShapeVisitor {
            type Value = Shape;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
                Ok(Shape { duplicate: false, depth: 0 })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                let mut shape = Shape { duplicate: false, depth: 0 };
                while let Some(item) = seq.next_element::<Shape>()? {
                    shape.duplicate |= item.duplicate;
                    shape.depth = shape.depth.max(item.depth);
                }
                shape.depth += 1;
                Ok(shape)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let mut shape = Shape { duplicate: false, depth: 0 };
                let mut keys = BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    shape.duplicate |= !keys.insert(key);
                    let value = map.next_value::<Shape>()?;
                    shape.duplicate |= value.duplicate;
                    shape.depth = shape.depth.max(value.depth);
                }
                shape.depth += 1;
                Ok(shape)
            }
        }
        d.deserialize_any(ShapeVisitor)
    }
}

/// Differential: the strict reader against `serde_json::from_slice`. On a JSON object without a
/// duplicate key, nested no deeper than the strict limit, both accept and read the same value;
/// otherwise the strict reader refuses.
pub fn strict_json(data: &[u8]) {
    let strict = clerk_claims_runtime::__fuzz::strict_object(data);
    let reference = serde_json::from_slice::<Value>(data);
    let shape = serde_json::from_slice::<Shape>(data);
    let expected = match (&reference, &shape) {
        (Ok(value @ Value::Object(_)), Ok(shape)) => {
            (!shape.duplicate && shape.depth <= clerk_claims_runtime::verify::MAX_NESTING).then_some(value)
        }
        _ => None,
    };
    match (expected, &strict) {
        (Some(value), Ok(read)) => assert_eq!(read, value, "the strict reader read another value"),
        (None, Err(_)) => {}
        (Some(value), Err(e)) => panic!("the strict reader refused {value}: {e}"),
        (None, Ok(read)) => panic!("the strict reader accepted what it must refuse: {read}"),
    }
}

/// Differential: the segment decoder (SIMD) against the `base64` crate's canonical base64url
/// without padding: the same bytes, or both refuse.
pub fn segment_base64(data: &[u8]) {
    let Ok(segment) = std::str::from_utf8(data) else { return };
    let reference = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment).ok();
    assert_eq!(clerk_claims_runtime::__fuzz::segment(segment), reference, "{segment:?}");
}
