//! Token buckets per source, in two generations so memory stays bounded.

use std::{collections::HashMap, time::Duration};

use tokio::time::Instant;

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Decision {
    /// Serve it now.
    Now,
    /// Serve it after this wait (a token was reserved).
    After(Duration),
    /// Answer 429: the wait would be this long.
    Reject(Duration),
}

/// Every source's bucket; see the module docs of `rate_limit`.
#[derive(Debug)]
pub(super) struct Buckets {
    rate: f64,
    burst: f64,
    max_delay: Duration,
    ttl: Duration,
    capacity: usize,
    current: HashMap<u64, Bucket>,
    previous: HashMap<u64, Bucket>,
    rotated_at: Option<Instant>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Buckets {
    /// Buckets of `burst` tokens refilled at `rate` tokens per second, for at most
    /// `capacity` sources.
    pub(super) fn new(rate: f64, burst: f64, capacity: usize) -> Buckets {
        // Traefik: 1 / (2 × rate), truncating the rate; 500ms below one per second.
        let max_delay = if rate < 1.0 {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(1) / (2 * (rate.min(f64::from(u32::MAX / 2)) as u32))
        };
        // A bucket idle this long is full again (even from its deepest debt), so
        // forgetting it changes nothing.
        let ttl = Duration::from_secs_f64((burst / rate).min(1e9)) + Duration::from_secs(1);
        Buckets {
            rate,
            burst,
            max_delay,
            ttl,
            capacity: capacity.max(2),
            current: HashMap::new(),
            previous: HashMap::new(),
            rotated_at: None,
        }
    }

    pub(super) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(2);
    }

    /// Sources with a bucket.
    pub(super) fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// Takes a token from `key`'s bucket at `now`.
    pub(super) fn take(&mut self, key: u64, now: Instant) -> Decision {
        self.expire(now);
        let bucket = match self.current.get_mut(&key) {
            Some(bucket) => bucket,
            None => {
                let found = self.previous.remove(&key);
                if self.current.len() >= self.capacity / 2 {
                    // A flood of new sources: drop the older generation early.
                    self.previous = std::mem::take(&mut self.current);
                    self.rotated_at = Some(now);
                }
                self.current.entry(key).or_insert(found.unwrap_or(Bucket {
                    tokens: self.burst,
                    last: now,
                }))
            }
        };
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.last = now;
        let left = bucket.tokens - 1.0;
        if left >= 0.0 {
            bucket.tokens = left;
            return Decision::Now;
        }
        let wait = Duration::from_secs_f64((-left / self.rate).min(1e9));
        if wait > self.max_delay {
            Decision::Reject(wait)
        } else {
            bucket.tokens = left;
            Decision::After(wait)
        }
    }

    /// Drops the generation whose buckets have all been idle for `ttl`.
    fn expire(&mut self, now: Instant) {
        let Some(rotated_at) = self.rotated_at else {
            self.rotated_at = Some(now);
            return;
        };
        let idle = now.saturating_duration_since(rotated_at);
        if idle >= self.ttl {
            self.previous = std::mem::take(&mut self.current);
            if idle >= self.ttl * 2 {
                self.previous.clear();
            }
            self.rotated_at = Some(now);
        }
    }
}
