//! Allocations per verification: a regression guard for the hot path (the bounds are today's counts
//! plus a small margin; lower them as the path gets leaner).

mod support;

use clerk_claims_runtime::Verifier;
use clerk_claims_runtime::keys::RemoteJwks;
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
        uncached.verify_session::<()>(&token).unwrap();
    });
    let cached = verifier();
    let hit = count(|| {
        cached.verify_session::<()>(&token).unwrap();
    });
    let shared = count(|| {
        cached.verify_session_shared::<()>(&token).unwrap();
    });
    eprintln!("allocations: full verification {full}, cache hit {hit}, shared claims hit {shared}");
    assert!(full <= 15, "a full verification allocated {full} times");
    assert!(hit <= 7, "a cache hit allocated {hit} times");
    assert!(hit < full);
    // Claims shared with the cache: a hit is a lookup and an `Arc` clone.
    assert_eq!(shared, 0, "a shared-claims cache hit allocated {shared} times");
}

#[test]
fn the_async_path_with_remote_keys_decodes_the_token_once() {
    let server = Server::start(Reply::Body(read("clerk/jwks/mock_jwks.json")));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let verifier =
        Verifier::new(RemoteJwks::new(server.url.clone())).issuer(ISSUER).now(NOW).token_cache(false);
    let token = valid();
    runtime.block_on(verifier.verify_session_async::<()>(&token)).unwrap(); // loads the keys
    let sync = count(|| {
        verifier.verify_session::<()>(&token).unwrap();
    });
    let after_fetch = count(|| {
        runtime.block_on(verifier.verify_session_async::<()>(&token)).unwrap();
    });
    eprintln!("allocations: sync {sync}, async with the keys loaded {after_fetch}");
    // Decoding again would add the segments' buffers and the header's strings.
    assert_eq!(after_fetch, sync);
}
