//! One test per item of ../shared/vectors/ATTACKS.md, named after it. Tokens are minted here with the
//! instance key of Clerk's fixtures (or keys made on the spot); each test asserts the reason code.

mod support;

use base64::Engine;
use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::keys::{Algorithm, Key, KeyError};
use clerk_claims_runtime::verify::{KeySource, TokenKind};
use clerk_claims_runtime::{Jwks, Reason, Verifier};
use serde_json::{Value, json};
use support::*;

fn reason(verifier: &Verifier, token: &str) -> Reason {
    match verifier.verify_json(token, TokenKind::Session) {
        Ok(payload) => panic!("accepted: {payload}"),
        Err(e) => e.reason,
    }
}

fn accepts(verifier: &Verifier, token: &str) {
    if let Err(e) = verifier.verify_json(token, TokenKind::Session) {
        panic!("rejected: {e}");
    }
}

fn header_with(field: &str, value: Value) -> Value {
    let mut h = header();
    h[field] = value;
    h
}

fn session_with(field: &str, value: Value) -> Value {
    let mut p = session();
    p[field] = value;
    p
}

// 1. Algorithm selection

#[test]
fn alg_none_in_any_spelling_is_rejected() {
    let v = verifier();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let input = signing_input(&header_with("alg", json!(alg)).to_string(), &session().to_string());
        for token in [format!("{input}."), format!("{input}.{}", b64(b"leftover"))] {
            assert_eq!(reason(&v, &token), Reason::TokenInvalidAlgorithm, "{alg}");
        }
    }
}

#[test]
fn hs256_macd_with_the_rsa_public_key_is_rejected() {
    let pem = read("clerk/keys/instance_rs256_public_spki.pem");
    let jwk = read("clerk/keys/instance_rs256_public.jwk.json");
    let n = serde_json::from_str::<Value>(&jwk).unwrap()["n"].as_str().unwrap().to_string();
    let secrets: Vec<Vec<u8>> = vec![
        pem.clone().into_bytes(),
        format!("{pem}\n").into_bytes(),
        pem_der(&pem),
        jwk.into_bytes(),
        n.into_bytes(),
    ];
    let h = header_with("alg", json!("HS256")).to_string();
    for secret in secrets {
        let token = hs_raw(&secret, &h, &session().to_string());
        assert_eq!(reason(&verifier(), &token), Reason::TokenInvalidAlgorithm);
    }
    // The same with the networkless PEM key.
    let pem_verifier = Verifier::new(Key::from_pem(&pem, "local").unwrap()).now(NOW);
    let token = hs_raw(pem.as_bytes(), &h, &session().to_string());
    assert_eq!(reason(&pem_verifier, &token), Reason::TokenInvalidAlgorithm);
}

#[test]
fn other_algorithms_on_the_rs256_key_are_rejected() {
    // A valid RS384 / RS512 signature by the same key is still not RS256.
    for alg in ["RS384", "RS512"] {
        let token = rs256(&header_with("alg", json!(alg)), &session());
        assert_eq!(reason(&verifier(), &token), Reason::TokenInvalidAlgorithm, "{alg}");
    }
    for alg in ["PS256", "ES256", "EdDSA", "HS512"] {
        let token = with_signature(
            &valid().replace(
                &b64(header().to_string().as_bytes()),
                &b64(header_with("alg", json!(alg)).to_string().as_bytes()),
            ),
            &[1; 64],
        );
        assert_eq!(reason(&verifier(), &token), Reason::TokenInvalidAlgorithm, "{alg}");
    }
}

#[test]
fn alg_not_an_exact_string_is_rejected() {
    for alg in [json!("rs256"), json!("RS256 "), json!("Rs256"), json!(["RS256"]), Value::Null] {
        let token = rs256(&header_with("alg", alg.clone()), &session());
        let r = reason(&verifier(), &token);
        assert!(matches!(r, Reason::TokenInvalidAlgorithm | Reason::TokenInvalid), "{alg}: {r}");
    }
    let mut h = header();
    h.as_object_mut().unwrap().remove("alg");
    assert_eq!(reason(&verifier(), &rs256(&h, &session())), Reason::TokenInvalidAlgorithm);
}

#[test]
fn jwk_alg_must_equal_header_alg() {
    let mut jwk: Value = serde_json::from_str(&read("clerk/jwks/mock_jwks.json")).unwrap();
    jwk["keys"][0]["alg"] = json!("PS256");
    let v = Verifier::new(Jwks::from_json(&jwk.to_string()).unwrap()).now(NOW);
    assert_eq!(reason(&v, &valid()), Reason::JwkInvalid);
    // A JWK without `alg` verifies RS256 only.
    jwk["keys"][0].as_object_mut().unwrap().remove("alg");
    let v = Verifier::new(Jwks::from_json(&jwk.to_string()).unwrap()).now(NOW);
    accepts(&v, &valid());
    assert_eq!(
        reason(&v, &rs256(&header_with("alg", json!("RS512")), &session())),
        Reason::TokenInvalidAlgorithm
    );
}

#[test]
fn token_alg_must_match_the_configured_template_key() {
    let hs = Verifier::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap()).now(NOW);
    assert_eq!(reason(&hs, &valid()), Reason::TokenInvalidAlgorithm);
    let (_, jwk) = p256();
    let es = Verifier::new(Key::from_jwk(&jwk).unwrap()).now(NOW);
    let token = hs_raw(
        jwk.to_string().as_bytes(),
        &header_with("alg", json!("HS256")).to_string(),
        &session().to_string(),
    );
    assert_eq!(reason(&es, &token), Reason::TokenInvalidAlgorithm);
}

// 2. Key selection

