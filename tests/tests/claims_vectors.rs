//! Clerk's v2 organization-claims and scope-splitting cases (../shared/vectors/clerk/claims).

mod support;

use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::claims::split_by_scope;
use serde_json::Value;

fn vector(path: &str) -> Value {
    serde_json::from_str(&support::read(path)).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn every_v2_org_claims_case() {
    let file = vector("clerk/claims/v2_org_claims_cases.json");
    let cases = file["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 23);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let payload = serde_json::to_vec(&case["claims"]).unwrap();
        let claims = SessionClaims::<()>::from_payload(&payload).unwrap_or_else(|e| panic!("{name}: {e}"));
        let org = claims.organization.as_ref();
        let expected = &case["expected"];
        if let Some(id) = expected.get("orgId") {
            assert_eq!(org.map(|o| o.id.as_str()), id.as_str(), "{name}");
        }
        if let Some(role) = expected.get("orgRole") {
            assert_eq!(org.and_then(|o| o.role.as_deref()), role.as_str(), "{name}");
        }
        if let Some(slug) = expected.get("orgSlug") {
            assert_eq!(org.and_then(|o| o.slug.as_deref()), slug.as_str(), "{name}");
        }
        match expected.get("orgPermissions") {
            Some(Value::Null) => assert!(org.is_none(), "{name}"),
            Some(list) => assert_eq!(org.unwrap().permissions, strings(list), "{name}"),
            None => {}
        }
        if let Some(list) = expected.get("orgPermissions_sorted") {
            let mut got = org.unwrap().permissions.clone();
            got.sort();
            assert_eq!(got, strings(list), "{name}");
        }
        for p in expected.get("has_true").map(strings).unwrap_or_default() {
            assert!(org.unwrap().has_permission(&p), "{name}: {p}");
        }
        for p in expected.get("has_false").map(strings).unwrap_or_default() {
            assert!(!org.is_some_and(|o| o.has_permission(&p)), "{name}: {p}");
        }
        if let Some(v1) = case.get("equivalent_v1_claims") {
            let v1 = SessionClaims::<()>::from_payload(&serde_json::to_vec(v1).unwrap()).unwrap();
            assert_eq!(v1.organization, claims.organization, "{name}: v1 and v2 normalise alike");
        }
    }
}

#[test]
fn every_split_by_scope_case() {
    let file = vector("clerk/claims/split_by_scope_cases.json");
    for case in file["cases"].as_array().unwrap() {
        let (org, user) = split_by_scope(case["input"].as_str().unwrap());
        assert_eq!(org, strings(&case["org"]), "{case}");
        assert_eq!(user, strings(&case["user"]), "{case}");
    }
}

#[test]
fn documented_token_payloads_deserialize() {
    let v2 = vector("templates/session-token-v2-example.payload.json");
    let claims = SessionClaims::<Value>::from_payload(&serde_json::to_vec(&v2).unwrap()).unwrap();
    let org = claims.organization.as_ref().unwrap();
    assert_eq!((org.id.as_str(), org.role.as_deref()), ("org_123", Some("org:admin")));
    assert_eq!(org.permissions, ["org:custom-feature:custom-perm"]);
    assert_eq!(claims.custom["role"], "authenticated");
    assert_eq!(claims.factor_verification_age, Some([0, -1]));

    let v1 = vector("templates/session-token-v1-example.payload.json");
    let claims = SessionClaims::<()>::from_payload(&serde_json::to_vec(&v1).unwrap()).unwrap();
    assert_eq!(claims.organization.as_ref().unwrap().role.as_deref(), Some("basic_member"));
    assert_eq!(claims.actor.as_ref().unwrap()["sub"], "user_2RTHzvtOq9aRpJYPGnT83Rl0lGU");
    assert_eq!(claims.version, None);
}

#[test]
fn a_claim_that_does_not_fit_names_its_path() {
    use clerk_claims_runtime::{Reason, Verifier};
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Custom {
        tenant: Tenant,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Tenant {
        seats: u32,
    }
    // A v2 session token with `tenant.seats` a string, signed by the fixtures' instance key.
    let token = support::read("clerk/derived/synthetic/v2_session_with_org.jwt");
    let jwks = support::jwks();
    let err =
        Verifier::new(jwks).now(1_666_648_250).verify_session::<SessionClaims<Custom>>(&token).unwrap_err();
    assert_eq!(err.reason, Reason::ClaimsInvalid);
    assert_eq!(err.message, "the claim `tenant` does not fit the claims type: missing field `tenant`");

    let payload = br#"{"sub": "u", "exp": 1, "sid": "s", "tenant": {"seats": "many"}}"#;
    let e = SessionClaims::<Custom>::from_payload(payload).unwrap_err();
    assert_eq!(e.path, "tenant.seats");
}

/// Clerk's claims are the same whichever members the claims type reads as well: none (`()`), all
/// (`Value`, a flattened map), or some of Clerk's own (`o`, `fea`, `sub`). The verifier reads them
/// in its one strict pass; `from_payload` reads the payload on its own and is the reference.
#[test]
fn verified_claims_do_not_depend_on_what_the_claims_type_reads() {
    use std::collections::BTreeMap;
    use std::fmt::Debug;

    use clerk_claims_runtime::Verifier;
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    #[derive(Debug, Deserialize, PartialEq)]
    struct ReadsClerks {
        sub: String,
        o: Option<Value>,
        fea: Option<String>,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    struct Flattened {
        #[serde(flatten)]
        all: BTreeMap<String, Value>,
    }
    fn same_as_reference<C: DeserializeOwned + PartialEq + Debug>(
        verifier: &Verifier,
        token: &str,
        text: &str,
    ) {
        let verified = verifier.verify_session::<SessionClaims<C>>(token).unwrap();
        assert_eq!(verified, SessionClaims::<C>::from_payload(text.as_bytes()).unwrap(), "{text}");
    }
    let verifier = Verifier::new(support::jwks()).now(support::NOW).token_cache(false);
    let mut payloads: Vec<Value> = vector("clerk/claims/v2_org_claims_cases.json")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["claims"].clone())
        .collect();
    payloads.push(vector("templates/session-token-v1-example.payload.json"));
    payloads.push(serde_json::json!({
        "sub": "user_\u{e9}", "sid": "sess_1", "v": 2, "fva": [3, -1], "sts": "active",
        "fea": "o:a,b,u:c", "pla": "u:pro", "act": {"sub": "user_admin", "n": [{"x": 1}]},
        "o": {"id": "org_1", "rol": "admin", "per": "read", "fpm": "1", "slg": "acme"},
        "jti": "j", "aud": ["x", "y"], "custom": {"deep": [[[1]]]},
    }));
    for mut payload in payloads {
        for (claim, value) in support::session().as_object().unwrap() {
            if !matches!(claim.as_str(), "iss" | "azp") {
                payload[claim] = value.clone();
            }
        }
        // One `fea` is written with an escaped comma in the token's text.
        let text = payload.to_string().replace("o:a,b", "o:a\\u002cb");
        let token = support::rs_raw(&support::header().to_string(), &text);
        same_as_reference::<()>(&verifier, &token, &text);
        same_as_reference::<Value>(&verifier, &token, &text);
        same_as_reference::<ReadsClerks>(&verifier, &token, &text);
        same_as_reference::<Flattened>(&verifier, &token, &text);
        let all = verifier.verify_session::<SessionClaims<Value>>(&token).unwrap();
        assert_eq!(all.custom, payload, "{text}");
    }
}

/// A Clerk claim that does not fit is reported with its path, after the policy has passed; a
/// duplicate or too deep a nesting inside one is a malformed token, whatever reads it.
#[test]
fn clerk_claims_are_checked_as_strictly_as_the_rest() {
    use clerk_claims_runtime::{Reason, Verifier};

    let verifier = Verifier::new(support::jwks()).now(support::NOW).token_cache(false);
    let token = |extra: &str| {
        let base = support::session().to_string();
        let text = format!("{}, {extra}}}", &base[..base.len() - 1]);
        support::rs_raw(&support::header().to_string(), &text)
    };
    for (extra, path) in [
        (r#""o": {"id": 5}"#, "o.id"),
        (r#""fva": [1]"#, "fva"),
        (r#""fea": 3"#, "fea"),
        (r#""org_permissions": "all""#, "org_permissions"),
    ] {
        for err in [
            verifier.verify_session::<SessionClaims>(&token(extra)).unwrap_err(),
            verifier.verify_session::<SessionClaims<Value>>(&token(extra)).unwrap_err(),
        ] {
            assert_eq!(err.reason, Reason::ClaimsInvalid, "{extra}");
            assert!(err.message.starts_with(&format!("the claim `{path}` does not fit")), "{extra}: {err}");
        }
    }
    // The policy is checked before Clerk's claims: an expired token with a bad `o` is expired.
    let expired = Verifier::new(support::jwks()).now(support::NOW + 3600).token_cache(false);
    assert_eq!(
        expired.verify_session::<SessionClaims>(&token(r#""o": {"id": 5}"#)).unwrap_err().reason,
        Reason::TokenExpired
    );
    let nested = format!(r#""act": {}1{}"#, "[".repeat(40), "]".repeat(40));
    for extra in [r#""o": {"id": "org_1", "id": "org_2"}"#, r#""act": {"a": {"b": 1, "b": 2}}"#, &nested] {
        for err in [
            verifier.verify_session::<SessionClaims>(&token(extra)).unwrap_err(),
            verifier.verify_session::<SessionClaims<Value>>(&token(extra)).unwrap_err(),
        ] {
            assert_eq!(err.reason, Reason::TokenInvalid, "{extra}: {err}");
        }
    }
}
