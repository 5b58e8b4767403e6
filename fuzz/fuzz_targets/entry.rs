//! What each fuzz target does with its input; shared with the corpus replay test of the normal suite
//! (`tests/tests/fuzz_corpus.rs`), so both run exactly the same calls.
#![allow(dead_code)]

use clerk_claims_codegen::shortcode::StringValue;
use clerk_claims_codegen::{Source, check_source};
use clerk_claims_runtime::verify::TokenKind;
use clerk_claims_runtime::{Jwks, SessionClaims, Verifier};

/// The instance key set the tokens are verified against.
pub const JWKS: &str = include_str!("../corpus/mock_jwks.json");

/// Any bytes as a token: an error or a verdict, never a panic.
pub fn verify_token(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let Ok(jwks) = Jwks::from_json(JWKS) else { return };
    let verifier = Verifier::new(jwks).now(1_666_648_250);
    let _ = verifier.verify_json(token, TokenKind::Any);
    let _ = verifier.verify_session::<serde_json::Value>(token);
    let _ = clerk_claims_runtime::verify::decode(token, 8192);
    let _ = SessionClaims::<()>::from_payload(data);
}

/// Any text as a JWKS document or PEM key.
pub fn parse_jwks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(jwks) = Jwks::from_json(text) {
        let _ = jwks.to_json();
    }
    let _ = Jwks::from_private_json(text);
    let _ = clerk_claims_runtime::keys::Key::from_pem(text, "fuzz");
}

/// Any bytes as a template file: parsed, checked, diagnostics rendered, claims rendered.
pub fn parse_template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let checked = check_source(Source::new("fuzz.json", text));
    for d in &checked.diagnostics {
        let _ = checked.source.render(d);
    }
    if let Some(t) = &checked.template {
        let _ = clerk_claims_codegen::types::TypeModel::of(t);
        let _ = clerk_claims_codegen::render(&t.claims_json(), &serde_json::json!({}));
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
