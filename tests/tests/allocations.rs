//! Allocations per verification: a regression guard for the hot path (the bounds are today's counts
//! plus a small margin; lower them as the path gets leaner).

mod support;

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
