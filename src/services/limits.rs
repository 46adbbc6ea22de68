//! In-memory limits of the gateway: token buckets (per application, per
//! client) and the hourly call counters behind the usage chart. Counters are
//! kept per instance and flushed to the database every few seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket per key: `rate` tokens a second, at most `burst` saved up.
pub struct TokenBuckets {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl TokenBuckets {
    pub fn new(rate: f64, burst: f64) -> Self {
        TokenBuckets {
            rate: rate.max(0.001),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is there.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() > 100_000 {
            // Full buckets carry no information; forget them rather than grow.
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }
}

/// Calls and 429s per application and hour (unix hour), not yet written.
#[derive(Default)]
pub struct UsageCounter {
    pending: Mutex<HashMap<(String, i64), (i64, i64)>>,
}

impl UsageCounter {
    pub fn record(&self, application_id: &str, hour: i64, throttled: bool) {
        let mut p = match self.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        let e = p.entry((application_id.to_string(), hour)).or_insert((0, 0));
        e.0 += 1;
        e.1 += i64::from(throttled);
    }

    /// Takes what is pending, to be written.
    pub fn drain(&self) -> Vec<(String, i64, i64, i64)> {
        let mut p = match self.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        p.drain()
            .map(|((app, hour), (calls, throttled))| (app, hour, calls, throttled))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_the_burst_then_refuses_with_a_wait() {
        let b = TokenBuckets::new(10.0, 20.0);
        for _ in 0..20 {
            assert!(b.take("app").is_ok());
        }
        let wait = b.take("app").unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO);
        assert!(b.take("other").is_ok(), "buckets are per key");
    }

    #[test]
    fn usage_counts_calls_and_refusals_per_hour() {
        let u = UsageCounter::default();
        u.record("a", 1, false);
        u.record("a", 1, true);
        u.record("a", 2, false);
        let mut rows = u.drain();
        rows.sort();
        assert_eq!(rows, vec![("a".into(), 1, 2, 1), ("a".into(), 2, 1, 0)]);
        assert!(u.drain().is_empty());
    }
}