#[test]
fn unknown_kid_is_rejected() {
    let token = rs256(&header_with("kid", json!("ins_unknown")), &session());
    assert_eq!(reason(&verifier(), &token), Reason::JwkKidMismatch);
}

#[test]
fn a_token_from_another_instance_is_rejected() {
    // Same kid, another instance's key: the signature fails. Same key, another issuer: `iss` fails.
    let other = Jwks::from_json(&format!(
        r#"{{"keys": [{{"kty": "RSA", "kid": "{KID}", "alg": "RS256", "n": "{}", "e": "AQAB"}}]}}"#,
        Key::from_pem(&read("clerk/keys/other_rs256_public_spki.pem"), "x").unwrap().jwk()["n"]
            .as_str()
            .unwrap()
    ))
    .unwrap();
    assert_eq!(reason(&Verifier::new(other).now(NOW), &valid()), Reason::TokenInvalidSignature);
    let token = rs256(&header(), &session_with("iss", json!("https://clerk.other-instance.dev")));
    assert_eq!(reason(&verifier(), &token), Reason::TokenInvalidIssuer);
}

#[test]
fn kid_injection_is_an_exact_lookup() {
    for kid in [
        "../../dev/null",
        "' OR '1'='1",
        "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD\u{0}",
        "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD\n",
        "іns_2GIoQhbUpy0hX7B2cVkuTMinXoD",
        "",
        "https://evil.example/jwks.json",
    ] {
        let token = rs256(&header_with("kid", json!(kid)), &session());
        assert_eq!(reason(&verifier(), &token), Reason::JwkKidMismatch, "{kid:?}");
    }
    let long = rs256(&header_with("kid", json!("k".repeat(10_000))), &session());
    assert_eq!(reason(&verifier().max_token_bytes(64 * 1024), &long), Reason::TokenInvalid);
    for kid in [json!(1), json!(["x"]), json!({"a": 1}), json!(null)] {
        assert_eq!(reason(&verifier(), &rs256(&header_with("kid", kid), &session())), Reason::TokenInvalid);
    }
}

#[test]
fn missing_kid_is_rejected_with_a_key_set_and_accepted_with_one_key() {
    let mut h = header();
    h.as_object_mut().unwrap().remove("kid");
    let token = rs256(&h, &session());
    assert_eq!(reason(&verifier(), &token), Reason::JwkKidMismatch);
    let single =
        Verifier::new(Key::from_pem(&read("clerk/keys/instance_rs256_public_spki.pem"), "l").unwrap())
            .now(NOW);
    accepts(&single, &token);
    // A `null` kid is not a missing one.
    let null_kid = rs256(&header_with("kid", Value::Null), &session());
    assert_eq!(reason(&single, &null_kid), Reason::TokenInvalid);
}

#[test]
fn duplicate_kid_in_the_key_set_is_rejected() {
    let mut set: Value = serde_json::from_str(&read("clerk/jwks/mock_jwks.json")).unwrap();
    let copy = set["keys"][0].clone();
    set["keys"].as_array_mut().unwrap().push(copy);
    let v = Verifier::new(Jwks::from_json(&set.to_string()).unwrap()).now(NOW);
    assert_eq!(reason(&v, &valid()), Reason::JwkInvalid);
}

#[test]
fn keys_not_for_signing_are_refused() {
    for (field, value) in [("use", json!("enc")), ("key_ops", json!(["encrypt"])), ("key_ops", json!([]))] {
        let mut set: Value = serde_json::from_str(&read("clerk/jwks/mock_jwks.json")).unwrap();
        set["keys"][0][field] = value;
        let v = Verifier::new(Jwks::from_json(&set.to_string()).unwrap()).now(NOW);
        assert_eq!(reason(&v, &valid()), Reason::JwkInvalid, "{field}");
    }
}

#[test]
fn symmetric_keys_in_a_published_key_set_are_never_used() {
    let secret = [9u8; 32];
    let set = json!({"keys": [{"kty": "oct", "kid": "oct1", "alg": "HS256", "k": b64(&secret)}]});
    let v = Verifier::new(Jwks::from_json(&set.to_string()).unwrap()).now(NOW);
    let token = hs_raw(&secret, &json!({"alg": "HS256", "kid": "oct1"}).to_string(), &session().to_string());
    assert_eq!(reason(&v, &token), Reason::JwkInvalid);
}

