//! The verified-token cache: a browser sends the same session token with every request for about a
//! minute, so its verdict is kept, keyed by the exact token text, bounded in entries and bytes. A
//! hit holds only while the token is unexpired (`exp`, checked against the clock on every hit),
//! the entry is younger than [`MAX_ENTRY_AGE`] (whatever `exp` says), and the key that verified
//! the token is still one the verifier would use (the caller's check: a remote key set may have
//! rotated it out or gone stale). One cache belongs to one verifier configuration: changing any
//! setting starts an empty one.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock};

use arc_swap::ArcSwap;

use crate::keys::Key;

/// Longest an entry stands, in seconds, whatever its `exp`: a token minted with a far-future `exp`
/// is verified again (signature and all) at least this often, and does not sit in memory for years.
pub(crate) const MAX_ENTRY_AGE: i64 = 300;

/// Shards: an insert copies one shard's index (up to `entries / SHARDS` tokens, shared, not
/// copied themselves), so more shards make inserts into a full cache cheaper.
const SHARDS: usize = 64;

/// Limits of the cache.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub entries: usize,
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { entries: 10_000, bytes: 32 * 1024 * 1024 }
    }
}

/// The claims of a cached token as one type, read once.
type Typed = (TypeId, Arc<dyn Any + Send + Sync>);

/// A verified token: its payload, `exp`, the key that verified it, when the entry stops standing,
/// and its claims as each type they were read as (a web layer reads them once as JSON for its guards
/// and once as the handler's claims type). Each type's slot is set once and then only read, without
/// a lock.
pub(crate) struct Entry {
    pub payload: Arc<[u8]>,
    exp: i64,
    /// `MAX_ENTRY_AGE` after it was verified.
    until: i64,
    pub key: Arc<Key>,
    typed: [OnceLock<Typed>; MAX_TYPES],
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("exp", &self.exp).finish_non_exhaustive()
    }
}

/// Types one token's claims are kept as, at most (more are read from the payload each time).
const MAX_TYPES: usize = 4;

impl Entry {
    /// An entry for a token verified at `now` under `key`.
    pub(crate) fn new(payload: Arc<[u8]>, exp: i64, key: Arc<Key>, now: i64) -> Arc<Entry> {
        let until = now.saturating_add(MAX_ENTRY_AGE);
        Arc::new(Entry { payload, exp, until, key, typed: Default::default() })
    }

    /// Whether the verdict stands at `now` as far as time goes: unexpired (`exp > now - skew`) and
    /// younger than [`MAX_ENTRY_AGE`].
    fn current(&self, now: i64, skew: i64) -> bool {
        self.exp > now.saturating_sub(skew) && now < self.until
    }

    /// The claims typed as `T`, if they were.
    pub(crate) fn typed<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let (_, value) =
            self.typed.iter().map_while(OnceLock::get).find(|(id, _)| *id == TypeId::of::<T>())?;
        value.clone().downcast::<T>().ok()
    }

    /// Keeps the claims typed as `T` in the first free slot, unless a slot has `T` already.
    pub(crate) fn set_typed<T: Any + Send + Sync>(&self, value: Arc<T>) {
        let id = TypeId::of::<T>();
        let mut typed: Typed = (id, value);
        for slot in &self.typed {
            if slot.get().is_none() {
                match slot.set(typed) {
                    Ok(()) => return,
                    // Another thread filled it first: see what it kept below.
                    Err(back) => typed = back,
                }
            }
            if slot.get().is_some_and(|(kept, _)| *kept == id) {
                return;
            }
        }
    }
}

/// The tokens whose tails hash alike, with their entries.
type Bucket = Vec<(Arc<str>, Arc<Entry>)>;

/// Tokens by the keyed hash of their [`signature_tail`] (already a hash: stored as is).
#[derive(Clone, Default)]
struct Tokens {
    map: HashMap<u64, Bucket, BuildHasherDefault<Prehashed>>,
    entries: usize,
    bytes: usize,
}

impl Tokens {
    fn recount(&mut self) {
        self.map.retain(|_, bucket| !bucket.is_empty());
        self.entries = self.map.values().map(Vec::len).sum();
        self.bytes = self.map.values().flatten().map(|(k, e)| k.len() + e.payload.len()).sum();
    }
}

