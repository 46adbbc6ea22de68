//! A closed-loop load generator that speaks mutual TLS (wrk cannot present
//! a client certificate): CONNECTIONS tasks, each with its own connection,
//! send GET requests for DURATION_SECONDS and report requests per second, p50, p99
//! and the answers that were not 2xx. With MODE=handshake every request
//! opens a new TLS connection with the client certificate (handshakes per
//! second); with MODE=keepalive the connection is reused.
//!
//! Run by `bash benches/mtls.sh`, which starts the portal and sets it up.
//! Settings (environment): URL, TOKEN, CA (PEM file, optional), IDENTITY
//! (certificate and key PEM file, optional), CONNECTIONS (64), DURATION_SECONDS (10),
//! MODE (keepalive).

use std::time::{Duration, Instant};

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn client(ca: &Option<Vec<u8>>, identity: &Option<Vec<u8>>, reuse: bool) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder().use_rustls_tls();
    if let Some(pem) = ca {
        builder = builder
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(pem)?);
    }
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem)?);
    }
    if !reuse {
        builder = builder.pool_max_idle_per_host(0);
    }
    builder.build()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = setting("URL", "");
    let token = setting("TOKEN", "");
    let connections: usize = setting("CONNECTIONS", "64").parse()?;
    let seconds: u64 = setting("DURATION_SECONDS", "10").parse()?;
    let reuse = setting("MODE", "keepalive") != "handshake";
    let read = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|p| !p.is_empty())
            .map(std::fs::read)
            .transpose()
    };
    let (ca, identity) = (read("CA")?, read("IDENTITY")?);
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, token) = (url.clone(), token.clone());
        let http = client(&ca, &identity, reuse)?;
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failed) = (Vec::new(), 0u64);
            while Instant::now() < until {
                let started = Instant::now();
                let answer = http
                    .get(&url)
                    .bearer_auth(&token)
                    .header("x-request-id", "0b6a1f6e-8c1e-4d39-9b7f-2f4f7b9e6c11")
                    .header("psu-ip-address", "192.0.2.10")
                    .send()
                    .await;
                match answer {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let _ = res.bytes().await;
                        if !ok {
                            failed += 1;
                        }
                    }
                    Err(_) => failed += 1,
                }
                latencies.push(started.elapsed().as_micros() as u64);
            }
            (latencies, failed)
        }));
    }
    let (mut all, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (latencies, f) = task.await?;
        all.extend(latencies);
        failed += f;
    }
    all.sort_unstable();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
    };
    let ms = |us: Option<u64>| us.map(|u| u as f64 / 1000.0).unwrap_or(0.0);
    println!(
        "{:.0} | {:.2} ms | {:.2} ms | {}",
        all.len() as f64 / seconds as f64,
        ms(at(0.5)),
        ms(at(0.99)),
        failed
    );
    Ok(())
}
