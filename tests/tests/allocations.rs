//! Allocations per verification: a regression guard for the hot path (the bounds are today's counts
//! plus a small margin; lower them as the path gets leaner).

mod support;

use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::keys::RemoteJwks;
use std::sync::Arc;
use support::*;

fn count(f: impl Fn()) -> u64 {
    f(); // warm up lazily initialised state
    allocation_counter::measure(f).count_total
}

#[test]
fn allocations_per_verification_stay_bounded() {
    let token = valid();
    let uncached = verifier().token_cache(false);
    let full = count(|| {
        uncached.verify_session::<SessionClaims>(&token).unwrap();
    });
    let cached = verifier();
    let hit = count(|| {
        cached.verify_session::<SessionClaims>(&token).unwrap();
    });
    let shared = count(|| {
        cached.verify_session::<Arc<SessionClaims>>(&token).unwrap();
    });
    eprintln!("allocations: full verification {full}, cache hit {hit}, shared claims hit {shared}");
    // The payload, the list of the claims the policy reads, and the four strings the claims keep
    // (`sub`, `sid`, `iss`, `azp`): the header and the signature are decoded on the stack, the
    // header read without copying its strings, keys checked for duplicates on the stack.
    assert!(full <= 6, "a full verification allocated {full} times");
    // A hit reads the claims again from the cached payload (what they keep), without the signature.
    assert!(hit <= full, "a cache hit allocated {hit} times");
    // Claims shared with the cache: a hit is a lookup and an `Arc` clone.
    assert_eq!(shared, 0, "a shared-claims cache hit allocated {shared} times");
}

/// A v2 token with an organization and features: what only feeds the normalised claims (`fea`, the
/// organization's role, permission names and masks) is borrowed, not copied.
#[test]
fn organization_claims_allocate_only_what_the_claims_keep() {
    let mut payload = session();
    payload["fea"] = serde_json::json!("o:billing,o:reports,u:export");
    payload["o"] =
        serde_json::json!({"id": "org_1", "slg": "acme", "rol": "admin", "per": "manage,read", "fpm": "3,1"});
    let token = rs256(&header(), &payload);
    let uncached = verifier().token_cache(false);
    let bare_token = valid();
    let bare = count(|| {
        uncached.verify_session::<SessionClaims>(&bare_token).unwrap();
    });
    let with_org = count(|| {
        uncached.verify_session::<SessionClaims>(&token).unwrap();
    });
    let claims = uncached.verify_session::<SessionClaims>(&token).unwrap();
    let org = claims.organization.as_ref().unwrap();
    assert_eq!(org.permissions, ["org:billing:manage", "org:billing:read", "org:reports:manage"]);
    eprintln!("allocations: bare {bare}, with organization and features {with_org}");
    // Thirteen more: what the claims keep (the organization's id, slug and role, its permission list
    // and three permissions, two feature lists and three features) and the masks. Copying `fea`,
    // `rol`, `per` or `fpm` would add one each, and so would a list of the `o` object's keys.
    assert!(with_org <= bare + 13, "{with_org} allocations against {bare}");
}

#[test]
fn the_async_path_with_remote_keys_decodes_the_token_once() {
    let server = Server::start(Reply::Body(read("clerk/jwks/mock_jwks.json")));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let verifier =
        Verifier::new(RemoteJwks::new(server.url.clone())).issuer(ISSUER).now(NOW).token_cache(false);
    let token = valid();
    runtime.block_on(verify_session_async::<()>(&verifier, &token)).unwrap(); // loads the keys
    let sync = count(|| {
        verifier.verify_session::<SessionClaims>(&token).unwrap();
    });
    let after_fetch = count(|| {
        runtime.block_on(verify_session_async::<()>(&verifier, &token)).unwrap();
    });
    eprintln!("allocations: sync {sync}, async with the keys loaded {after_fetch}");
    // Decoding again would add the payload's buffer.
    assert_eq!(after_fetch, sync);
}

/// A cache hit with a remote key set also checks that the verifying key is still held: with no
/// allocation.
#[test]
fn a_cache_hit_with_remote_keys_allocates_nothing() {
    let server = Server::start(Reply::Body(read("clerk/jwks/mock_jwks.json")));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let verifier = Verifier::new(RemoteJwks::new(server.url.clone())).issuer(ISSUER).now(NOW);
    let token = valid();
    runtime.block_on(verify_session_async::<()>(&verifier, &token)).unwrap();
    let hit = count(|| {
        verifier.verify_session::<Arc<SessionClaims>>(&token).unwrap();
    });
    assert_eq!(hit, 0, "a remote-keys cache hit allocated {hit} times");
}
