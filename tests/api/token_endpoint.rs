use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};

use crate::support::tpp::ACCOUNTS;
use crate::support::{Mail, spawn_app, spawn_app_configured};

#[tokio::test]
async fn the_token_endpoint_answers_exactly_as_the_banks_and_is_not_cached() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    // The scope is answered as asked (libraries refuse a "changed" scope);
    // the customer behind every spelling is the same.
    for (given, answered) in [
        ("195505063676", "psd2_sandbox:195505063676"),
        ("550506-3676", "psd2_sandbox:550506-3676"),
        ("5505063676", "psd2_sandbox:5505063676"),
        ("19550506-3676", "psd2_sandbox:19550506-3676"),
    ] {
        let scope = format!("psd2_sandbox:{given}");
        let r = tpp
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &tpp.client_id),
                ("client_secret", &tpp.client_secret),
                ("scope", &scope),
            ])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.headers["cache-control"], "no-store");
        let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["access_token", "expires_in", "scope", "token_type"]);
        assert_eq!(r.body["scope"], answered);
        assert_eq!(r.body["token_type"], "bearer");
        assert_eq!(r.body["expires_in"], 3600);
        assert!(r.body["access_token"].as_str().unwrap().len() >= 43, "256 bits");
    }
}

#[tokio::test]
async fn a_token_stored_by_its_plain_hash_before_the_order_digits_still_works_after_an_upgrade() {
    use devportal::domain::secret::{access_token_key, hash_secret};
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let accounts = format!("{ACCOUNTS}/Accounts");
    assert_eq!(tpp.get(&accounts, &token).await.status, 200);
    // The row as an earlier release stored it: a 43-character token, keyed by its hash alone.
    let legacy = "q".repeat(43);
    app.exec(&format!(
        "UPDATE oauth_tokens SET token_hash = '{}' WHERE token_hash = '{}'",
        hash_secret(&legacy),
        access_token_key(&token)
    ))
    .await;
    assert_eq!(tpp.get(&accounts, &legacy).await.status, 200);
    // Revocation (RFC 7009) finds it by the same key.
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", app.base))
        .basic_auth(&tpp.client_id, Some(&tpp.client_secret))
        .form(&[("token", legacy.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(tpp.get(&accounts, &legacy).await.status, 401);
}

#[tokio::test]
async fn the_client_may_authenticate_with_http_basic() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.base))
        .basic_auth(&tpp.client_id, Some(&tpp.client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "psd2_sandbox:195505063676"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_rfc_6749_error_is_json_with_its_code_and_status() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let (id, secret) = (tpp.client_id.as_str(), tpp.client_secret.as_str());
    let good = "psd2_sandbox:195505063676";
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("client_id", id), ("client_secret", secret), ("scope", good)],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", good),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![("grant_type", "password"), ("client_id", id), ("client_secret", secret)],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![("grant_type", "client_credentials"), ("scope", good)],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", "wrong"),
                ("scope", good),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", secret),
                ("scope", good),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "accounts payments"),
            ],
            400,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "psd2_sandbox:195505063677"),
            ],
            400,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "psd2_sandbox:"),
            ],
            400,
            "invalid_scope",
        ),
    ];
    for (fields, status, code) in cases {
        let r = tpp.token_request(&fields).await;
        assert_eq!(
            (r.status, r.body["error"].as_str().unwrap_or("")),
            (status, code),
            "{fields:?}"
        );
        assert!(r.body["error_description"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(r.headers["cache-control"], "no-store");
        if status == 401 {
            // The secret came in the body: no Basic challenge (RFC 6749 §5.2).
            assert!(!r.headers.contains_key("www-authenticate"));
        }
    }
    let json = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.base))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    assert_eq!(
        json.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_request"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM oauth_tokens").await,
        0,
        "no token for any of them"
    );
}

#[tokio::test]
async fn tokens_are_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM oauth_tokens WHERE token_hash = '{token}'"
        ))
        .await,
        0
    );
    let hash = devportal::domain::secret::access_token_key(&token);
    let sql = format!(
        "SELECT COUNT(*) FROM oauth_tokens WHERE token_hash = '{hash}' AND ssn = '195505063676' AND environment = 'sandbox'"
    );
    assert_eq!(app.count(&sql).await, 1);
}

#[tokio::test]
async fn the_token_endpoint_is_throttled_per_client() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", tpp.client_id.as_str()),
        ("client_secret", tpp.client_secret.as_str()),
        ("scope", "psd2_sandbox:195505063676"),
    ];
    let mut statuses = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..25 {
        statuses.push(tpp.token_request(&fields).await);
    }
    // The bucket refills 5 a second while the requests run (on a busy
    // machine that is a token or two).
    let refilled = (started.elapsed().as_secs_f64() * 5.0).ceil() as usize;
    let throttled = statuses
        .iter()
        .find(|r| r.status == 429)
        .expect("a 429 after the burst of 20");
    assert!(throttled.headers.contains_key("retry-after"));
    let issued = statuses.iter().filter(|r| r.status == 200).count();
    assert!(
        (20..=20 + refilled).contains(&issued),
        "the burst is 4 × 5 a second: {issued} issued, {refilled} refilled"
    );
}