#[test]
fn one_malformed_jwk_does_not_poison_the_set() {
    let mut set: Value = serde_json::from_str(&read("clerk/jwks/mock_jwks.json")).unwrap();
    set["keys"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"kty": "RSA", "kid": "bad", "n": "%%%", "e": "AQAB"}));
    accepts(&Verifier::new(Jwks::from_json(&set.to_string()).unwrap()).now(NOW), &valid());
    let empty = Verifier::new(Jwks::from_json(r#"{"keys": []}"#).unwrap()).now(NOW);
    assert_eq!(reason(&empty, &valid()), Reason::JwkKidMismatch);
    for bad in ["not json", "[]", r#"{"keys": {}}"#] {
        assert!(Jwks::from_json(bad).is_err(), "{bad}");
    }
}

// 3. Embedded and remote key headers

#[test]
fn an_embedded_jwk_header_is_never_used() {
    let (pair, jwk) = p256();
    let h = json!({"alg": "ES256", "kid": KID, "jwk": jwk}).to_string();
    let (input, sig) = es256_raw(&pair, &h, &session().to_string());
    assert_eq!(reason(&verifier(), &format!("{input}.{}", b64(&sig))), Reason::TokenInvalidAlgorithm);
}

#[test]
fn jku_and_x5u_headers_are_ignored() {
    // A genuinely signed token that carries them is accepted (they are never dereferenced) ...
    for (field, url) in
        [("jku", "https://evil.example/jwks.json"), ("x5u", "https://evil.example/cert.pem"), ("x5c", "MIIB")]
    {
        accepts(&verifier(), &rs256(&header_with(field, json!(url)), &session()));
    }
    // ... and an attacker's token pointing at the attacker's keys is not.
    let token = hs_raw(
        &[1; 32],
        &json!({"alg": "RS256", "kid": KID, "jku": "https://evil.example"}).to_string(),
        &session().to_string(),
    );
    assert_eq!(reason(&verifier(), &token), Reason::TokenInvalidSignature);
}

// 4. Header processing

#[test]
fn crit_is_rejected() {
    for crit in [json!(["exp"]), json!([]), json!("b64"), json!(["b64"]), json!(["x-unknown"]), json!(null)] {
        assert_eq!(
            reason(&verifier(), &rs256(&header_with("crit", crit.clone()), &session())),
            Reason::TokenInvalid,
            "{crit}"
        );
    }
}

/// RFC 7797's own examples are in `rfc.rs`; here, the members alone, with any value.
#[test]
fn b64_zip_and_enc_are_rejected() {
    for (member, value) in [
        ("b64", json!(false)),
        ("b64", json!(true)),
        ("b64", json!(null)),
        ("zip", json!("DEF")),
        ("zip", json!(null)),
        ("enc", json!("A256GCM")),
        ("enc", json!(null)),
    ] {
        let token = rs256(&header_with(member, value.clone()), &session());
        let err = verifier().verify_session::<SessionClaims>(&token).unwrap_err();
        assert_eq!(err.reason, Reason::TokenInvalid, "{member}: {value}");
        assert!(err.message.contains(&format!("`{member}`")), "{member}: {value}: {}", err.message);
    }
}

#[test]
fn unknown_header_members_of_any_type_are_ignored() {
    let h = json!({"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": KID, "oiat": NOW, "typ": "JWT", "x": {"y": [1, null]}});
    accepts(&verifier(), &rs256(&h, &session()));
}

#[test]
fn typ_must_be_absent_or_jwt() {
    let mut h = header();
    h.as_object_mut().unwrap().remove("typ");
    accepts(&verifier(), &rs256(&h, &session()));
    assert_eq!(
        reason(&verifier(), &rs256(&header_with("typ", json!("at+jwt")), &session())),
        Reason::TokenInvalid
    );
    for typ in [json!(1), Value::Null] {
        assert_eq!(reason(&verifier(), &rs256(&header_with("typ", typ), &session())), Reason::TokenInvalid);
    }
    // Nor is a `null` category taken for an absent one.
    assert_eq!(
        reason(&verifier(), &rs256(&header_with("cat", Value::Null), &session())),
        Reason::TokenInvalid
    );
}

#[test]
fn duplicate_members_are_rejected() {
    let p = session().to_string();
    let h = r#"{"alg":"RS256","alg":"RS256","kid":"ins_2GIoQhbUpy0hX7B2cVkuTMinXoD"}"#;
    assert_eq!(reason(&verifier(), &rs_raw(h, &p)), Reason::TokenInvalid);
    // Past the keys compared one by one (objects of more than 32 keys), before the signature.
    let wide: String = (0..600).map(|i| format!(r#""x{i}":{i},"#)).collect();
    let wide = header().to_string().replacen('{', &format!("{{{wide}"), 1);
    let roomy = verifier().max_token_bytes(1 << 16);
    accepts(&roomy, &rs_raw(&wide, &p));
    let wide_twice = wide.replacen('}', r#","alg":"RS256"}"#, 1);
    assert_eq!(reason(&roomy, &rs_raw(&wide_twice, &p)), Reason::TokenInvalid);
    let h = header().to_string();
    for dup in [r#""sub":"user_2""#, r#""exp":99999999999"#] {
        let payload = p.replacen('{', &format!("{{{dup},"), 1);
        assert_eq!(reason(&verifier(), &rs_raw(&h, &payload)), Reason::TokenInvalid, "{dup}");
    }
}

#[test]
fn nested_duplicates_are_rejected_whatever_the_claims_type_reads() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Custom {
        metadata: Value,
    }
    let h = header().to_string();
    let p = session().to_string();
    for extra in [
        // Read by the claims type (a `Value` alone would keep the last).
        r#""metadata":{"plan":"pro","plan":"free"}"#,
        // Ignored by the claims type.
        r#""metadata":{},"other":{"a":[{"b":1,"b":2}]}"#,
        // Clerk's organization claim, read for `SessionClaims` itself.
        r#""metadata":{},"o":{"id":"org_1","id":"org_2"}"#,
    ] {
        let token = rs_raw(&h, &p.replacen('{', &format!("{{{extra},"), 1));
        let err = verifier().verify_session::<SessionClaims<Custom>>(&token).unwrap_err();
        assert_eq!(err.reason, Reason::TokenInvalid, "{extra}");
        assert!(err.message.contains("duplicate key"), "{extra}: {}", err.message);
    }
}

#[test]
fn the_claims_type_sees_every_claim_of_the_payload() {
    let payload = session_with("role", json!("editor"));
    let token = rs256(&header(), &payload);
    let all = verifier()
        .verify_session::<SessionClaims<std::collections::BTreeMap<String, Value>>>(&token)
        .unwrap();
    let expected: std::collections::BTreeMap<String, Value> = serde_json::from_value(payload).unwrap();
    assert_eq!(all.custom, expected);
    #[derive(serde::Deserialize)]
    struct Nothing;
    assert!(verifier().verify_session::<SessionClaims<Nothing>>(&token).is_ok());
    #[derive(serde::Deserialize)]
    #[serde(tag = "role", rename_all = "lowercase")]
    enum Role {
        Editor { sid: String },
        Viewer,
    }
    let role = verifier().verify_session::<SessionClaims<Role>>(&token).unwrap().custom;
    assert!(matches!(role, Role::Editor { sid } if sid == "sess_1"));
}

#[test]
fn header_and_payload_must_be_json_objects() {
    let h = header().to_string();
    let p = session().to_string();
    for payload in ["[]", "\"x\"", "null", "", &format!("{p} x"), &format!("{p}{p}")] {
        assert_eq!(reason(&verifier(), &rs_raw(&h, payload)), Reason::TokenInvalid, "{payload}");
    }
    for header in ["[]", "\"RS256\"", "null"] {
        assert_eq!(reason(&verifier(), &rs_raw(header, &p)), Reason::TokenInvalid, "{header}");
    }
}

// 5. Encoding and structure

#[test]
fn oversized_tokens_are_rejected_before_decoding() {
    let token = rs256(&header(), &session_with("pad", json!("x".repeat(64 * 1024))));
    assert_eq!(reason(&verifier(), &token), Reason::TokenTooLarge);
}

#[test]
fn a_jws_has_exactly_three_segments() {
    let t = valid();
    let (h, rest) = t.split_once('.').unwrap();
    for bad in [
        h.to_string(),
        format!("{t}."),
        format!("{t}.x"),
        format!("{t}.x.y"),
        String::new(),
        ".".repeat(50_000),
        format!("{h}.{rest}.{rest}"),
    ] {
        assert_eq!(reason(&verifier().max_token_bytes(1 << 20), &bad), Reason::TokenInvalid);
    }
}

#[test]
fn json_serialization_bearer_prefix_and_whitespace_are_rejected() {
    let t = valid();
    let (input, sig) = t.rsplit_once('.').unwrap();
    let (h, p) = input.split_once('.').unwrap();
    let json_form = json!({"protected": h, "payload": p, "signature": sig}).to_string();
    for bad in [json_form, format!("Bearer {t}"), format!(" {t}"), format!("{t}\n")] {
        assert_eq!(reason(&verifier(), &bad), Reason::TokenInvalid);
    }
}

#[test]
fn non_canonical_base64url_is_rejected() {
    let t = valid();
    let sig = signature_of(&t);
    let (input, enc) = t.rsplit_once('.').unwrap();
    let (h, p) = input.split_once('.').unwrap();
    let std_alphabet = base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, &sig);
    assert_ne!(std_alphabet, enc, "the fixture signature has + or / in standard base64");
    for bad in [
        format!("{t}=="),
        format!("{h}=.{p}.{enc}"),
        format!("{input}.{std_alphabet}"),
        format!("{input}.{enc} "),
        format!("{input}.{}\n{}", &enc[..10], &enc[10..]),
        format!("{input}.{enc}AAA"),
        format!("{input}.{enc}!"),
    ] {
        assert_eq!(reason(&verifier(), &bad), Reason::TokenInvalid, "{bad}");
    }
}

#[test]
fn non_zero_trailing_bits_are_rejected() {
    // 256 bytes encode to 342 characters whose last one carries 4 bits of data and 2 zero bits.
    let t = valid();
    let (input, enc) = t.rsplit_once('.').unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = alphabet.find(enc.chars().last().unwrap()).unwrap();
    let with_bits = alphabet.as_bytes()[last | 0b01] as char;
    assert_ne!(with_bits, enc.chars().last().unwrap());
    let forged = format!("{input}.{}{with_bits}", &enc[..enc.len() - 1]);
    assert_eq!(reason(&verifier(), &forged), Reason::TokenInvalid);
}

#[test]
fn the_signing_input_is_the_received_bytes() {
    // The same header JSON with other spacing has the same meaning but was not what was signed.
    let t = valid();
    let (_, rest) = t.split_once('.').unwrap();
    let respaced = format!("{}.{rest}", b64(serde_json::to_string_pretty(&header()).unwrap().as_bytes()));
    assert_eq!(reason(&verifier(), &respaced), Reason::TokenInvalidSignature);
}

// 6. Signature checks

#[test]
fn empty_signatures_are_rejected() {
    assert_eq!(reason(&verifier(), &with_signature(&valid(), &[])), Reason::TokenInvalidSignature);
    let hs = Verifier::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap()).now(NOW);
    let token = hs_raw(&[7; 32], &json!({"alg": "HS256"}).to_string(), &session().to_string());
    accepts(&hs, &token);
    assert_eq!(reason(&hs, &with_signature(&token, &[])), Reason::TokenInvalidSignature);
}

#[test]
fn rsa_signature_length_must_equal_the_modulus() {
    let t = valid();
    let sig = signature_of(&t);
    let mut leading_zero = vec![0u8];
    leading_zero.extend(&sig);
    for bad in [leading_zero, sig[..255].to_vec(), vec![0; 256], {
        let mut one = vec![0; 256];
        one[255] = 1;
        one
    }] {
        assert_eq!(reason(&verifier(), &with_signature(&t, &bad)), Reason::TokenInvalidSignature);
    }
}

#[test]
fn es256_signatures_are_exactly_64_bytes() {
    let (pair, jwk) = p256();
    let v = Verifier::new(Key::from_jwk(&jwk).unwrap()).now(NOW);
    let h = json!({"alg": "ES256", "kid": "ec1"}).to_string();
    let (input, sig) = es256_raw(&pair, &h, &session().to_string());
    accepts(&v, &format!("{input}.{}", b64(&sig)));
    let mut long = sig.clone();
    long.push(0);
    let der = der_signature(&sig);
    for bad in [long, der, sig[..63].to_vec()] {
        assert_eq!(reason(&v, &format!("{input}.{}", b64(&bad))), Reason::TokenInvalidSignature);
    }
}

fn der_signature(p1363: &[u8]) -> Vec<u8> {
    let int = |x: &[u8]| {
        let mut v = x.iter().skip_while(|&&b| b == 0).copied().collect::<Vec<u8>>();
        if v.first().is_some_and(|b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    };
    let body = [int(&p1363[..32]), int(&p1363[32..])].concat();
    [vec![0x30, body.len() as u8], body].concat()
}

#[test]
fn psychic_signatures_are_rejected() {
    let (_, jwk) = p256();
    let v = Verifier::new(Key::from_jwk(&jwk).unwrap()).now(NOW);
    let input = signing_input(&json!({"alg": "ES256"}).to_string(), &session().to_string());
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for (r, s) in [(vec![0u8; 32], vec![0u8; 32]), (n.clone(), n.clone()), (n.clone(), vec![0; 32])] {
        let sig = [r, s].concat();
        assert_eq!(reason(&v, &format!("{input}.{}", b64(&sig))), Reason::TokenInvalidSignature);
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn ecdsa_high_s_variant_is_accepted() {
    // (r, n - s) is as valid as (r, s): signature bytes are not a uniqueness key.
    let (pair, jwk) = p256();
    let v = Verifier::new(Key::from_jwk(&jwk).unwrap()).now(NOW);
    let (input, sig) = es256_raw(&pair, &json!({"alg": "ES256"}).to_string(), &session().to_string());
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let s = &sig[32..];
    let mut other = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        other[i] = (d + if d < 0 { 256 } else { 0 }) as u8;
    }
    let malleated = [&sig[..32], &other[..]].concat();
    accepts(&v, &format!("{input}.{}", b64(&malleated)));
}

#[test]
fn hmac_tags_must_be_full_length() {
    let hs = Verifier::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap()).now(NOW);
    let token = hs_raw(&[7; 32], &json!({"alg": "HS256"}).to_string(), &session().to_string());
    let tag = signature_of(&token);
    let mut longer = tag.clone();
    longer.push(0);
    for bad in [tag[..16].to_vec(), tag[..31].to_vec(), longer] {
        assert_eq!(reason(&hs, &with_signature(&token, &bad)), Reason::TokenInvalidSignature);
    }
}

#[test]
fn a_kid_pointing_at_another_key_is_rejected() {
    let (_, ec) = p256();
    let mut set: Value = serde_json::from_str(&read("clerk/jwks/mock_jwks.json")).unwrap();
    let mut second = set["keys"][0].clone();
    second["kid"] = json!("ins_second");
    second["n"] =
        Key::from_pem(&read("clerk/keys/other_rs256_public_spki.pem"), "x").unwrap().jwk()["n"].clone();
    set["keys"].as_array_mut().unwrap().push(second);
    set["keys"].as_array_mut().unwrap().push(ec);
    let v = Verifier::new(Jwks::from_json(&set.to_string()).unwrap()).now(NOW);
    accepts(&v, &valid());
    let token = rs256(&header_with("kid", json!("ins_second")), &session());
    assert_eq!(reason(&v, &token), Reason::TokenInvalidSignature);
}

// 7. Key quality

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let mut n = vec![0xc3u8; 128];
    n[127] |= 1;
    let err = Key::from_jwk(&json!({"kty": "RSA", "n": b64(&n), "e": "AQAB"})).unwrap_err();
    assert_eq!(err, KeyError::RsaTooSmall { bits: 1024, min: 2048 });
}

#[test]
fn rsa_exponents_1_3_and_even_are_refused() {
    let n =
        Key::from_pem(&read("clerk/keys/instance_rs256_public_spki.pem"), "x").unwrap().jwk()["n"].clone();
    for e in [&[1u8][..], &[3], &[1, 0, 0], &[0, 1, 0, 0]] {
        let err = Key::from_jwk(&json!({"kty": "RSA", "n": n, "e": b64(e)})).unwrap_err();
        assert!(matches!(err, KeyError::RsaExponent { min: 65537, .. }), "{err}");
    }
}

#[test]
fn ec_keys_must_match_their_curve_and_lie_on_it() {
    let (_, jwk) = p256();
    let mut wrong_alg = jwk.clone();
    wrong_alg["alg"] = json!("ES384");
    assert!(Key::from_jwk(&wrong_alg).is_err());
    let mut off_curve = jwk.clone();
    off_curve["y"] = json!(b64(&[1; 32]));
    assert!(Key::from_jwk(&off_curve).is_err());
    let mut short = jwk;
    short["x"] = json!(b64(&[1; 31]));
    assert!(Key::from_jwk(&short).is_err());
}

#[test]
fn short_or_empty_hmac_secrets_are_refused() {
    for secret in [&b""[..], b"secret", &[1; 31]] {
        assert!(Key::hmac(secret, Algorithm::HS256).is_err());
    }
    assert!(Key::hmac(&[1; 47], Algorithm::HS384).is_err());
    assert!(Key::hmac(&[1; 64], Algorithm::HS256).is_ok(), "long secrets are fine");
}

// 8. Claims and time

#[test]
fn exp_is_required() {
    let mut p = session();
    p.as_object_mut().unwrap().remove("exp");
    assert_eq!(reason(&verifier(), &rs256(&header(), &p)), Reason::TokenVerificationFailed);
}

#[test]
fn numeric_dates_are_json_numbers() {
    for exp in [json!((NOW + 60).to_string()), Value::Null, json!(true), json!([NOW + 60])] {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with("exp", exp.clone()))),
            Reason::TokenVerificationFailed,
            "{exp}"
        );
    }
    for name in ["nbf", "iat"] {
        for value in [json!("1"), Value::Null] {
            assert_eq!(
                reason(&verifier(), &rs256(&header(), &session_with(name, value.clone()))),
                Reason::TokenVerificationFailed,
                "{name}: {value}"
            );
        }
    }
    accepts(&verifier(), &rs256(&header(), &session_with("exp", json!(NOW as f64 + 60.5))));
    // A far-future date is a date (with the session category: unmarked, it would outlive a session).
    accepts(
        &verifier(),
        &rs256(&header_with("cat", json!("cl_B7d4PD111AAA")), &session_with("exp", json!(1e10))),
    );
    // A token the policy accepts has claims: a fractional date counts from its whole second.
    let mut fractional = session_with("exp", json!(NOW as f64 + 60.5));
    fractional["iat"] = json!(NOW as f64 + 0.25);
    fractional["nbf"] = json!(1e9);
    let token = rs256(&header(), &fractional);
    let claims = verifier().verify_session::<SessionClaims>(&token).unwrap().registered;
    assert_eq!((claims.exp, claims.iat, claims.nbf), (NOW + 60, Some(NOW), Some(1_000_000_000)));
    let template = verifier().verify_json(&token, TokenKind::Session).unwrap();
    assert_eq!(template["exp"], json!(NOW as f64 + 60.5), "the payload itself is left as it is");
    for literal in ["Infinity", "NaN", "0x10", "01", "+1"] {
        let payload =
            session().to_string().replace(&format!("\"exp\":{}", NOW + 60), &format!("\"exp\":{literal}"));
        assert_eq!(
            reason(&verifier(), &rs_raw(&header().to_string(), &payload)),
            Reason::TokenInvalid,
            "{literal}"
        );
    }
}

