//! The decoupled flow (OpenID CIBA poll mode with BankID): the TPP starts
//! the customer's BankID order, shows the QR code it fetches from the bank
//! each second, and polls the token endpoint, which answers each CIBA state
//! in turn; the customer scans and approves in the (simulated) app. Also
//! the simulator's own rules: only a current, genuine QR code opens an order.

use serde_json::{Value, json};

use crate::support::psu::{ANNA, ANNA_ACCOUNT, Customer, consent_body};
use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, Reply, Tpp};

const CIBA: &str = "urn:openid:params:grant-type:ciba";

async fn start(tpp: &Tpp, scope: &str, login_hint: &str) -> Reply {
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/bankid/authorize", tpp.base))
        .basic_auth(&tpp.client_id, Some(&tpp.client_secret))
        .form(&[("scope", scope), ("login_hint", login_hint)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    Reply {
        status,
        headers,
        body: res.json().await.unwrap(),
    }
}

async fn qr(tpp: &Tpp, auth_req_id: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/oauth2/bankid/{auth_req_id}/qr", tpp.base))
        .basic_auth(&tpp.client_id, Some(&tpp.client_secret))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn poll(tpp: &Tpp, auth_req_id: &str) -> Reply {
    tpp.token_request(&[
        ("grant_type", CIBA),
        ("client_id", &tpp.client_id),
        ("client_secret", &tpp.client_secret),
        ("auth_req_id", auth_req_id),
    ])
    .await
}

#[tokio::test]
async fn the_tpp_shows_the_qr_code_polls_and_gets_tokens_once_the_customer_approves() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let started = start(&tpp, &format!("AIS:{consent}"), "").await;
    assert_eq!(started.status, 200, "{}", started.body);
    let id = started.body["auth_req_id"].as_str().unwrap().to_string();
    assert_eq!(
        (started.body["expires_in"].as_i64(), started.body["interval"].as_i64()),
        (Some(180), Some(2))
    );
    assert!(started.body["autoStartToken"].is_string());
    assert!(
        started.body["simulation"]
            .as_str()
            .unwrap()
            .contains("Simulated BankID")
    );

    let r = poll(&tpp, &id).await;
    assert_eq!((r.status, r.code()), (400, "authorization_pending"), "{}", r.body);
    let r = poll(&tpp, &id).await;
    assert_eq!(r.code(), "slow_down", "polled again at once");

    let shown = qr(&tpp, &id).await;
    let data = shown["qrData"].as_str().unwrap();
    assert!(data.starts_with("bankid.") && data.split('.').count() == 4, "{data}");
    assert!(shown["qrSvg"].as_str().unwrap().contains("<svg"));
    assert_eq!(shown["hintCode"], "outstandingTransaction");

    let customer = Customer::new(&app.base);
    let scanned = customer
        .phone("/bankid-simulator/api/scan", json!({"qrData": data}))
        .await;
    let order = scanned["orderRef"]
        .as_str()
        .expect("the scan opened the order")
        .to_string();
    assert_eq!(qr(&tpp, &id).await["hintCode"], "userSign");

    // Another application cannot see or collect this request.
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    assert_eq!(poll(&bo, &id).await.code(), "invalid_grant");

    let approved = customer.phone_approve(&order, ANNA).await;
    assert_eq!(approved["completionData"]["user"]["personalNumber"], ANNA);
    app.clock.advance(time::Duration::seconds(3));
    let r = poll(&tpp, &id).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["scope"], format!("AIS:{consent}"));
    let token = r.body["access_token"].as_str().unwrap();
    let r2 = tpp
        .get(&format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances"), token)
        .await;
    assert_eq!(r2.status, 200, "{}", r2.body);
    app.clock.advance(time::Duration::seconds(3));
    assert_eq!(
        poll(&tpp, &id).await.code(),
        "invalid_grant",
        "tokens are collected once"
    );
}

#[tokio::test]
async fn a_rejection_is_access_denied_and_nobody_is_expired_token() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let customer = Customer::new(&app.base);

    let consent = tpp.ask_consent(consent_body(4)).await;
    let started = start(&tpp, &format!("AIS:{consent}"), ANNA).await;
    let id = started.body["auth_req_id"].as_str().unwrap();
    let order = customer
        .phone_autostart(started.body["autoStartToken"].as_str().unwrap())
        .await;
    let wrong = customer
        .phone(
            &format!("/bankid-simulator/api/orders/{order}/approve"),
            json!({"personalNumber": "197301175209"}),
        )
        .await;
    assert_eq!(
        wrong["error"], "BANKID_REFUSED",
        "login_hint names the customer: {wrong}"
    );
    let refused = customer
        .phone(
            &format!("/bankid-simulator/api/orders/{order}/approve"),
            json!({"personalNumber": ANNA, "decision": "reject"}),
        )
        .await;
    assert_eq!(refused["status"], "complete", "{refused}");
    let r = poll(&tpp, id).await;
    assert_eq!((r.status, r.code()), (403, "access_denied"), "{}", r.body);
    let client = tpp.client_token("accounts").await;
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{consent}/status"), &client).await;
    assert_eq!(r.body["consentStatus"], "rejected");

    let consent = tpp.ask_consent(consent_body(4)).await;
    let started = start(&tpp, &format!("AIS:{consent}"), "").await;
    let id = started.body["auth_req_id"].as_str().unwrap();
    app.clock.advance(time::Duration::seconds(181));
    let r = poll(&tpp, id).await;
    assert_eq!((r.status, r.code()), (400, "expired_token"), "{}", r.body);

    let r = start(&tpp, "AIS:unknown", "").await;
    assert_eq!((r.status, r.code()), (400, "invalid_scope"));
    let r = start(&tpp, &format!("AIS:{consent}"), "19550506367").await;
    assert_eq!(
        (r.status, r.code()),
        (400, "invalid_request"),
        "a login_hint that is no personnummer"
    );
    let r = poll(&tpp, "nothing").await;
    assert_eq!(r.code(), "invalid_grant");
}

#[tokio::test]
async fn the_simulator_opens_an_order_only_with_a_current_genuine_qr_code() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let started = start(&tpp, &format!("AIS:{consent}"), "").await;
    let id = started.body["auth_req_id"].as_str().unwrap();
    let customer = Customer::new(&app.base);

    let first = qr(&tpp, id).await["qrData"].as_str().unwrap().to_string();
    let last = if first.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &first[..first.len() - 1]);
    let r = customer
        .phone("/bankid-simulator/api/scan", json!({"qrData": forged}))
        .await;
    assert_eq!(r["error"], "BANKID_REFUSED", "{r}");
    app.clock.advance(time::Duration::seconds(5));
    let r = customer
        .phone("/bankid-simulator/api/scan", json!({"qrData": first}))
        .await;
    assert_eq!(r["error"], "BANKID_REFUSED", "five seconds old: {r}");
    assert!(r["message"].as_str().unwrap().contains("old"));
    let now = qr(&tpp, id).await["qrData"].as_str().unwrap().to_string();
    assert_ne!(now, first, "the code changes as time passes");
    let r = customer
        .phone("/bankid-simulator/api/scan", json!({"qrData": now}))
        .await;
    assert!(r["orderRef"].is_string(), "{r}");
    assert!(r["simulation"].is_string());

    let listed: Value = reqwest::get(format!("{}/bankid-simulator/api/orders", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let orders = listed["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{listed}");
    assert_eq!(orders[0]["hintCode"], "userSign");
    assert!(orders[0]["userVisibleData"].as_str().unwrap().contains("psd2_sandbox"));
}

#[tokio::test]
async fn with_bankid_off_there_is_no_simulator_and_authorization_is_unavailable() {
    let app = crate::support::spawn_app_configured(crate::support::Mail::Smtp, |c| {
        c.gateway.bankid_simulated = false;
    })
    .await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let r = start(&tpp, &format!("AIS:{consent}"), "").await;
    assert_eq!((r.status, r.code()), (503, "temporarily_unavailable"), "{}", r.body);
    let res = reqwest::get(format!("{}/bankid-simulator/api/orders", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(app.new_browser().get("/bankid-simulator").await.status(), 404);
}
