//! Rate limits, one word for two mechanisms: token buckets in memory (the
//! gateway's calls and the token endpoint, per instance) and fixed windows
//! counted in the database (sign-in, mails, the PSD2 4-a-day rule), which
//! every instance behind a load balancer shares.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Services;
use crate::storage::throttle;

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

    /// The tokens a bucket holds now, `at` being when it last held `tokens`.
    fn level(&self, tokens: f64, at: Instant, now: Instant) -> f64 {
        (tokens + now.duration_since(at).as_secs_f64() * self.rate).min(self.burst)
    }

    /// Enough for one call, or how long until there is.
    fn enough(&self, level: f64) -> Result<(), Duration> {
        if level >= 1.0 {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - level) / self.rate))
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (f64, Instant)>> {
        match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether `key` has a token left, without taking it.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        match self.lock().get(key) {
            Some(&(tokens, at)) => self.enough(self.level(tokens, at, Instant::now())),
            None => Ok(()),
        }
    }

    /// Takes one token for `key`, or says how long until one is there.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.lock();
        if buckets.len() > 100_000 {
            // Full buckets carry no information; forget them rather than grow.
            buckets.retain(|_, (tokens, at)| self.level(*tokens, *at, now) < self.burst);
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = self.level(*tokens, *at, now);
        *at = now;
        self.enough(*tokens)?;
        *tokens -= 1.0;
        Ok(())
    }
}

/// Too many hits: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// Counts a hit on `bucket`; refuses once more than `limit` hits fall in the
/// current fixed window of `window_secs`.
pub async fn hit(svc: &Services, bucket: &str, limit: i64, window_secs: i64) -> anyhow::Result<Result<(), RetryAfter>> {
    let (now, window_start) = window(svc, window_secs);
    let mut conn = svc.db.conn().await?;
    let hits = throttle::hit(conn.exec(), bucket, window_start).await?;
    Ok(judge(hits > limit, now, window_start, window_secs))
}

/// Like [`hit`] without counting one: whether `bucket` is already over `limit`
/// (for limits that count only failures).
pub async fn over(
    svc: &Services,
    bucket: &str,
    limit: i64,
    window_secs: i64,
) -> anyhow::Result<Result<(), RetryAfter>> {
    let (now, window_start) = window(svc, window_secs);
    let mut conn = svc.db.conn().await?;
    let hits = throttle::hits(conn.exec(), bucket, window_start).await?;
    Ok(judge(hits >= limit, now, window_start, window_secs))
}

fn window(svc: &Services, window_secs: i64) -> (i64, i64) {
    let now = svc.now().unix_timestamp();
    (now, now - now.rem_euclid(window_secs))
}

fn judge(over: bool, now: i64, window_start: i64, window_secs: i64) -> Result<(), RetryAfter> {
    if over {
        Err(RetryAfter((window_start + window_secs - now).max(1) as u64))
    } else {
        Ok(())
    }
}

/// A throttle key for something a person typed (an e-mail address, where
/// people also type passwords by mistake): its hash, never the text.
pub fn typed_key(typed: &str) -> String {
    crate::domain::secret::hash_secret(&typed.trim().to_lowercase())[..32].to_string()
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
}