#[test]
fn numeric_dates_out_of_range_are_rejected() {
    for exp in [
        json!(253_402_300_800_i64),
        json!(1e30),
        json!(18_446_744_073_709_551_616.0),
        json!(i64::MAX),
        json!(-1),
        json!(u64::MAX),
    ] {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with("exp", exp.clone()))),
            Reason::TokenVerificationFailed,
            "{exp}"
        );
    }
}

#[test]
fn exp_boundary_with_the_default_skew() {
    let at = |exp: i64| rs256(&header(), &session_with("exp", json!(exp)));
    accepts(&verifier(), &at(NOW));
    accepts(&verifier(), &at(NOW - 4));
    assert_eq!(reason(&verifier(), &at(NOW - 5)), Reason::TokenExpired);
    assert_eq!(reason(&verifier().clock_skew(0), &at(NOW)), Reason::TokenExpired);
}

#[test]
fn nbf_and_iat_boundaries() {
    let with = |name: &str, t: i64| rs256(&header(), &session_with(name, json!(t)));
    accepts(&verifier(), &with("nbf", NOW + 5));
    assert_eq!(reason(&verifier(), &with("nbf", NOW + 6)), Reason::TokenNotActiveYet);
    accepts(&verifier(), &with("iat", NOW + 5));
    assert_eq!(reason(&verifier(), &with("iat", NOW + 6)), Reason::TokenIatInTheFuture);
}

