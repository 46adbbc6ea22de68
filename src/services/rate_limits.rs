//! Rate limits, one word for two mechanisms: token buckets (the gateway's
//! calls and the token endpoint), in Redis when `DEVPORTAL_REDIS_URL` is set
//! (then the limit holds across all instances) and in memory otherwise (per
//! instance), and fixed windows counted in the database (sign-in, mails,
//! the PSD2 4-a-day rule), which every instance behind a load balancer
//! shares anyway.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::storage::shared_limits::SharedLimits;

/// Redis for the buckets (once connected), and whether it answered last time.
pub struct Shared {
    limits: std::sync::OnceLock<SharedLimits>,
    up: AtomicBool,
    in_use: prometheus::IntGauge,
}

impl Shared {
    /// Not connected yet: the instance's own buckets answer until it is.
    pub fn new(in_use: prometheus::IntGauge) -> Shared {
        in_use.set(0);
        Shared {
            limits: std::sync::OnceLock::new(),
            up: AtomicBool::new(false),
            in_use,
        }
    }

    /// Redis is connected (the connection manager reconnects by itself from now on).
    pub fn connected(&self, limits: SharedLimits) {
        if self.limits.set(limits).is_ok() {
            self.note(true, None);
        }
    }

    /// Whether the buckets are shared right now (Redis answered last time).
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn note(&self, up: bool, error: Option<&redis::RedisError>) {
        if self.up.swap(up, Ordering::Relaxed) != up {
            self.in_use.set(i64::from(up));
            match error {
                Some(e) => tracing::error!(
                    error = %e,
                    "Redis unreachable: rate limits fall back to this instance's own buckets"
                ),
                None => tracing::warn!("Redis answers again: rate limits are shared across instances"),
            }
        }
    }
}

/// One limit: shared in Redis when there is one (falling back to this
/// instance's buckets while it does not answer), else in memory.
pub struct Limiter {
    name: &'static str,
    rate: f64,
    burst: f64,
    local: TokenBuckets,
    shared: Option<std::sync::Arc<Shared>>,
    refused: prometheus::IntCounter,
}

impl Limiter {
    pub fn new(
        name: &'static str,
        rate: f64,
        burst: f64,
        shared: Option<std::sync::Arc<Shared>>,
        metrics: &crate::metrics::Metrics,
    ) -> Limiter {
        Limiter {
            name,
            rate,
            burst,
            local: TokenBuckets::new(rate, burst),
            shared,
            refused: metrics.throttled.with_label_values(&[name]),
        }
    }

    async fn ask(&self, key: &str, only_look: bool) -> Result<(), Duration> {
        if let Some((shared, limits)) = self.shared.as_ref().and_then(|s| s.limits.get().map(|l| (s, l))) {
            let bucket = format!("{}:{key}", self.name);
            match limits.take(&bucket, self.rate, self.burst, only_look).await {
                Ok(None) => {
                    shared.note(true, None);
                    return Ok(());
                }
                Ok(Some(wait)) => {
                    shared.note(true, None);
                    return Err(wait);
                }
                Err(e) => shared.note(false, Some(&e)),
            }
        }
        if only_look {
            self.local.check(key)
        } else {
            self.local.take(key)
        }
    }

    /// Takes one token for `key`, or says how long until one is there.
    pub async fn take(&self, key: &str) -> Result<(), Duration> {
        let r = self.ask(key, false).await;
        if r.is_err() {
            self.refused.inc();
        }
        r
    }

    /// Whether `key` has a token left, without taking it.
    pub async fn check(&self, key: &str) -> Result<(), Duration> {
        let r = self.ask(key, true).await;
        if r.is_err() {
            self.refused.inc();
        }
        r
    }
}

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
        // A known key is found without allocating it (the hot path).
        let (tokens, at) = match buckets.get_mut(key) {
            Some(b) => b,
            None => buckets.entry(key.to_string()).or_insert((self.burst, now)),
        };
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
