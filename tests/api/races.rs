//! Two operations on the same thing at the same moment, many times over:
//! whatever order the database settles them in, what the developer is shown
//! must be true. (Before these were fixed, a regenerate that lost to a revoke
//! showed a secret for keys that no longer existed, and two cancels of one
//! payment both answered 200.)

use serde_json::json;

use crate::support::tpp::PAYMENTS;
use crate::support::{Api, Mail, spawn_app, spawn_app_configured};

const ROUNDS: usize = 15;

/// A token request with these credentials; the token when it is granted.
async fn token_for(base: String, client_id: String, secret: String) -> Option<String> {
    let res = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "psd2_sandbox:195505063676"),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    body["access_token"].as_str().map(str::to_string)
}

/// Whether these credentials get a token.
async fn secret_works(base: &str, client_id: &str, secret: &str) -> bool {
    token_for(base.into(), client_id.into(), secret.into()).await.is_some()
}

async fn new_application_with_keys(api: &Api, name: &str) -> (String, String, String) {
    let (status, created) = api.post("/api/v1/applications", json!({ "name": name })).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, keys) = api
        .post(&format!("/api/v1/applications/{id}/sandbox-keys"), json!({}))
        .await;
    assert_eq!(status, 201, "{keys}");
    (
        id,
        keys["client_id"].as_str().unwrap().to_string(),
        keys["client_secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_regenerate_racing_a_revoke_never_shows_a_secret_for_keys_that_were_already_gone() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (mut regenerated_first, mut refused) = (0, 0);
    for round in 0..ROUNDS {
        let (id, _, _) = new_application_with_keys(&api, &format!("race_{round}")).await;
        let keys = format!("/api/v1/applications/{id}/sandbox-keys");
        let secret = format!("{keys}/secret");
        let (regen, revoke) = tokio::join!(api.post(&secret, json!({})), api.delete(&keys));
        // Nothing else revokes these keys: the revocation always succeeds.
        assert_eq!(revoke.0, 204, "round {round}: {}", revoke.1);
        let rows: Vec<_> = app
            .audit_rows()
            .await
            .into_iter()
            .filter(|r| r.target_id == id)
            .map(|r| r.event)
            .collect();
        match regen.0 {
            // Shown a secret: it was the application's secret until the revocation
            // that came after it, and the log says so in that order.
            200 => {
                regenerated_first += 1;
                assert_eq!(
                    rows,
                    ["keys.generated", "keys.secret_regenerated", "keys.revoked"],
                    "round {round}"
                );
            }
            // Told there are no keys: no secret, and no audit row claiming one.
            409 => {
                refused += 1;
                assert_eq!(regen.1["error"], "no_keys", "round {round}");
                assert_eq!(rows, ["keys.generated", "keys.revoked"], "round {round}");
            }
            other => panic!("round {round}: regenerate answered {other}: {}", regen.1),
        }
        assert_eq!(api.get(&keys).await.0, 404, "round {round}: the keys are gone");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM oauth_tokens WHERE application_id = '{id}'"
            ))
            .await,
            0
        );
    }
    println!("regenerate before revoke: {regenerated_first}, after: {refused}");
}

#[tokio::test]
async fn of_two_concurrent_regenerates_exactly_one_secret_works() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    for round in 0..ROUNDS {
        let (id, client_id, first) = new_application_with_keys(&api, &format!("twice_{round}")).await;
        let secret = format!("/api/v1/applications/{id}/sandbox-keys/secret");
        let (a, b) = tokio::join!(api.post(&secret, json!({})), api.post(&secret, json!({})));
        assert_eq!((a.0, b.0), (200, 200), "round {round}: {} / {}", a.1, b.1);
        let shown = [
            a.1["client_secret"].as_str().unwrap(),
            b.1["client_secret"].as_str().unwrap(),
        ];
        assert_ne!(shown[0], shown[1]);
        let mut working = 0;
        for s in shown {
            if secret_works(&app.base, &client_id, s).await {
                working += 1;
            }
        }
        assert_eq!(working, 1, "round {round}: exactly one of the two shown secrets works");
        assert!(
            !secret_works(&app.base, &client_id, &first).await,
            "the original secret is dead"
        );
        assert_eq!(app.audited("keys.secret_regenerated").await.len(), 2 * (round + 1));
    }
}