#[test]
fn clock_skew_is_bounded() {
    let token = rs256(&header(), &session_with("exp", json!(NOW - 301)));
    assert_eq!(reason(&verifier().clock_skew(u32::MAX), &token), Reason::TokenExpired);
    accepts(&verifier().clock_skew(u32::MAX), &rs256(&header(), &session_with("exp", json!(NOW - 299))));
}

#[test]
fn sub_is_a_required_string() {
    let mut p = session();
    p.as_object_mut().unwrap().remove("sub");
    assert_eq!(reason(&verifier(), &rs256(&header(), &p)), Reason::TokenVerificationFailed);
    assert_eq!(
        reason(&verifier(), &rs256(&header(), &session_with("sub", json!(42)))),
        Reason::TokenVerificationFailed
    );
}

#[test]
fn iss_is_compared_byte_for_byte() {
    for iss in [
        format!("{ISSUER}/"),
        format!("{ISSUER}.evil.dev"),
        ISSUER[..ISSUER.len() - 1].to_string(),
        ISSUER.to_uppercase(),
    ] {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with("iss", json!(iss)))),
            Reason::TokenInvalidIssuer
        );
    }
}

#[test]
fn azp_is_an_exact_match_and_required_when_configured() {
    let mut p = session();
    p.as_object_mut().unwrap().remove("azp");
    assert_eq!(reason(&verifier(), &rs256(&header(), &p)), Reason::TokenInvalidAuthorizedParties);
    for azp in ["", "https://accounts.inspired.puma-74.lcl.dev/", "https://аccounts.inspired.puma-74.lcl.dev"]
    {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with("azp", json!(azp)))),
            Reason::TokenInvalidAuthorizedParties
        );
    }
}

