//! What an operator sees: `/metrics` on its own listener (scraped and
//! parsed), never on the public one; JSON logs, one object per line with
//! the request id, route, status, latency and account id (the real binary,
//! its real stdout); `/readyz` says how the rate limits stand.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::psu::ANNA;
use crate::support::tpp::ACCOUNTS;
use crate::support::{Mail, spawn_app_configured};

/// Prometheus text as `name{labels}` → value (comments skipped).
pub fn parse_metrics(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn metrics_are_scraped_on_their_own_listener_with_routes_tokens_limits_and_the_outbox() {
    let app = spawn_app_configured(Mail::Smtp, |c| {
        c.ops.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        c.gateway.sandbox_burst = 2.0;
        c.gateway.sandbox_rate = 0.01;
    })
    .await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token(ANNA).await;
    let r = tpp
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &tpp.client_id),
            ("client_secret", "wrong"),
            ("scope", "psd2_sandbox:195505063676"),
        ])
        .await;
    assert_eq!(r.status, 401);
    for _ in 0..3 {
        tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    }
    assert_eq!(
        reqwest::get(format!("{}/metrics", app.base)).await.unwrap().status(),
        404,
        "never on the public listener"
    );

    let metrics_base = app.metrics_base.clone().unwrap();
    let res = reqwest::get(format!("{metrics_base}/metrics")).await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    let m = parse_metrics(&text);
    let get = |k: &str| m.get(k).copied().unwrap_or_else(|| panic!("no {k} in\n{text}"));
    assert_eq!(
        get(r#"devportal_http_requests_total{method="GET",route="/sandbox/accounts/1.0.0/Accounts",status="200"}"#),
        2.0
    );
    assert_eq!(
        get(r#"devportal_http_requests_total{method="GET",route="/sandbox/accounts/1.0.0/Accounts",status="429"}"#),
        1.0
    );
    assert_eq!(
        get(r#"devportal_http_requests_total{method="POST",route="/applications/{id}/sandbox-keys",status="303"}"#),
        1.0,
        "by template, not by id"
    );
    assert_eq!(
        get(r#"devportal_http_request_duration_seconds_count{route="/oauth2/token"}"#),
        2.0
    );
    assert_eq!(get(r#"devportal_tokens_issued_total{grant="client_credentials"}"#), 1.0);
    assert_eq!(get(r#"devportal_tokens_refused_total{reason="invalid_client"}"#), 1.0);
    assert_eq!(get(r#"devportal_throttled_total{limit="sandbox"}"#), 1.0);
    assert!(get(r#"devportal_access_cache_total{result="hit"}"#) >= 1.0);
    assert!(get(r#"devportal_access_cache_total{result="miss"}"#) >= 1.0);
    assert!(get("devportal_outbox_pending") >= 0.0);
    assert!(text.contains("devportal_outbox_oldest_pending_seconds "));
    assert!(get(r#"devportal_db_connections{state="idle"}"#) >= 0.0);
    assert_eq!(get("devportal_shared_rate_limits"), 0.0, "no Redis configured");
    assert!(text.contains("devportal_mail_send_failures_total 0"));

    let ready = app.get("/readyz").await.text().await.unwrap();
    assert_eq!(ready, "ready\nrate limits: per instance (no Redis configured)");
}

/// The real binary with `DEVPORTAL_LOG_FORMAT=json`: every line is one JSON
/// object; a page request's line carries its request id, route, status,
/// latency and the signed-in account's id, never the e-mail address.
const SECRET: &str = "bG9nIHRlc3Qgc2VhbGluZyBrZXkgb2YgMzIgYnl0ZSE=";

#[tokio::test]
async fn json_logs_carry_the_request_id_route_status_latency_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .env(
            "DEVPORTAL_DATABASE_URL",
            format!("sqlite://{}/d.db", dir.path().display()),
        )
        .env("DEVPORTAL_BIND", format!("127.0.0.1:{port}"))
        .env("DEVPORTAL_TLS_BIND", "off")
        .env("DEVPORTAL_DATA_DIR", dir.path())
        .env("DEVPORTAL_LOG_FORMAT", "json")
        .env("DEVPORTAL_LOG", "info")
        .env("DEVPORTAL_SECRET_KEY", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Killed and reaped however the test ends.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Reap(child);
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let browser = crate::support::Browser::new(&base);
    let mut up = false;
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the binary started");
    // An account, signed in, reading its applications.
    let email = "logs@example.se";
    crate::support::instances::signed_up(&browser, email).await;
    let res = browser.get("/applications/new").await;
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_string();

    let mut found = None;
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while found.is_none() && std::time::Instant::now() < deadline {
        let Ok(line) = lines.recv_timeout(std::time::Duration::from_millis(200)) else {
            continue;
        };
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        assert!(!line.contains(email), "never an e-mail address: {line}");
        assert!(!line.contains(SECRET), "never a secret: {line}");
        if v["span"]["request_id"] == request_id.as_str() && v["fields"]["status"].is_number() {
            found = Some(v);
        }
        seen.push(line);
    }
    let v = found.unwrap_or_else(|| panic!("no response line for {request_id}:\n{}", seen.join("\n")));
    assert_eq!(v["span"]["route"], "/applications/new");
    assert_eq!(v["fields"]["status"], 200);
    assert!(v["fields"]["latency"].is_string(), "{v}");
    assert!(v["span"]["account_id"].is_number(), "{v}");
}

/// Redis configured but not answering: the instance starts, serves with
/// its own buckets, and says so in `/readyz` (and the log); it never refuses
/// traffic for want of Redis.
#[tokio::test]
async fn without_an_answering_redis_the_limits_fall_back_to_the_instance_and_readyz_says_so() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = spawn_app_configured(Mail::Smtp, move |c| {
        c.ops.redis_url = Some(format!("redis://{closed}"));
        c.gateway.sandbox_burst = 2.0;
        c.gateway.sandbox_rate = 0.01;
    })
    .await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.text().await.unwrap(),
        "ready\nrate limits: per instance (Redis unreachable; falling back)"
    );
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token(ANNA).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await.status);
    }
    assert_eq!(statuses, [200, 200, 429], "the instance's own burst of 2 still holds");
}