/// One shard of the cache. Hits read a snapshot without taking a lock, so threads hitting at once
/// do not contend; an insert (once per token, next to a signature verification) copies the
/// snapshot, changes the copy and swaps it in, one writer at a time.
#[derive(Default)]
struct Shard {
    tokens: ArcSwap<Tokens>,
    writer: Mutex<()>,
}

/// A `Hasher` for keys that are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) struct TokenCache {
    shards: Vec<Shard>,
    hasher: RandomState,
    limits: Limits,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(limits: Limits) -> Self {
        TokenCache {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            hasher: RandomState::new(),
            limits,
        }
    }

    /// Whether it holds no verdict.
    pub(crate) fn is_empty(&self) -> bool {
        self.shards.iter().all(|shard| shard.tokens.load().map.is_empty())
    }

    /// The token's hash and its shard.
    fn shard(&self, token: &str) -> Option<(u64, &Shard)> {
        let hash = self.hasher.hash_one(signature_tail(token));
        Some((hash, self.shards.get((hash as usize) % SHARDS)?))
    }

    /// The entry of `token` if it was verified and still stands at `now`.
    #[cfg(test)]
    fn get(&self, token: &str, now: i64, skew: i64) -> Option<Arc<Entry>> {
        self.with(token, now, skew, |_| true, Arc::clone)
    }

    /// `f` of the entry of `token` if it was verified, still stands at `now` (unexpired, younger
    /// than [`MAX_ENTRY_AGE`]) and `key_holds` of the key that verified it; without taking a share
    /// of the entry (which threads hitting one token at once would contend on).
    pub(crate) fn with<R>(
        &self,
        token: &str,
        now: i64,
        skew: i64,
        key_holds: impl FnOnce(&Arc<Key>) -> bool,
        f: impl FnOnce(&Arc<Entry>) -> R,
    ) -> Option<R> {
        let (hash, shard) = self.shard(token)?;
        let tokens = shard.tokens.load();
        let (_, entry) = tokens.map.get(&hash)?.iter().find(|(k, _)| **k == *token)?;
        (entry.current(now, skew) && key_holds(&entry.key)).then(|| f(entry))
    }

    /// Remembers a verified token. A full shard first drops expired entries, then, if still full,
    /// everything it holds: memory stays bounded without bookkeeping on the read path.
    pub(crate) fn insert(&self, token: &str, entry: Arc<Entry>, now: i64, skew: i64) {
        let size = token.len() + entry.payload.len();
        let per_shard_entries = (self.limits.entries / SHARDS).max(1);
        let per_shard_bytes = (self.limits.bytes / SHARDS).max(1);
        if size > per_shard_bytes {
            return; // could never fit: leave the shard as it is
        }
        let Some((hash, shard)) = self.shard(token) else { return };
        let Ok(_writing) = shard.writer.lock() else { return };
        let mut tokens = Tokens::clone(&shard.tokens.load());
        if tokens.entries >= per_shard_entries || tokens.bytes + size > per_shard_bytes {
            for bucket in tokens.map.values_mut() {
                bucket.retain(|(_, e)| e.current(now, skew));
            }
            tokens.recount();
            if tokens.entries >= per_shard_entries || tokens.bytes + size > per_shard_bytes {
                tokens = Tokens::default();
            }
        }
        let bucket = tokens.map.entry(hash).or_default();
        match bucket.iter_mut().find(|(k, _)| **k == *token) {
            Some(slot) => slot.1 = entry,
            None => {
                bucket.push((token.into(), entry));
                tokens.entries += 1;
                tokens.bytes += size;
            }
        }
        shard.tokens.store(Arc::new(tokens));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.tokens.load().entries).sum()
    }
}

