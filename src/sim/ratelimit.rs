//! Token-bucket rate limits as Kalshi applies them (kalshi-api.md §5.12): a Read and a
//! Write bucket per account, continuous refill, every request costing tokens (default 10).
//! Time is passed in, so tests control it.

use std::collections::HashMap;

/// One bucket's settings, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketLimit {
    /// Tokens added per second.
    pub refill_per_s: u32,
    /// Most tokens the bucket holds.
    pub capacity: u32,
}

/// A token bucket; tokens are kept in thousandths so sub-token refill is exact.
#[derive(Debug, Clone)]
pub struct Bucket {
    limit: BucketLimit,
    milli_tokens: u64,
    last_ms: i64,
}

impl Bucket {
    /// A full bucket at `now_ms`.
    pub fn new(limit: BucketLimit, now_ms: i64) -> Bucket {
        Bucket { limit, milli_tokens: u64::from(limit.capacity) * 1_000, last_ms: now_ms }
    }

    fn refill(&mut self, now_ms: i64) {
        let elapsed = u64::try_from(now_ms.saturating_sub(self.last_ms)).unwrap_or(0);
        let cap = u64::from(self.limit.capacity) * 1_000;
        self.milli_tokens = (self.milli_tokens + elapsed * u64::from(self.limit.refill_per_s)).min(cap);
        self.last_ms = self.last_ms.max(now_ms);
    }

    /// Takes `cost` tokens if the bucket holds them; false (nothing taken) otherwise.
    pub fn try_take(&mut self, cost: u32, now_ms: i64) -> bool {
        self.refill(now_ms);
        let need = u64::from(cost) * 1_000;
        if self.milli_tokens >= need {
            self.milli_tokens -= need;
            true
        } else {
            false
        }
    }

    /// Whole tokens available at `now_ms`.
    pub fn available(&mut self, now_ms: i64) -> u32 {
        self.refill(now_ms);
        u32::try_from(self.milli_tokens / 1_000).unwrap_or(u32::MAX)
    }
}

/// Which bucket a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketKind {
    /// GETs and everything not Write.
    Read,
    /// Order create, amend, decrease, cancel.
    Write,
}

/// Read and Write buckets for every account. Basic tier defaults: 200/200 read, 100/100 write.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    read: BucketLimit,
    write: BucketLimit,
    buckets: HashMap<(String, BucketKind), Bucket>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(
            BucketLimit { refill_per_s: 200, capacity: 200 },
            BucketLimit { refill_per_s: 100, capacity: 100 },
        )
    }
}

impl RateLimiter {
    /// Limits for every account.
    pub fn new(read: BucketLimit, write: BucketLimit) -> RateLimiter {
        RateLimiter { read, write, buckets: HashMap::new() }
    }

    /// The limits `GET /account/limits` reports.
    pub fn limits(&self) -> (BucketLimit, BucketLimit) {
        (self.read, self.write)
    }

    /// Charges `cost` tokens to `account`'s bucket; false means answer 429.
    pub fn try_take(&mut self, account: &str, kind: BucketKind, cost: u32, now_ms: i64) -> bool {
        let limit = match kind {
            BucketKind::Read => self.read,
            BucketKind::Write => self.write,
        };
        self.buckets
            .entry((account.to_owned(), kind))
            .or_insert_with(|| Bucket::new(limit, now_ms))
            .try_take(cost, now_ms)
    }
}

/// Token cost of a request (kalshi-api.md §5.12): V2 cancel 2, single order read 2, batch
/// create 10 per order, batch cancel 2 per order, everything else 10.
pub fn cost(method: &str, path: &str, batch_len: usize) -> u32 {
    let path = path.trim_end_matches('/');
    let batch = u32::try_from(batch_len.max(1)).unwrap_or(u32::MAX);
    if path.ends_with("/portfolio/events/orders/batched") {
        return if method == "DELETE" { 2 * batch } else { 10 * batch };
    }
    let single_order =
        path.contains("/portfolio/events/orders/") && !path.ends_with("/amend") && !path.ends_with("/decrease");
    if method == "DELETE" && single_order {
        return 2;
    }
    let order_read = path.contains("/portfolio/orders/") && !path.ends_with("/queue_position");
    if method == "GET" && order_read {
        return 2;
    }
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_continuously_up_to_capacity() {
        let mut b = Bucket::new(BucketLimit { refill_per_s: 100, capacity: 100 }, 0);
        for _ in 0..10 {
            assert!(b.try_take(10, 0));
        }
        assert!(!b.try_take(10, 0), "empty bucket refuses");
        assert!(!b.try_take(10, 99), "9.9 tokens are not 10");
        assert!(b.try_take(10, 100), "100 ms refill 10 tokens");
        assert_eq!(b.available(60_000), 100, "capped at capacity");
        assert!(!b.try_take(101, 60_000));
    }

    #[test]
    fn accounts_and_kinds_are_independent() {
        let mut r = RateLimiter::new(
            BucketLimit { refill_per_s: 10, capacity: 10 },
            BucketLimit { refill_per_s: 10, capacity: 20 },
        );
        assert!(r.try_take("a", BucketKind::Read, 10, 0));
        assert!(!r.try_take("a", BucketKind::Read, 10, 0));
        assert!(r.try_take("a", BucketKind::Write, 20, 0));
        assert!(r.try_take("b", BucketKind::Read, 10, 0));
        assert!(r.try_take("a", BucketKind::Read, 10, 1_000));
    }

    #[test]
    fn costs_follow_the_published_table() {
        assert_eq!(cost("POST", "/trade-api/v2/portfolio/events/orders", 1), 10);
        assert_eq!(cost("DELETE", "/trade-api/v2/portfolio/events/orders/abc", 1), 2);
        assert_eq!(cost("POST", "/trade-api/v2/portfolio/events/orders/abc/amend", 1), 10);
        assert_eq!(cost("GET", "/trade-api/v2/portfolio/orders/abc", 1), 2);
        assert_eq!(cost("POST", "/trade-api/v2/portfolio/events/orders/batched", 3), 30);
        assert_eq!(cost("DELETE", "/trade-api/v2/portfolio/events/orders/batched", 3), 6);
        assert_eq!(cost("GET", "/trade-api/v2/markets", 1), 10);
    }
}