#[test]
fn aud_is_checked_strictly() {
    let v = verifier().audience("api");
    accepts(&v, &rs256(&header(), &session_with("aud", json!("api"))));
    accepts(&v, &rs256(&header(), &session_with("aud", json!(["other", "api"]))));
    for aud in [json!([]), json!(["api", 1]), json!(null), json!("API")] {
        assert_eq!(
            reason(&v, &rs256(&header(), &session_with("aud", aud.clone()))),
            Reason::TokenVerificationFailed,
            "{aud}"
        );
    }
}

// 9. JSON and Unicode

#[test]
fn invalid_utf8_lone_surrogates_and_boms_are_rejected() {
    let h = header().to_string();
    let p = session().to_string();
    let bad_utf8 = [p.as_bytes(), b"\xff"].concat();
    let surrogate = p.replacen("\"user_1\"", "\"\\ud800\"", 1);
    let bom = format!("\u{feff}{p}");
    let utf16: Vec<u8> = p.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for token in [rs_bytes(&h, &bad_utf8), rs_raw(&h, &surrogate), rs_raw(&h, &bom), rs_bytes(&h, &utf16)] {
        let r = reason(&verifier(), &token);
        assert!(matches!(r, Reason::TokenInvalid), "{r}");
    }
}

#[test]
fn confusables_are_compared_bytewise() {
    let v = verifier();
    let payload =
        v.verify_json(&rs256(&header(), &session_with("sub", json!("usеr_1"))), TokenKind::Session).unwrap();
    assert_ne!(payload["sub"], "user_1", "a Cyrillic е is a different user");
}

