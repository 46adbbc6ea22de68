//! What an operator scrapes at `/metrics` (Prometheus text format, on its
//! own listener: `DEVPORTAL_METRICS_BIND`). One registry per running portal
//! (not a process-wide recorder), so several portals in one test process
//! each count their own.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    /// By route template (`/applications/{id}`), method and status.
    pub http_requests: IntCounterVec,
    /// Seconds, by route template.
    pub http_latency: HistogramVec,
    /// By grant type.
    pub tokens_issued: IntCounterVec,
    /// By OAuth error code (`invalid_client`, `invalid_grant`…).
    pub tokens_refused: IntCounterVec,
    /// 429s by limit (`sandbox`, `token_endpoint`, `token_failures`, `psd2_unattended`, `consent_frequency`).
    pub throttled: IntCounterVec,
    /// Mails the SMTP server refused or could not take (each attempt).
    pub mail_failures: IntCounter,
    /// Access cache lookups (`devportal_access_cache_total{result}`),
    /// resolved once: they count every API call.
    pub access_cache_hit: IntCounter,
    pub access_cache_miss: IntCounter,
    /// Changes other instances announced, and connections to hear them lost.
    pub invalidations: IntCounterVec,
    /// Set at scrape time.
    pub outbox_pending: IntGauge,
    pub outbox_oldest_pending_seconds: IntGauge,
    pub outbox_failed: IntGauge,
    /// Database connections by `state` (`in_use`, `idle`).
    pub db_connections: IntGaugeVec,
    /// Whether the shared (Redis) rate limiter is in use (1) or this instance fell back to its own (0).
    pub shared_rate_limits: IntGauge,
}

fn counter(r: &Registry, name: &str, help: &str, labels: &[&str]) -> anyhow::Result<IntCounterVec> {
    let c = IntCounterVec::new(Opts::new(name, help), labels)?;
    r.register(Box::new(c.clone()))?;
    Ok(c)
}

fn gauge(r: &Registry, name: &str, help: &str) -> anyhow::Result<IntGauge> {
    let g = IntGauge::new(name, help)?;
    r.register(Box::new(g.clone()))?;
    Ok(g)
}

impl Metrics {
    pub fn new() -> anyhow::Result<Metrics> {
        let r = Registry::new_custom(Some("devportal".into()), None)?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer a request, by route template",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["route"],
        )?;
        r.register(Box::new(http_latency.clone()))?;
        let mail_failures = IntCounter::new("mail_send_failures_total", "Mail delivery attempts that failed")?;
        r.register(Box::new(mail_failures.clone()))?;
        let db_connections = IntGaugeVec::new(
            Opts::new("db_connections", "Database pool connections by state"),
            &["state"],
        )?;
        r.register(Box::new(db_connections.clone()))?;
        let access_cache = counter(&r, "access_cache_total", "Access cache lookups, by result", &["result"])?;
        Ok(Metrics {
            access_cache_hit: access_cache.with_label_values(&["hit"]),
            access_cache_miss: access_cache.with_label_values(&["miss"]),
            http_requests: counter(
                &r,
                "http_requests_total",
                "Requests answered, by route template, method and status",
                &["route", "method", "status"],
            )?,
            http_latency,
            tokens_issued: counter(
                &r,
                "tokens_issued_total",
                "Access tokens issued, by grant type",
                &["grant"],
            )?,
            tokens_refused: counter(
                &r,
                "tokens_refused_total",
                "Token requests refused, by OAuth error",
                &["reason"],
            )?,
            throttled: counter(&r, "throttled_total", "Requests refused with 429, by limit", &["limit"])?,
            mail_failures,
            invalidations: counter(
                &r,
                "access_invalidations_total",
                "Access changes heard from other instances (kind=notified) and lost listener connections (kind=lost)",
                &["kind"],
            )?,
            outbox_pending: gauge(&r, "outbox_pending", "Mails waiting to be sent")?,
            outbox_oldest_pending_seconds: gauge(
                &r,
                "outbox_oldest_pending_seconds",
                "Age of the oldest mail waiting to be sent",
            )?,
            outbox_failed: gauge(&r, "outbox_failed", "Mails that failed for good")?,
            db_connections,
            shared_rate_limits: gauge(
                &r,
                "shared_rate_limits",
                "1 while the Redis rate limiter is in use, 0 on this instance's own buckets",
            )?,
            registry: r,
        })
    }

    /// The text an operator's Prometheus scrapes.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "rendering metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
