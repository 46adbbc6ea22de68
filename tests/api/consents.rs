//! Client tokens in the sandbox (no customer yet): with `scope=accounts` a
//! TPP asks for a consent, reads it and its status, and ends it; the rules
//! (180 days, frequencyPerDay, one form of access) answer with Berlin
//! Group's codes; a consent is the application's own; a valid one expires
//! with its date. With `scope=payments` a payment waits for the customer.

use reqwest::Method;
use serde_json::json;

use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, PAYMENTS, Tpp};

async fn client_token(tpp: &Tpp) -> String {
    scoped_token(tpp, "accounts").await
}

/// A client token (no customer) with this scope.
async fn scoped_token(tpp: &Tpp, scope: &str) -> String {
    let r = tpp
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &tpp.client_id),
            ("client_secret", &tpp.client_secret),
            ("scope", scope),
        ])
        .await;
    assert_eq!((r.status, r.body["scope"].as_str()), (200, Some(scope)), "{}", r.body);
    r.body["access_token"].as_str().unwrap().to_string()
}

fn request(valid_until: &str, frequency: i64) -> serde_json::Value {
    json!({
        "access": {"balances": [{"bban": "12345678910"}], "transactions": [{"bban": "12345678910"}]},
        "recurringIndicator": true,
        "validUntil": valid_until,
        "frequencyPerDay": frequency
    })
}

#[tokio::test]
async fn a_client_token_asks_for_a_consent_reads_it_and_ends_it() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = client_token(&tpp).await;
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!(
        (r.status, r.code()),
        (401, "CONSENT_INVALID"),
        "a client token reads no account"
    );

    let r = tpp
        .post(&format!("{ACCOUNTS}/consents"), &token, request("9999-12-31", 4))
        .await;
    assert_eq!(
        (r.status, r.body["consentStatus"].as_str()),
        (201, Some("received")),
        "{}",
        r.body
    );
    let id = r.body["consentId"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["_links"]["scaOAuth"]["href"],
        format!("{}/.well-known/oauth-authorization-server", app.base)
    );
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{id}"), &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["access"]["balances"][0]["bban"], "12345678910");
    assert_eq!(
        r.body["validUntil"],
        app.clock_date_minus(-180),
        "9999-12-31 is as long as allowed: 180 days"
    );
    assert_eq!(r.body["frequencyPerDay"], 4);
    let status = format!("{ACCOUNTS}/consents/{id}/status");
    assert_eq!(tpp.get(&status, &token).await.body["consentStatus"], "received");

    let r = tpp
        .call(Method::DELETE, &format!("{ACCOUNTS}/consents/{id}"), &token, None)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(tpp.get(&status, &token).await.body["consentStatus"], "terminatedByTpp");
    let again = tpp
        .call(Method::DELETE, &format!("{ACCOUNTS}/consents/{id}"), &token, None)
        .await;
    assert_eq!(again.status, 204, "nothing more to end");
    assert_eq!(tpp.get(&status, &token).await.body["consentStatus"], "terminatedByTpp");

    // Another application does not see it.
    let other = app.tpp("sven@example.se", &["accounts-sandbox"]).await;
    let theirs = client_token(&other).await;
    let r = other.get(&format!("{ACCOUNTS}/consents/{id}"), &theirs).await;
    assert_eq!((r.status, r.code()), (404, "RESOURCE_UNKNOWN"));
}

#[tokio::test]
async fn a_consent_request_breaking_the_rules_is_refused_with_its_code_and_a_valid_one_expires() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = client_token(&tpp).await;
    let path = format!("{ACCOUNTS}/consents");
    let too_far = app.clock_date_minus(-181);
    for (body, code) in [
        (request(&too_far, 4), "TIMESTAMP_INVALID"),
        (request("9999-12-31", 5), "FORMAT_ERROR"),
        (request("tomorrow", 4), "FORMAT_ERROR"),
        (
            json!({"access": {}, "recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 1}),
            "FORMAT_ERROR",
        ),
        (
            json!({"access": {"allPsd2": "allAccounts"}, "recurringIndicator": false, "validUntil": "9999-12-31", "frequencyPerDay": 4}),
            "FORMAT_ERROR",
        ),
        (json!({"recurringIndicator": true}), "FORMAT_ERROR"),
    ] {
        let r = tpp.post(&path, &token, body.clone()).await;
        assert_eq!((r.status, r.code()), (400, code), "{body} → {}", r.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM consents").await, 0, "nothing stored");

    let today = app.clock_date_minus(0);
    let r = tpp.post(&path, &token, request(&today, 1)).await;
    let id = r.body["consentId"].as_str().unwrap().to_string();
    app.clock.advance(time::Duration::days(2));
    let token = client_token(&tpp).await;
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{id}/status"), &token).await;
    assert_eq!(r.body["consentStatus"], "expired", "past its validUntil");
}

#[tokio::test]
async fn a_payments_client_token_initiates_payments_that_wait_for_the_customer() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["accounts-sandbox", "payments-sandbox"])
        .await;
    let token = scoped_token(&tpp, "payments").await;
    // Received, whatever the order: the customer's rules apply when they authorise it.
    let transfer = json!({"instructedAmount": {"currency": "SEK", "amount": "10.00"},
                          "debtorAccount": {"bban": "12345678910"}, "creditorAccount": {"bban": "98765432101"}});
    let url = format!("{PAYMENTS}/Payments/SepaCreditTransfers");
    let r = tpp.post(&url, &token, transfer).await;
    assert_eq!(
        (r.status, r.body["transactionStatus"].as_str()),
        (201, Some("RCVD")),
        "{}",
        r.body
    );
    let payment = format!("{url}/{}", r.body["paymentId"].as_str().unwrap());
    assert_eq!(
        tpp.get(&format!("{payment}/status"), &token).await.body["transactionStatus"],
        "RCVD"
    );
    let r = tpp.call(Method::DELETE, &payment, &token, None).await;
    assert_eq!((r.status, r.body["transactionStatus"].as_str()), (200, Some("CANC")));

    // Each client token works only on the API its scope names.
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!((r.status, r.code()), (403, "SCOPE_INVALID"));
    let accounts_token = client_token(&tpp).await;
    let r = tpp.get(&format!("{payment}/status"), &accounts_token).await;
    assert_eq!((r.status, r.code()), (403, "SCOPE_INVALID"));
    // A customer's token does not see the client's payment: it is not theirs (yet).
    let customer = tpp.token("195505063676").await;
    assert_eq!(tpp.get(&format!("{payment}/status"), &customer).await.status, 404);
}