#[test]
fn an_escaped_nul_is_kept_intact() {
    let payload = verifier()
        .verify_json(&rs256(&header(), &session_with("name", json!("a\u{0}b"))), TokenKind::Session)
        .unwrap();
    assert_eq!(payload["name"], "a\u{0}b");
}

#[test]
fn nesting_bombs_are_clean_errors() {
    let nest = |depth: usize| {
        let payload = session().to_string().replacen(
            '{',
            &format!("{{\"deep\":{}1{},", "[".repeat(depth), "]".repeat(depth)),
            1,
        );
        rs_raw(&header().to_string(), &payload)
    };
    accepts(&verifier(), &nest(10));
    for depth in [800, 5000] {
        assert_eq!(reason(&verifier().max_token_bytes(1 << 20), &nest(depth)), Reason::TokenInvalid);
    }
}

// 10. Operational

#[test]
fn errors_do_not_echo_the_available_kids() {
    let err = verifier()
        .verify_json(&rs256(&header_with("kid", json!("ins_x")), &session()), TokenKind::Session)
        .unwrap_err();
    assert!(!err.to_string().contains(KID));
    let token = valid();
    let expired = verifier().now(NOW + 3600).verify_json(&token, TokenKind::Session).unwrap_err();
    assert!(!expired.to_string().contains(&token[..20]), "messages never hold the token");
}

#[test]
fn the_signature_is_checked_before_any_claim() {
    let expired_forged = with_signature(&rs256(&header(), &session_with("exp", json!(1))), &[0; 256]);
    assert_eq!(reason(&verifier(), &expired_forged), Reason::TokenInvalidSignature);
}

#[test]
fn key_sources_are_never_shared_between_verifiers() {
    // Each verifier holds its own key source: a key set given to one is not consulted by another.
    let other = Verifier::new(Jwks::default()).now(NOW);
    assert_eq!(reason(&other, &valid()), Reason::JwkKidMismatch);
    assert!(matches!(KeySource::from(jwks()), KeySource::Jwks(_)));
}

// Hardening beyond the checklist's letter, each under the item it extends.

/// ATTACKS §1, HS256 confusion: a public key given *as the HMAC secret* (PEM, OpenSSH, JWK text) is refused
/// when the key is configured (PyJWT CVE-2026-48526, CVE-2022-29217), so no token can be MACed with
/// text everyone has.
#[test]
fn hs256_with_a_public_key_as_the_secret_is_refused_at_configuration() {
    let pem = read("clerk/keys/instance_rs256_public_spki.pem");
    let jwk = jwks().to_json()["keys"][0].to_string();
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host";
    for secret in [pem.clone(), format!("  \n{pem}"), pem.replace('\n', "\r\n"), jwk, ssh.to_string()] {
        let err = Key::hmac(secret.as_bytes(), Algorithm::HS256).unwrap_err();
        assert!(err.to_string().contains("not a secret"), "{err}");
    }
    // A long random secret is still a secret.
    assert!(Key::hmac(&[0x5a; 64], Algorithm::HS256).is_ok());
}

/// ATTACKS §2, kid injection: a kid is bounded and escaped before it reaches a message (and so a log line).
#[test]
fn kid_injection_never_reaches_a_message_raw() {
    for kid in ["ins_x\nlevel=error msg=forged", "ins_x\u{1b}[31m", &"k".repeat(200), "a'b\"c"] {
        let err =
            verifier().verify_json(&rs256(&header_with("kid", json!(kid)), &session()), TokenKind::Session);
        let message = err.unwrap_err().message;
        assert!(!message.contains('\n') && !message.contains('\u{1b}'), "{message:?}");
        assert!(!message.contains(&"k".repeat(65)), "cut at 64 characters: {message}");
        assert!(!message.contains("a'b"), "{message}");
    }
}

#[derive(clerk_claims_runtime::ClerkClaims, serde::Deserialize, Debug)]
#[clerk(name = "b")]
struct TemplateB {
    #[clerk(value = "B")]
    #[allow(dead_code)]
    aud: Value,
}

/// ATTACKS §8, `aud`: a configured audience and the claims type's constant `aud` are two requirements, both
/// checked; a token of template A is not a token of template B because the verifier also expects A.
#[test]
fn aud_of_the_verifier_and_of_the_claims_type_must_both_hold() {
    let template = |aud: Value| {
        let mut p = session_with("aud", aud);
        p.as_object_mut().unwrap().remove("sid");
        rs256(&header_with("cat", json!("cl_B7d4PD222AAA")), &p)
    };
    let v = verifier().audience("A");
    let err = v.verify_template::<TemplateB>(&template(json!("A"))).unwrap_err();
    assert_eq!(err.reason, Reason::TokenVerificationFailed, "{err}");
    assert!(err.message.contains("[\"B\"]"), "{err}");
    assert_eq!(
        v.verify_template::<TemplateB>(&template(json!("B"))).unwrap_err().reason,
        Reason::TokenVerificationFailed
    );
    v.verify_template::<TemplateB>(&template(json!(["A", "B"]))).unwrap();
    verifier().verify_template::<TemplateB>(&template(json!("B"))).unwrap();
}