#[tokio::test]
async fn a_strangers_wrong_secrets_do_not_lock_the_real_client_out() {
    let app = spawn_app_configured(Mail::Smtp, |c| c.trust_forwarded_for = true).await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let wrong = [
        ("grant_type", "client_credentials"),
        ("client_id", tpp.client_id.as_str()),
        ("client_secret", "guessed"),
    ];
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(tpp.token_request_from("203.0.113.9", &wrong).await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    // The stranger's address waits, even with the right secret…
    let right = [
        ("grant_type", "client_credentials"),
        ("client_id", tpp.client_id.as_str()),
        ("client_secret", tpp.client_secret.as_str()),
        ("scope", "psd2_sandbox:195505063676"),
    ];
    assert_eq!(tpp.token_request_from("203.0.113.9", &right).await.status, 429);
    // …the real client, elsewhere, does not.
    assert_eq!(tpp.token_request_from("198.51.100.7", &right).await.status, 200);

    // Unknown client ids are limited per address.
    let unknown = [
        ("grant_type", "client_credentials"),
        ("client_id", "no-such-client"),
        ("client_secret", "x"),
    ];
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(tpp.token_request_from("192.0.2.99", &unknown).await.status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(statuses[11], 429);
}

#[tokio::test]
async fn a_token_expires_after_an_hour() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await.status, 200);
    app.clock.advance(time::Duration::minutes(61));
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!((r.status, r.code()), (401, "TOKEN_EXPIRED"));
    assert_eq!(r.body["message"], "access token expired");
}

#[tokio::test]
async fn a_standard_oauth2_client_gets_a_token_and_reads_accounts_as_a_tpp_would() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let client = BasicClient::new(ClientId::new(tpp.client_id.clone()))
        .set_client_secret(ClientSecret::new(tpp.client_secret.clone()))
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", app.base)).unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("psd2_sandbox:195505063676".into()))
        .request_async(&http)
        .await
        .expect("the oauth2 crate accepts the response");
    assert_eq!(token.expires_in(), Some(std::time::Duration::from_secs(3600)));
    assert_eq!(token.scopes().unwrap()[0].as_str(), "psd2_sandbox:195505063676");

    let accounts: serde_json::Value = http
        .get(format!("{}{ACCOUNTS}/Accounts?withBalance=true", app.base))
        .bearer_auth(token.access_token().secret())
        .header("X-Request-ID", uuid::Uuid::new_v4().to_string())
        .header("PSU-IP-Address", "192.0.2.10")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["accounts"][0]["resourceId"], "12345678910");
}

#[tokio::test]
async fn a_client_that_used_basic_gets_the_challenge_and_discovery_names_the_endpoint() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.base))
        .basic_auth(&tpp.client_id, Some("wrong secret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "psd2_sandbox:195505063676"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()["www-authenticate"],
        "Basic realm=\"devportal\", error=\"invalid_client\""
    );

    let meta: serde_json::Value = reqwest::get(format!("{}/.well-known/oauth-authorization-server", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], app.base.as_str());
    assert_eq!(meta["token_endpoint"], format!("{}/oauth2/token", app.base));
    assert_eq!(
        meta["grant_types_supported"],
        serde_json::json!([
            "client_credentials",
            "authorization_code",
            "refresh_token",
            "urn:openid:params:grant-type:ciba"
        ])
    );
    assert!(
        meta["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("client_secret_post"))
    );
}

/// `DEVPORTAL_ACCESS_TOKEN_SECONDS` sets how long an access token lives.
#[tokio::test]
async fn the_access_token_lifetime_is_a_setting() {
    let app = spawn_app_configured(Mail::Smtp, |c| {
        c.gateway.access_token_lifetime = time::Duration::seconds(120);
    })
    .await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let r = tpp
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &tpp.client_id),
            ("client_secret", &tpp.client_secret),
            ("scope", "psd2_sandbox:195505063676"),
        ])
        .await;
    assert_eq!(r.body["expires_in"], 120, "{}", r.body);
    let token = r.body["access_token"].as_str().unwrap();
    assert_eq!(tpp.get(&format!("{ACCOUNTS}/Accounts"), token).await.status, 200);
    app.clock.advance(time::Duration::seconds(121));
    assert_eq!(
        tpp.get(&format!("{ACCOUNTS}/Accounts"), token).await.code(),
        "TOKEN_EXPIRED"
    );
}
