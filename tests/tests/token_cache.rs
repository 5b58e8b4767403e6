//! The verified-token cache: hits give the same claims, `exp` holds on every hit, a reconfigured
//! verifier starts empty, and the cache can be switched off.

mod support;

use clerk_claims_runtime::{Reason, SessionClaims};
use serde_json::json;
use support::*;

#[test]
fn a_cached_token_still_expires() {
    let v = verifier();
    let token = valid();
    let first: SessionClaims<serde_json::Value> = v.verify_session(&token).unwrap();
    let second: SessionClaims<serde_json::Value> = v.verify_session(&token).unwrap();
    assert_eq!(first, second);
    // The same verifier (and cache) a minute later: the token has expired.
    let later = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(NOW));
    let clock = later.clone();
    let v = verifier().clock(clerk_claims_runtime::verify::Clock::Custom(std::sync::Arc::new(move || {
        clock.load(std::sync::atomic::Ordering::SeqCst)
    })));
    v.verify_session::<SessionClaims>(&token).unwrap();
    later.store(NOW + 65, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(v.verify_session::<SessionClaims>(&token).unwrap_err().reason, Reason::TokenExpired);
}

#[test]
fn a_reconfigured_verifier_does_not_reuse_verdicts() {
    let v = verifier();
    let token = valid();
    v.verify_session::<SessionClaims>(&token).unwrap();
    let with_audience = v.clone().audience("https://api.example.com");
    assert_eq!(
        with_audience.verify_session::<SessionClaims>(&token).unwrap_err().reason,
        Reason::TokenVerificationFailed
    );
    let smaller = v.clone().max_token_bytes(100);
    assert_eq!(smaller.verify_session::<SessionClaims>(&token).unwrap_err().reason, Reason::TokenTooLarge);
}

#[test]
fn the_cache_is_keyed_by_the_exact_token_and_can_be_switched_off() {
    let v = verifier();
    let token = valid();
    v.verify_session::<SessionClaims>(&token).unwrap();
    // Any other text (here: the same token with another signature) goes through the policy.
    let forged = with_signature(&token, &[0; 256]);
    assert_eq!(v.verify_session::<SessionClaims>(&forged).unwrap_err().reason, Reason::TokenInvalidSignature);
    let mut p = session();
    p["sid"] = json!("sess_other");
    let other = rs256(&header(), &p);
    assert_eq!(v.verify_session::<SessionClaims>(&other).unwrap().sid, "sess_other");
    let off = verifier().token_cache(false);
    off.verify_session::<SessionClaims>(&token).unwrap();
    off.verify_session::<SessionClaims>(&token).unwrap();
}