/// A JWT template that renders `sid` (Clerk lets it) must not pass as a session when its category
/// is absent or Clerk's "ignore": a ten-year template token is no 60-second session.
#[test]
fn a_long_lived_token_without_the_session_category_is_not_a_session() {
    let ten_years = |cat: Option<&str>| {
        let mut p = session();
        p["exp"] = json!(NOW + 10 * 365 * 86_400);
        let mut h = header();
        if let Some(cat) = cat {
            h["cat"] = json!(cat);
        }
        rs256(&h, &p)
    };
    for cat in [None, Some("cl_I7d4PD111III")] {
        let err = verifier().verify_session::<SessionClaims>(&ten_years(cat)).unwrap_err();
        assert_eq!(err.reason, Reason::TokenLifetimeExceedsSession, "{cat:?}: {err}");
        assert_eq!(err.reason.code(), "token-lifetime-exceeds-session");
        verifier()
            .session_max_lifetime(400_000_000)
            .verify_session::<SessionClaims>(&ten_years(cat))
            .unwrap();
    }
    // The session category is Clerk's word: the Backend API mints longer session tokens.
    verifier().verify_session::<SessionClaims>(&ten_years(Some("cl_B7d4PD111AAA"))).unwrap();
    // Unmarked and without `iat`, a token cannot show a session's lifetime.
    let mut p = session();
    p.as_object_mut().unwrap().remove("iat");
    assert_eq!(reason(&verifier(), &rs256(&header(), &p)), Reason::TokenLifetimeExceedsSession);
    // Clerk's own fixtures (no `cat`, 60 s) are sessions.
    accepts(&verifier(), &valid());
}

/// The bundled development key's private half is published: what it signs verifies only for a
/// loopback issuer, whatever key source names it, unless allowed by name.
#[test]
fn the_development_key_is_refused_off_loopback() {
    use clerk_claims_runtime::instance::InstanceConfig;
    use clerk_claims_runtime::keys::DEVELOPMENT_KEY_MODULUS;
    let dev = clerk_claims_dev::SigningKey::development();
    let token = |iss: &str| {
        let mut p = session();
        p["iss"] = json!(iss);
        dev.sign(&json!({"typ": "JWT", "cat": "cl_B7d4PD111AAA"}), &p).unwrap()
    };
    let pem_key =
        Key::from_jwk(&json!({"kty": "RSA", "n": DEVELOPMENT_KEY_MODULUS, "e": "AQAB", "kid": dev.kid()}))
            .unwrap();
    assert!(pem_key.is_development());
    let production = "https://clerk.example.com";
    let sources: Vec<KeySource> = vec![dev.jwks().into(), pem_key.into()];
    for keys in sources {
        let refused = Verifier::new(keys.clone()).issuer(production).authorized_parties([AZP]).now(NOW);
        assert_eq!(reason(&refused, &token(production)), Reason::JwkDevelopmentKey);
        let unconfigured = Verifier::new(keys.clone()).now(NOW);
        assert_eq!(
            reason(&unconfigured, &token(production)),
            Reason::JwkDevelopmentKey,
            "no issuer: refused"
        );
        accepts(
            &Verifier::new(keys.clone()).issuer("http://127.0.0.1:4780").now(NOW),
            &token("http://127.0.0.1:4780"),
        );
        accepts(
            &Verifier::new(keys.clone()).issuer("http://localhost:3000").now(NOW),
            &token("http://localhost:3000"),
        );
        accepts(&Verifier::new(keys).issuer(production).allow_development_key().now(NOW), &token(production));
    }
    // CLERK_JWT_KEY holding the development key's public half: refused for a production instance.
    let pem = clerk_claims_dev::DEVELOPMENT_KEY_PEM;
    let armoured = pem.find("-----BEGIN").map_or(pem, |start| &pem[start..]);
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&pem_der(armoured)).unwrap();
    let public_pem = format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD
            .encode(aws_lc_rs::signature::KeyPair::public_key(&pair).as_ref())
    );
    let config = InstanceConfig::from_lookup(|name| match name {
        "CLERK_PUBLISHABLE_KEY" => Some("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k".into()),
        "CLERK_JWT_KEY" => Some(public_pem.clone()),
        _ => None,
    })
    .unwrap();
    let from_env = Verifier::from_instance(&config).unwrap().now(NOW);
    assert_eq!(reason(&from_env, &token(production)), Reason::JwkDevelopmentKey);
}

/// ATTACKS §8, NumericDate range at the edges of what a formatter or a subtraction takes: clean errors
/// (or verdicts), never a panic.
#[test]
fn dates_at_the_end_of_time_and_before_it_began_are_errors_never_panics() {
    for exp in [json!(253_402_300_800i64), json!(i64::MIN), json!(i64::MAX), json!(-1)] {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with("exp", exp.clone()))),
            Reason::TokenVerificationFailed,
            "{exp}"
        );
        let _ =
            clerk_claims_runtime::verify::decode(&rs256(&header(), &session_with("exp", exp)), 8192).unwrap();
    }
    for name in ["iat", "nbf"] {
        assert_eq!(
            reason(&verifier(), &rs256(&header(), &session_with(name, json!(253_402_300_800i64)))),
            Reason::TokenVerificationFailed
        );
    }
    // A clock at the end of time formats its message without panicking.
    let err = verifier().now(253_402_300_800).verify_session::<SessionClaims>(&valid()).unwrap_err();
    assert!(err.message.contains("after the year 9999"), "{err}");
    let err = verifier().now(i64::MIN).verify_session::<SessionClaims>(&valid()).unwrap_err();
    assert_eq!(err.reason, Reason::TokenNotActiveYet, "{err}");
}