/// What the cache hashes: the token's last 64 bytes, inside its signature. Only verified tokens are
/// stored and distinct signed inputs have distinct signatures, so this spreads entries as well as
/// hashing the whole token (over a kilobyte) while costing a fraction; lookups still compare the
/// whole text.
fn signature_tail(token: &str) -> &[u8] {
    let bytes = token.as_bytes();
    bytes.get(bytes.len().saturating_sub(64)..).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Algorithm;

    fn key() -> Arc<Key> {
        Arc::new(Key::hmac(&[7; 32], Algorithm::HS256).unwrap())
    }

    fn entry(payload: &[u8], exp: i64) -> Arc<Entry> {
        Entry::new(Arc::from(payload), exp, key(), 0)
    }

    #[test]
    fn hits_honour_exp_and_memory_stays_bounded() {
        let cache = TokenCache::new(Limits { entries: 64, bytes: 1 << 20 });
        cache.insert("t", entry(b"{}", 100), 50, 5);
        assert!(cache.get("t", 94, 5).is_some());
        assert!(cache.get("t", 105, 5).is_none(), "expired: exp <= now - skew");
        assert!(cache.get("other", 50, 5).is_none());
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), entry(b"{}", 1_000), 0, 5);
        }
        assert!(cache.len() <= 64, "{}", cache.len());
    }

    #[test]
    fn an_entry_stands_for_at_most_its_maximum_age_and_while_its_key_holds() {
        let cache = TokenCache::new(Limits::default());
        cache.insert("far", entry(b"{}", i64::MAX), 0, 5);
        assert!(cache.get("far", MAX_ENTRY_AGE - 1, 5).is_some());
        assert!(cache.get("far", MAX_ENTRY_AGE, 5).is_none(), "a far-future exp does not keep it");
        assert!(cache.with("far", 1, 5, |_| false, |_| ()).is_none(), "the key no longer holds");
    }

    #[test]
    fn threads_inserting_and_hitting_at_once_see_only_their_own_entries() {
        let cache = TokenCache::new(Limits { entries: 128, bytes: 1 << 20 });
        std::thread::scope(|s| {
            for thread in 0..4 {
                let cache = &cache;
                s.spawn(move || {
                    for i in 0..2_000 {
                        let token = format!("{thread}-{}", i % 100);
                        match cache.get(&token, 0, 5) {
                            Some(entry) => {
                                assert_eq!(&*entry.payload, token.as_bytes());
                                entry.set_typed(Arc::new(token.clone()));
                                assert_eq!(entry.typed::<String>().as_deref(), Some(&token));
                            }
                            None => cache.insert(&token, entry(token.as_bytes(), 100), 0, 5),
                        }
                    }
                });
            }
        });
        assert!(cache.len() <= 128, "{}", cache.len());
    }

    #[test]
    fn each_type_is_kept_once_in_a_bounded_number_of_slots() {
        let entry = entry(b"{}", 100);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| entry.set_typed(Arc::new(1u8)));
            }
        });
        entry.set_typed(Arc::new(2u16));
        entry.set_typed(Arc::new(3u32));
        entry.set_typed(Arc::new(4u64));
        entry.set_typed(Arc::new(5u128));
        assert_eq!(entry.typed::<u8>().as_deref(), Some(&1));
        assert_eq!(entry.typed::<u64>().as_deref(), Some(&4), "four types fit: u8 was kept once");
        assert!(entry.typed::<u128>().is_none(), "a fifth is read from the payload each time");
    }

    #[test]
    fn tokens_sharing_a_tail_are_told_apart_and_typed_claims_are_kept() {
        let cache = TokenCache::new(Limits::default());
        let tail = "s".repeat(64);
        let (a, b) = (format!("a.{tail}"), format!("b.{tail}"));
        let entry = entry(b"{\"a\":1}", 100);
        cache.insert(&a, entry.clone(), 0, 5);
        assert!(cache.get(&b, 0, 5).is_none());
        cache.insert(&b, super::tests::entry(b"{\"b\":1}", 100), 0, 5);
        assert_eq!(&*cache.get(&a, 0, 5).unwrap().payload, b"{\"a\":1}");
        assert_eq!(&*cache.get(&b, 0, 5).unwrap().payload, b"{\"b\":1}");
        assert_eq!(cache.len(), 2);
        entry.set_typed(Arc::new(7u32));
        let hit = cache.get(&a, 0, 5).unwrap();
        assert_eq!(hit.typed::<u32>().as_deref(), Some(&7));
        assert!(hit.typed::<u64>().is_none(), "another type is not this one");
        hit.set_typed(Arc::new(9u64));
        assert_eq!((hit.typed::<u32>().as_deref(), hit.typed::<u64>().as_deref()), (Some(&7), Some(&9)));
    }
}
