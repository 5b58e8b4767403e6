//! The RFC 7515 Appendix A, RFC 7520 cookbook, RFC 7797, RFC 8037 and RFC 7517 examples
//! (../shared/vectors/rfc).

mod support;

use clerk_claims_runtime::keys::Key;
use clerk_claims_runtime::verify::TokenKind;
use clerk_claims_runtime::{Jwks, Reason, Verifier};
use serde_json::Value;

fn read(path: &str) -> Value {
    let base = support::vectors();
    serde_json::from_str(&std::fs::read_to_string(base.join("rfc").join(path)).unwrap()).unwrap()
}

fn verifies(jwk: &Value, compact: &str) -> Result<(), Reason> {
    let key = Key::from_jwk(jwk).map_err(|_| Reason::JwkInvalid)?;
    Verifier::new(key).verify_signature(compact).map(|_| ()).map_err(|e| e.reason)
}

#[test]
fn rfc7515_appendix_a() {
    let doc = read("rfc7515_appendix_a.json");
    let examples = doc["examples"].as_array().unwrap();
    for example in examples {
        let id = example["id"].as_str().unwrap();
        // A.5 (alg none) has no key: it must fail whatever key the verifier holds.
        let jwk = [&example["jwk_public"], &example["jwk"], &examples[0]["jwk"]]
            .into_iter()
            .find(|k| !k.is_null())
            .unwrap();
        let result = verifies(jwk, example["compact"].as_str().unwrap());
        match example["expected_signature_check"].as_str().unwrap() {
            "valid" => assert_eq!(result, Ok(()), "{id}"),
            _ => assert_eq!(result, Err(Reason::TokenInvalidAlgorithm), "{id}: alg none"),
        }
    }
}

#[test]
fn rfc7520_cookbook_signatures() {
    for (file, expected) in [
        ("4_1.rsa_v15_signature.json", Ok(())),
        ("4_3.ecdsa_signature.json", Ok(())),
        ("4_4.hmac-sha2_integrity_protection.json", Ok(())),
        // PS384 is not among the algorithms this crate verifies: the key cannot be pinned to it.
        ("4_2.rsa-pss_signature.json", Err(Reason::JwkInvalid)),
    ] {
        let doc = read(&format!("rfc7520_cookbook/jws/{file}"));
        let mut jwk = doc["input"]["key"].clone();
        if let Some(alg) = doc["input"]["alg"].as_str() {
            jwk["alg"] = alg.into();
        }
        let compact = doc["output"]["compact"].as_str().unwrap();
        assert_eq!(verifies(&jwk, compact), expected, "{file}");
    }
    // Detached content (§4.5): the compact form has an empty payload and cannot verify as given.
    let detached = read("rfc7520_cookbook/jws/4_5.signature_with_detached_content.json");
    let jwk = detached["input"]["key"].clone();
    let mut jwk_with_alg = jwk;
    jwk_with_alg["alg"] = detached["input"]["alg"].clone();
    assert!(verifies(&jwk_with_alg, detached["output"]["compact"].as_str().unwrap()).is_err());
}

#[test]
fn rfc7797_unencoded_payloads_are_rejected() {
    let doc = read("rfc7797_b64_false.json");
    let jwk = &doc["jwk"];
    let mut checked = 0;
    for example in doc["examples"].as_array().unwrap() {
        let id = example["id"].as_str().unwrap();
        let Some(compact) =
            example.get("compact").or(example.get("compact_detached")).and_then(Value::as_str)
        else {
            continue;
        };
        checked += 1;
        if id == "rfc7797-4.1" {
            // The b64=true baseline: a valid signature, but '$.02' is no claims object.
            assert_eq!(verifies(jwk, compact), Ok(()));
            let verifier = Verifier::new(Key::from_jwk(jwk).unwrap());
            assert_eq!(
                verifier.verify_json(compact, TokenKind::Any).unwrap_err().reason,
                Reason::TokenInvalid
            );
        } else {
            assert!(verifies(jwk, compact).is_err(), "{id}");
        }
    }
    assert!(checked >= 2);
}

#[test]
fn rfc8037_ed25519() {
    let doc = read("rfc8037/jws.json");
    let compact = doc["output"]["compact"].as_str().unwrap();
    assert_eq!(verifies(&doc["input"]["key"], compact), Ok(()));
    let mut tampered = compact.to_string();
    tampered.replace_range(25..26, "X");
    assert!(verifies(&doc["input"]["key"], &tampered).is_err());
}

#[test]
fn rfc7517_key_set() {
    let doc = read("rfc7517_appendix_a1_jwks.json");
    let set = doc.get("jwks").unwrap_or(&doc);
    let jwks = Jwks::from_json(&set.to_string()).unwrap();
    assert!(jwks.get("2011-04-29").is_some(), "the RS256 key is usable");
    assert!(jwks.refusal("1").is_some(), "the use=enc EC key is never used for signatures");
}
