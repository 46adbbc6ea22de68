//! Two portal processes behind one (imagined) load balancer, on one
//! PostgreSQL database: a revocation on one reaches the other at once
//! (LISTEN/NOTIFY, and the token endpoint asks the database), the rate
//! limit holds across both with Redis and per instance without, and the
//! usage chart counts the calls both served. They need PostgreSQL (and
//! Redis for the shared limit):
//! `DEVPORTAL_TEST_DATABASE_URL=postgres://… [DEVPORTAL_TEST_REDIS_URL=redis://…] cargo test -- --ignored two_instances`

use std::time::{Duration, Instant};

use crate::support::instances::{Instance, signed_up, start};
use crate::support::psu::ANNA;
use crate::support::tpp::ACCOUNTS;
use crate::support::web_client::{Browser, between};
use crate::support::{DbGuard, test_database};

const BURST: usize = 10;

/// Two instances on a fresh PostgreSQL database; with Redis when `redis`.
async fn two(redis: bool) -> (Instance, Instance, (DbGuard, String)) {
    let (url, guard) = test_database().await;
    assert!(
        url.starts_with("postgres"),
        "two instances share a PostgreSQL database: set DEVPORTAL_TEST_DATABASE_URL"
    );
    let mut settings = vec![
        ("DEVPORTAL_DATABASE_URL", url.clone()),
        (
            "DEVPORTAL_SECRET_KEY",
            "c2VhbGluZyBrZXkgZm9yIHRoZSB0ZXN0cyAzMiBieXQ=".to_string(),
        ),
        // Long: a revocation must not wait for the cache to expire.
        ("DEVPORTAL_ACCESS_CACHE_SECONDS", "300".to_string()),
        ("DEVPORTAL_SANDBOX_BURST", BURST.to_string()),
        ("DEVPORTAL_SANDBOX_RATE", "0.001".to_string()),
    ];
    if redis {
        let url = std::env::var("DEVPORTAL_TEST_REDIS_URL")
            .expect("the shared rate limit needs Redis: set DEVPORTAL_TEST_REDIS_URL=redis://127.0.0.1:6379");
        settings.push(("DEVPORTAL_REDIS_URL", url));
    }
    let a = start(&settings).await;
    let b = start(&settings).await;
    (a, b, (guard, url))
}

/// Ends the instances' LISTEN connections to this test's database; how many.
async fn cut_listeners(database_url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(database_url).await.unwrap();
    sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

struct Keys {
    application_id: String,
    client_id: String,
    client_secret: String,
    dev: Browser,
}

/// A developer on `a` with an application subscribed to Accounts (Sandbox) and keys.
async fn keys_on(a: &Instance) -> Keys {
    let dev = Browser::new(&a.base);
    signed_up(&dev, "anna@example.se").await;
    let application_id = dev.create_application("psd2_sandbox").await;
    dev.subscribe(&application_id, "accounts-sandbox").await;
    let (client_id, client_secret) = dev.generate_keys(&application_id).await;
    Keys {
        application_id,
        client_id,
        client_secret,
        dev,
    }
}

async fn token(base: &str, k: &Keys) -> (u16, serde_json::Value) {
    token_for(base, k, ANNA).await
}

/// A client credentials token request for the customer `ssn`.
async fn token_for(base: &str, k: &Keys, ssn: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", k.client_id.as_str()),
            ("client_secret", k.client_secret.as_str()),
            ("scope", &format!("psd2_sandbox:{ssn}")),
        ])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A sandbox call as a TPP makes it: the token, a fresh X-Request-ID, the customer present.
fn sandbox(method: reqwest::Method, url: String, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .header("X-Request-ID", uuid::Uuid::new_v4().to_string())
        .header("PSU-IP-Address", "192.0.2.10")
}

