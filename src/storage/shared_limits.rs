//! Rate limits every instance shares, in Redis: GCRA (the generic cell
//! rate algorithm) in one Lua script, so a take is one atomic round trip and
//! Redis's own clock decides. A key holds the bucket's "theoretical arrival
//! time" in milliseconds and expires when the bucket would be full again.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Takes one token: 0, or the milliseconds until one is there.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if now < tat - tolerance then return tat - tolerance - now end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now + 1000)
return 0
";

/// Whether a token is there, without taking it.
const PEEK: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if now < tat - tolerance then return tat - tolerance - now end
return 0
";

#[derive(Clone)]
pub struct SharedLimits {
    conn: ConnectionManager,
    take: redis::Script,
    peek: redis::Script,
}

impl SharedLimits {
    /// Connects (and keeps reconnecting in the background); a call waits at
    /// most `timeout` for Redis, then the caller falls back.
    pub async fn connect(url: &str, timeout: Duration) -> anyhow::Result<SharedLimits> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(timeout)
            .set_connection_timeout(timeout.max(Duration::from_millis(500)))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(SharedLimits {
            conn,
            take: redis::Script::new(TAKE),
            peek: redis::Script::new(PEEK),
        })
    }

    /// One token of `key` at `rate` a second with `burst` at once: Ok(None)
    /// when there was one, Ok(Some(wait)) when not; Err when Redis did not answer.
    pub async fn take(
        &self,
        key: &str,
        rate: f64,
        burst: f64,
        only_look: bool,
    ) -> redis::RedisResult<Option<Duration>> {
        let interval = (1000.0 / rate.max(0.001)).max(1.0);
        let tolerance = interval * (burst.max(1.0) - 1.0);
        let script = if only_look { &self.peek } else { &self.take };
        let mut conn = self.conn.clone();
        let wait_ms: i64 = script
            .key(format!("devportal:limit:{key}"))
            .arg(interval.round() as i64)
            .arg(tolerance.round() as i64)
            .invoke_async(&mut conn)
            .await?;
        Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms as u64)))
    }
}
