//! Arbitrary input never panics the verifier: random strings, random bytes, and valid tokens with
//! bytes changed, cut or repeated. Every outcome is a verdict (almost always an error).

mod support;

use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::verify::{TokenKind, decode};
use proptest::prelude::*;
use support::*;

fn mutate(token: &str, edits: &[(usize, u8)], cut: Option<usize>) -> String {
    let mut bytes = token.as_bytes().to_vec();
    for &(at, byte) in edits {
        let i = at % bytes.len();
        bytes[i] = byte;
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_strings_get_an_error(s in ".{0,300}") {
        let result = verifier().verify_json(&s, TokenKind::Any);
        prop_assert!(result.is_err());
        let _ = decode(&s, 8192);
    }

    #[test]
    fn random_token_shaped_input_gets_an_error(h in "[A-Za-z0-9_-]{0,80}", p in "[A-Za-z0-9_-]{0,200}", s in "[A-Za-z0-9_=+/-]{0,400}") {
        let token = [h, p, s].join(".");
        prop_assert!(verifier().verify_json(&token, TokenKind::Any).is_err());
    }

    #[test]
    fn mutated_valid_tokens_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4), cut in prop::option::of(any::<usize>())) {
        let token = mutate(&valid(), &edits, cut);
        let result = verifier().verify_session::<SessionClaims<serde_json::Value>>(&token);
        if edits.is_empty() && cut.is_none() {
            prop_assert!(result.is_ok());
        }
    }

    #[test]
    fn arbitrary_payloads_of_valid_signature_never_panic(payload in prop::collection::vec(any::<u8>(), 0..200)) {
        let token = rs_raw(&header().to_string(), &String::from_utf8_lossy(&payload));
        let _ = verifier().verify_session::<SessionClaims<serde_json::Value>>(&token);
        let _ = SessionClaims::<()>::from_payload(&payload);
    }
}