async fn accounts(base: &str, token: &str) -> u16 {
    sandbox(reqwest::Method::GET, format!("{base}{ACCOUNTS}/Accounts"), token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo test -- --ignored two_instances"]
async fn two_instances_a_revocation_on_one_reaches_the_other_within_a_second() {
    let (a, b, _db) = two(false).await;
    let k = keys_on(&a).await;
    let (status, granted) = token(&b.base, &k).await;
    assert_eq!(status, 200, "{granted}");
    let t = granted["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        accounts(&b.base, &t).await,
        200,
        "B knows the token (and caches it for 300 s)"
    );

    let res = k
        .dev
        .post_form(&format!("/applications/{}/sandbox-keys/revoke", k.application_id), &[])
        .await;
    assert_eq!(res.status(), 303);
    let revoked = Instant::now();
    let (status, refused) = token(&b.base, &k).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (401, Some("invalid_client")),
        "B issues nothing for revoked keys, whatever its cache says"
    );
    let mut refused_after = None;
    while revoked.elapsed() < Duration::from_secs(5) {
        if accounts(&b.base, &t).await == 401 {
            refused_after = Some(revoked.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let after = refused_after.expect("B refuses the old token");
    println!(
        "two instances: B refused the revoked token {} ms after A's revocation",
        after.as_millis()
    );
    assert!(after < Duration::from_secs(1), "{after:?}");

    // The listeners lose their connections (a database failover, say): they
    // reconnect and forget their caches, so the next revocation still counts.
    let (new_id, new_secret) = k.dev.generate_keys(&k.application_id).await;
    let k = Keys {
        client_id: new_id,
        client_secret: new_secret,
        ..k
    };
    let t = token(&b.base, &k).await.1["access_token"].as_str().unwrap().to_string();
    assert_eq!(accounts(&b.base, &t).await, 200);
    let terminated = cut_listeners(&_db.1).await;
    assert_eq!(terminated, 2, "both instances' listeners");
    tokio::time::sleep(Duration::from_millis(300)).await;
    k.dev
        .post_form(&format!("/applications/{}/sandbox-keys/revoke", k.application_id), &[])
        .await;
    let revoked = Instant::now();
    while accounts(&b.base, &t).await == 200 {
        assert!(
            revoked.elapsed() < Duration::from_secs(1),
            "B still serves the revoked token"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "two instances, after the listeners reconnected: refused {} ms after the revocation",
        revoked.elapsed().as_millis()
    );
}

/// Calls alternate between A and B: how many were served (not 429).
async fn alternate(a: &Instance, b: &Instance, k: &Keys, calls: usize) -> usize {
    let (_, ga) = token(&a.base, k).await;
    let t = ga["access_token"].as_str().unwrap().to_string();
    let mut served = 0;
    for i in 0..calls {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        if accounts(base, &t).await == 200 {
            served += 1;
        }
    }
    served
}

/// What the application's page says of its calls, once both instances
/// have written their counters (every 5 s).
async fn charted_calls(k: &Keys, expected: usize) -> usize {
    let mut calls = 0;
    for _ in 0..60 {
        let html = k.dev.get_html(&format!("/applications/{}", k.application_id)).await;
        calls = between(&html, "<strong>", "</strong> calls")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if calls >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    calls
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: cargo test -- --ignored two_instances"]
async fn two_instances_share_the_rate_limit_through_redis_and_the_chart_counts_both() {
    let (a, b, _db) = two(true).await;
    let k = keys_on(&a).await;
    let served = alternate(&a, &b, &k, 4 * BURST).await;
    println!(
        "two instances with Redis: {served} of {} calls served (burst {BURST})",
        4 * BURST
    );
    assert!(
        (BURST..=BURST + 1).contains(&served),
        "the limit holds across both: {served}"
    );
    assert_eq!(
        charted_calls(&k, 4 * BURST).await,
        4 * BURST,
        "calls both served, refusals included"
    );
    let ready = reqwest::get(format!("{}/readyz", b.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ready.ends_with("rate limits: shared (Redis)"), "{ready}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo test -- --ignored two_instances"]
async fn two_instances_without_redis_limit_each_on_its_own() {
    let (a, b, _db) = two(false).await;
    let k = keys_on(&a).await;
    let served = alternate(&a, &b, &k, 4 * BURST).await;
    println!(
        "two instances without Redis: {served} of {} calls served (burst {BURST} each)",
        4 * BURST
    );
    assert!(
        (2 * BURST..=2 * BURST + 2).contains(&served),
        "each instance its own burst: {served}"
    );
    assert_eq!(charted_calls(&k, 4 * BURST).await, 4 * BURST);
}

/// An account's booked balance as `base` answers it, with a token for the customer.
async fn balance(base: &str, token: &str, account: &str) -> String {
    let url = format!("{base}{ACCOUNTS}/Accounts/{account}/balances");
    let body: serde_json::Value = sandbox(reqwest::Method::GET, url, token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["balances"][0]["balanceAmount"]["amount"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo test -- --ignored two_instances"]
async fn two_instances_a_transfer_on_one_shows_in_the_others_balances_at_once() {
    let (a, b, _db) = two(false).await;
    let k = keys_on(&a).await;
    k.dev.subscribe(&k.application_id, "payments-sandbox").await;
    // 196311210063 moves money between their own accounts: settled at once.
    let ssn = "196311210063";
    let (from, to) = ("19283764502", "19283764510");
    let (status, issued) = token_for(&a.base, &k, ssn).await;
    assert_eq!(status, 200, "{issued}");
    let t = issued["access_token"].as_str().unwrap().to_string();
    let documented = balance(&b.base, &t, from).await;

    let url = format!("{}/sandbox/payments/1.0.0/Payments/SepaCreditTransfers", a.base);
    let paid = sandbox(reqwest::Method::POST, url, &t)
        .json(
            &serde_json::json!({"instructedAmount": {"currency": "SEK", "amount": "250.00"},
            "debtorAccount": {"bban": from}, "creditorAccount": {"bban": to}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 201, "{}", paid.text().await.unwrap());
    let settled = Instant::now();
    let expected = format!("{:.2}", documented.parse::<f64>().unwrap() - 250.0);
    // B built the customer before the transfer and keeps it for 300 s; A's
    // notification makes it build again. (Few polls: the burst is 10 calls.)
    let mut seen = documented.clone();
    for _ in 0..7 {
        seen = balance(&b.base, &t, from).await;
        if seen == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, expected, "B shows the transfer A settled");
    println!(
        "two instances: B showed A's transfer {} ms after it settled",
        settled.elapsed().as_millis()
    );
}