#[tokio::test]
async fn of_two_concurrent_cancels_of_one_payment_exactly_one_succeeds() {
    // Four calls a round: more than the default burst allows an application.
    let app = spawn_app_configured(Mail::Smtp, |c| c.gateway.sandbox_burst = 1000.0).await;
    let tpp = app.tpp("anna@example.se", &["payments-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let sepa = format!("{PAYMENTS}/Payments/SepaCreditTransfers");
    let order = json!({
        "instructedAmount": {"currency": "SEK", "amount": "450.00"},
        "debtorAccount": {"bban": "12345678910"},
        "creditorName": "Elbolaget AB",
        "creditorBankgiro": "5050-1055",
        "ocr": "4711002345"
    });
    for round in 0..ROUNDS {
        let created = tpp.post(&sepa, &token, order.clone()).await;
        assert_eq!(
            (created.status, created.body["transactionStatus"].as_str()),
            (201, Some("RCVD"))
        );
        let payment = format!("{sepa}/{}", created.body["paymentId"].as_str().unwrap());
        let (a, b) = tokio::join!(
            tpp.call(reqwest::Method::DELETE, &payment, &token, None),
            tpp.call(reqwest::Method::DELETE, &payment, &token, None)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}: {} / {}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        assert_eq!(loser.code(), "CANCELLATION_INVALID");
        let status = tpp.get(&format!("{payment}/status"), &token).await;
        assert_eq!(status.body["transactionStatus"], "CANC");
    }
}

/// [`token_for`] in its own task.
fn token_task(set: &mut tokio::task::JoinSet<Option<String>>, base: &str, client_id: &str, secret: &str) {
    set.spawn(token_for(base.into(), client_id.into(), secret.into()));
}

#[tokio::test]
async fn tokens_issued_at_the_same_moment_are_all_stored_and_none_outlives_a_concurrent_regenerate() {
    // The token endpoint's own limit out of the way: this is about storing.
    let app = spawn_app_configured(Mail::Smtp, |c| c.gateway.token_rate = 100.0).await;
    let anna = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    let before = app.count("SELECT COUNT(*) FROM oauth_tokens").await;
    // Issued together (one batch or a few): every answer is a stored token.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..15 {
        token_task(&mut set, &app.base, &anna.client_id, &anna.client_secret);
        token_task(&mut set, &app.base, &bo.client_id, &bo.client_secret);
    }
    let issued: Vec<String> = set.join_all().await.into_iter().map(Option::unwrap).collect();
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_tokens").await, before + 30);
    for t in issued.iter().step_by(7) {
        let r = anna
            .get(&format!("{}/Accounts", crate::support::tpp::ACCOUNTS), t)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    // Bo's secret is replaced while tokens for it are being issued: whichever
    // way each lands, none of them works once the new secret is shown.
    // (Three rounds of three: refusals count towards the failure limit.)
    let mut secret = bo.client_secret.clone();
    for round in 0..3 {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..3 {
            token_task(&mut set, &app.base, &bo.client_id, &secret);
        }
        let (_, new_secret) = bo.browser.regenerate_secret(&bo.application_id).await;
        let raced: Vec<String> = set.join_all().await.into_iter().flatten().collect();
        for t in &raced {
            let r = bo.get(&format!("{}/Accounts", crate::support::tpp::ACCOUNTS), t).await;
            assert_eq!(
                r.status, 401,
                "round {round}: a token for the replaced secret still works"
            );
        }
        let r = bo
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &bo.client_id),
                ("client_secret", &new_secret),
                ("scope", "psd2_sandbox:195505063676"),
            ])
            .await;
        assert_eq!(r.status, 200, "round {round}: the new secret works at once: {}", r.body);
        secret = new_secret;
    }
}

#[tokio::test]
async fn a_secret_replaced_while_a_token_for_the_old_one_is_being_stored_waits_and_ends_that_token() {
    use devportal::domain::catalogue::Environment;
    use devportal::domain::secret::{SecretToken, access_token_key, hash_secret};
    use devportal::storage::access_tokens::{NewToken, insert_many};
    use std::time::{Duration, Instant};

    let app = spawn_app().await;
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    // The token endpoint's write for the old secret, caught between its
    // check of the keys and its commit.
    let token = SecretToken::generate_ordered();
    let key = access_token_key(token.expose());
    let old_secret = hash_secret(&bo.client_secret);
    let now = app.svc.now();
    let row = NewToken {
        token_hash: &key,
        application_id: &bo.application_id,
        environment: Environment::Sandbox,
        ssn: "195505063676",
        scope: None,
        bound_to: None,
        family: None,
        keys: Some((&bo.client_id, Some(&old_secret))),
    };
    let mut tx = app.svc.db.begin().await.unwrap();
    let stored = insert_many(tx.exec(), &[(row, now, now + time::Duration::hours(1))])
        .await
        .unwrap();
    assert_eq!(stored, [true], "the keys hold when it checks");

    let regenerate = async {
        let shown = bo.browser.regenerate_secret(&bo.application_id).await;
        (shown, Instant::now())
    };
    let commit = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let at = Instant::now();
        tx.commit().await.unwrap();
        at
    };
    let (((_, new_secret), replaced_at), committed_at) = tokio::join!(regenerate, commit);
    assert!(new_secret != bo.client_secret);
    assert!(
        replaced_at > committed_at,
        "the replacement waits for the token's transaction instead of missing its row"
    );
    let r = bo
        .get(&format!("{}/Accounts", crate::support::tpp::ACCOUNTS), token.expose())
        .await;
    assert_eq!(r.status, 401, "a token for the replaced secret still works: {}", r.body);
}
