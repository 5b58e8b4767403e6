//! The verified-token cache: a browser sends the same session token with every request for about a
//! minute, so its verdict is kept, keyed by the exact token text, bounded in entries and bytes, and
//! `exp` is checked against the clock on every hit. One cache belongs to one verifier
//! configuration: changing any setting starts an empty one.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock};

const SHARDS: usize = 16;

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

struct Shard {
    map: HashMap<Box<str>, (Arc<[u8]>, i64)>,
    bytes: usize,
}

pub(crate) struct TokenCache {
    shards: Vec<RwLock<Shard>>,
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
        let shard = || RwLock::new(Shard { map: HashMap::new(), bytes: 0 });
        TokenCache { shards: (0..SHARDS).map(|_| shard()).collect(), hasher: RandomState::new(), limits }
    }

    fn shard(&self, token: &str) -> Option<&RwLock<Shard>> {
        let index = (self.hasher.hash_one(token) as usize) % SHARDS;
        self.shards.get(index)
    }

    /// The payload of `token` if it was verified and is still unexpired (`exp > now - skew`).
    pub(crate) fn get(&self, token: &str, now: i64, skew: i64) -> Option<Arc<[u8]>> {
        let shard = self.shard(token)?.read().ok()?;
        let (payload, exp) = shard.map.get(token)?;
        (*exp > now.saturating_sub(skew)).then(|| payload.clone())
    }

    /// Remembers a verified token. A full shard first drops expired entries, then, if still full,
    /// everything it holds: memory stays bounded without bookkeeping on the read path.
    pub(crate) fn insert(&self, token: &str, payload: Arc<[u8]>, exp: i64, now: i64, skew: i64) {
        let Some(lock) = self.shard(token) else { return };
        let Ok(mut shard) = lock.write() else { return };
        let size = token.len() + payload.len();
        let per_shard_entries = (self.limits.entries / SHARDS).max(1);
        let per_shard_bytes = (self.limits.bytes / SHARDS).max(1);
        if shard.map.len() >= per_shard_entries || shard.bytes + size > per_shard_bytes {
            shard.map.retain(|_, (_, e)| *e > now.saturating_sub(skew));
            shard.bytes = shard.map.iter().map(|(k, (p, _))| k.len() + p.len()).sum();
            if shard.map.len() >= per_shard_entries || shard.bytes + size > per_shard_bytes {
                shard.map.clear();
                shard.bytes = 0;
            }
        }
        if size <= per_shard_bytes && shard.map.insert(token.into(), (payload, exp)).is_none() {
            shard.bytes += size;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().filter_map(|s| s.read().ok().map(|s| s.map.len())).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_honour_exp_and_memory_stays_bounded() {
        let cache = TokenCache::new(Limits { entries: 64, bytes: 1 << 20 });
        cache.insert("t", Arc::from(&b"{}"[..]), 100, 50, 5);
        assert!(cache.get("t", 94, 5).is_some());
        assert!(cache.get("t", 105, 5).is_none(), "expired: exp <= now - skew");
        assert!(cache.get("other", 50, 5).is_none());
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), Arc::from(&b"{}"[..]), 1_000, 0, 5);
        }
        assert!(cache.len() <= 64, "{}", cache.len());
    }
}
