//! The redirect flow in the sandbox, as a TPP and a test customer go
//! through it: a consent or payment waits; the customer opens the bank's
//! authorize URL, identifies with (simulated) BankID, approves on the
//! consent page, and the TPP gets a code (with `state` and `iss`) that it
//! exchanges once, with PKCE, for tokens that read exactly what was
//! consented. Every RFC 6749 §4.1.2.1 error, before and after the redirect
//! URI is trusted, and every §5.2 error of the code grant.

use reqwest::Method;
use serde_json::json;

use crate::support::psu::{ANNA, ANNA_ACCOUNT, Customer, Pkce, REDIRECT, authorize, back_params, consent_body};
use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, PAYMENTS};
use crate::support::web_client::location;

#[tokio::test]
async fn a_test_customer_consents_and_the_code_reads_exactly_the_consented_account() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT, "http://localhost:8080/cb"])
        .await;
    let consent = tpp.ask_consent(consent_body(4)).await;

    let pkce = Pkce::new();
    let customer = Customer::new(&app.base);
    let page = customer
        .identify(&tpp.authorize_query(&format!("ais:{consent}"), &pkce), ANNA)
        .await;
    let res = customer.browser.get(&format!("{page}/consent")).await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains("form-action 'self' https://tpp.example;"),
        "the approval's redirect to the TPP is allowed: {csp}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("psd2_sandbox asks for your approval"), "{html}");
    assert!(
        html.contains("balances, transactions") && html.contains(ANNA_ACCOUNT),
        "{html}"
    );
    assert!(html.contains("up to 4 times a day"), "{html}");
    let res = customer.decide(&page, "approve", &[ANNA_ACCOUNT]).await;
    let back = back_params(&location(&res));
    assert_eq!(back["state"], "xyz-state");
    assert_eq!(back["iss"], app.base, "RFC 9207: the issuer on the response");

    let r = tpp.exchange(&back["code"], &pkce.verifier).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["scope"], format!("AIS:{consent}"));
    assert!(r.body["refresh_token"].is_string());
    let token = r.body["access_token"].as_str().unwrap();

    let r = tpp.get(&format!("{ACCOUNTS}/Accounts?withBalance=true"), token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let listed: Vec<&str> = r.body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bban"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [ANNA_ACCOUNT], "only the consented account");
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/transactions"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let client = tpp.client_token("accounts").await;
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{consent}/status"), &client).await;
    assert_eq!(r.body["consentStatus"], "valid");
    let r = tpp
        .call(
            Method::GET,
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers/x"),
            token,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, "SCOPE_INVALID"),
        "an AIS token is no payment token"
    );
}

#[tokio::test]
async fn a_customer_who_picks_accounts_limits_an_all_accounts_consent() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp
        .ask_consent(json!({
            "access": {"allPsd2": "allAccounts"},
            "recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4
        }))
        .await;
    // 198904153866 has two accounts; the customer shares one.
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), "198904153866", &["12345678919"]).await;
    let token = tpp.exchange(&code, &pkce.verifier).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!(r.body["accounts"].as_array().unwrap().len(), 1, "{}", r.body);
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/10000000001/transactions"), &token)
        .await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_INVALID"), "{}", r.body);

    // Picking nothing is no approval: the page says so and the request waits.
    let other = tpp.ask_consent(consent_body(1)).await;
    let customer = Customer::new(&app.base);
    let page = customer
        .identify(&tpp.authorize_query(&format!("AIS:{other}"), &Pkce::new()), ANNA)
        .await;
    let res = customer.decide(&page, "approve", &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Pick at least one account."));
}

#[tokio::test]
async fn an_untrusted_client_or_redirect_uri_gets_a_page_at_the_bank_and_never_a_redirect() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let pkce = Pkce::new();
    let good = tpp.authorize_query(&format!("AIS:{consent}"), &pkce);
    let customer = Customer::new(&app.base);
    for (what, query) in [
        ("unknown client", good.replace(&tpp.client_id, "nobody")),
        ("unregistered redirect", good.replace("callback", "elsewhere")),
        (
            "a redirect that only starts the same",
            good.replace("callback", "callback%2Fmore"),
        ),
        ("no redirect_uri", good.replace("redirect_uri=", "x=")),
    ] {
        let res = customer.open(&query).await;
        assert_eq!(res.status(), 400, "{what}");
        assert!(res.headers().get("location").is_none(), "{what}: no redirect");
        assert!(res.text().await.unwrap().contains("cannot be accepted"), "{what}");
    }
}

#[tokio::test]
async fn every_other_authorization_error_goes_back_with_its_code_the_state_and_iss() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let bos = bo.ask_consent(consent_body(4)).await;
    let pkce = Pkce::new();
    let good = tpp.authorize_query(&format!("AIS:{consent}"), &pkce);
    let customer = Customer::new(&app.base);
    for (query, error) in [
        (
            good.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (good.replace("response_type=code", ""), "invalid_request"),
        (
            good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (good.replace("code_challenge_method=S256", ""), "invalid_request"),
        (good.replace(&pkce.challenge, "short"), "invalid_request"),
        (good.replace(&format!("AIS%3A{consent}"), "accounts"), "invalid_scope"),
        (good.replace(&consent, &bos), "invalid_scope"),
    ] {
        let res = customer.open(&query).await;
        assert_eq!(res.status(), 303, "{query}");
        let back = back_params(&location(&res));
        assert_eq!(back["error"], error, "{query}: {back:?}");
        assert_eq!(
            (back["state"].as_str(), back["iss"].as_str()),
            ("xyz-state", app.base.as_str())
        );
        assert!(!back["error_description"].is_empty());
    }

    // The customer cancels at the bank, rejects the consent, or cancels in BankID.
    let res = customer.open(&good).await;
    let page = location(&res);
    let res = customer.browser.post_form(&format!("{page}/cancel"), &[]).await;
    assert_eq!(back_params(&location(&res))["error"], "access_denied");

    let page = customer.identify(&good, ANNA).await;
    let res = customer.decide(&page, "reject", &[]).await;
    assert_eq!(back_params(&location(&res))["error"], "access_denied");
    let client = tpp.client_token("accounts").await;
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{consent}/status"), &client).await;
    assert_eq!(r.body["consentStatus"], "rejected");
    let res = customer.open(&good).await;
    assert_eq!(
        back_params(&location(&res))["error"],
        "invalid_scope",
        "a rejected consent cannot be asked again"
    );

    let again = tpp.ask_consent(consent_body(4)).await;
    let query = tpp.authorize_query(&format!("AIS:{again}"), &pkce);
    let page = location(&customer.open(&query).await);
    let html = customer.browser.get_html(&page).await;
    let token = crate::support::web_client::attr_after(&html, "bankid:///?autostarttoken=").unwrap();
    let order = customer.phone_autostart(&token).await;
    customer
        .phone(&format!("/bankid-simulator/api/orders/{order}/cancel"), json!({}))
        .await;
    let res = customer.browser.get(&page).await;
    let back = back_params(&location(&res));
    assert_eq!(back["error"], "access_denied");
    assert!(back["error_description"].contains("Cancelled"), "{back:?}");

    // A BankID order nobody scans ends after 30 s of QR code.
    let last = tpp.ask_consent(consent_body(4)).await;
    let page = location(&customer.open(&tpp.authorize_query(&format!("AIS:{last}"), &pkce)).await);
    app.clock.advance(time::Duration::seconds(31));
    let back = back_params(&location(&customer.browser.get(&page).await));
    assert_eq!(back["error"], "access_denied");
    // Another browser cannot follow someone else's request.
    assert_eq!(Customer::new(&app.base).browser.get(&page).await.status(), 404);
}

#[tokio::test]
async fn the_code_grant_answers_each_rfc_6749_error_and_a_replayed_code_revokes_its_tokens() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let id = tpp.client_id.clone();
    let secret = tpp.client_secret.clone();
    let base = |extra: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
        let mut f = vec![
            ("grant_type".to_string(), "authorization_code".to_string()),
            ("client_id".into(), id.clone()),
            ("client_secret".into(), secret.clone()),
        ];
        f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f
    };
    let with = |mut f: Vec<(String, String)>, k: &str, v: &str| {
        f.push((k.to_string(), v.to_string()));
        f
    };
    let full = with(
        with(with(base(&[]), "code", &code), "redirect_uri", REDIRECT),
        "code_verifier",
        &pkce.verifier,
    );
    let without = |name: &str| full.iter().filter(|(k, _)| k != name).cloned().collect::<Vec<_>>();
    let replaced = |name: &str, value: &str| with(without(name), name, value);
    let wrong_verifier = Pkce::new().verifier;
    for (fields, status, error) in [
        (without("code"), 400, "invalid_request"),
        (without("redirect_uri"), 400, "invalid_request"),
        (without("code_verifier"), 400, "invalid_request"),
        (replaced("code", "not-a-code"), 400, "invalid_grant"),
        (
            replaced("redirect_uri", "https://tpp.example/other"),
            400,
            "invalid_grant",
        ),
        (replaced("code_verifier", &wrong_verifier), 400, "invalid_grant"),
        (replaced("code_verifier", "too-short"), 400, "invalid_grant"),
        (replaced("client_secret", "wrong"), 401, "invalid_client"),
    ] {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = tpp.token_request(&pairs).await;
        assert_eq!((r.status, r.code()), (status, error), "{pairs:?}: {}", r.body);
    }
    // Another client with the code learns nothing.
    let r = bo
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("client_id", &bo.client_id),
            ("client_secret", &bo.client_secret),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_eq!((r.status, r.code()), (400, "invalid_grant"));

    let r = tpp.exchange(&code, &pkce.verifier).await;
    assert_eq!(r.status, 200, "the failed attempts did not spend the code: {}", r.body);
    let token = r.body["access_token"].as_str().unwrap().to_string();
    let refresh = r.body["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await.status, 200);

    let r = tpp.exchange(&code, &pkce.verifier).await;
    assert_eq!((r.status, r.code()), (400, "invalid_grant"), "single use");
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), &token).await;
    assert_eq!(
        (r.status, r.code()),
        (401, "TOKEN_EXPIRED"),
        "a replay revokes what the code gave"
    );
    assert_eq!(tpp.refresh(&refresh).await.code(), "invalid_grant");

    // A code lives 60 seconds.
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    app.clock.advance(time::Duration::seconds(61));
    let r = tpp.exchange(&code, &pkce.verifier).await;
    assert_eq!((r.status, r.code()), (400, "invalid_grant"), "{}", r.body);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_whole_family() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let first = tpp.exchange(&code, &pkce.verifier).await.body;
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = tpp.refresh(r1).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let r2 = second.body["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2, "rotated");
    assert_eq!(second.body["scope"], format!("AIS:{consent}"));
    let t2 = second.body["access_token"].as_str().unwrap();
    assert_eq!(tpp.get(&format!("{ACCOUNTS}/Accounts"), t2).await.status, 200);

    let r = tpp
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", &tpp.client_id),
            ("client_secret", &tpp.client_secret),
            ("refresh_token", r2),
            ("scope", "AIS:another"),
        ])
        .await;
    assert_eq!(r.code(), "invalid_scope", "a refresh keeps its scope");

    // r1 again: someone has a copy. Everything of this authorization ends.
    let r = tpp.refresh(r1).await;
    assert_eq!((r.status, r.code()), (400, "invalid_grant"));
    assert_eq!(
        tpp.refresh(r2).await.code(),
        "invalid_grant",
        "the newest refresh token too"
    );
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), t2).await;
    assert_eq!((r.status, r.code()), (401, "TOKEN_EXPIRED"));
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts"), first["access_token"].as_str().unwrap())
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(tpp.refresh("never-issued").await.code(), "invalid_grant");

    // The other §5.2 answers of the refresh grant.
    let r = tpp
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", &tpp.client_id),
            ("client_secret", &tpp.client_secret),
        ])
        .await;
    assert_eq!((r.status, r.code()), (400, "invalid_request"), "no refresh_token");
    let r = tpp
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", &tpp.client_id),
            ("client_secret", "wrong"),
            ("refresh_token", r2),
        ])
        .await;
    assert_eq!((r.status, r.code()), (401, "invalid_client"));
    let bo = app.tpp("bo@example.se", &["accounts-sandbox"]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let fresh = tpp.exchange(&code, &pkce.verifier).await.body;
    assert_eq!(
        bo.refresh(fresh["refresh_token"].as_str().unwrap()).await.code(),
        "invalid_grant",
        "another client's refresh token"
    );
    assert_eq!(
        tpp.refresh(fresh["refresh_token"].as_str().unwrap()).await.status,
        200,
        "which it did not spend"
    );
}

#[tokio::test]
async fn consent_expiry_termination_and_frequency_answer_as_berlin_group_says() {
    let app = spawn_app().await;
    // Half an hour before midnight (UTC): the consent below ends tonight.
    app.start_of_window(86_400);
    app.clock.advance(time::Duration::minutes(23 * 60 + 30));
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let until = app.clock_date_minus(0);
    let consent = tpp
        .ask_consent(json!({
            "access": {"balances": [{"bban": ANNA_ACCOUNT}]},
            "recurringIndicator": true, "validUntil": until, "frequencyPerDay": 2
        }))
        .await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let granted = tpp.exchange(&code, &pkce.verifier).await.body;
    let token = granted["access_token"].as_str().unwrap();
    let balances = format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances");

    // frequencyPerDay 2: two reads without the customer, the third waits;
    // with the customer present (PSU-IP-Address) there is no limit.
    for _ in 0..2 {
        let r = tpp.call_with(Method::GET, &balances, token, None, &[]).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = tpp.call_with(Method::GET, &balances, token, None, &[]).await;
    assert_eq!((r.status, r.code()), (429, "ACCESS_EXCEEDED"), "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("2 times a day"));
    assert_eq!(tpp.get(&balances, token).await.status, 200);
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/transactions"), token)
        .await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_INVALID"), "balances only");

    // Past validUntil (the token itself still has half an hour): expired,
    // and the refresh token with it.
    app.clock.advance(time::Duration::minutes(31));
    let r = tpp.get(&balances, token).await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_EXPIRED"), "{}", r.body);
    assert_eq!(
        tpp.refresh(granted["refresh_token"].as_str().unwrap()).await.code(),
        "invalid_grant"
    );

    // Terminated by the TPP: invalid at once.
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let token = tpp.exchange(&code, &pkce.verifier).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(tpp.get(&balances, &token).await.status, 200);
    let client = tpp.client_token("accounts").await;
    let r = tpp
        .call(Method::DELETE, &format!("{ACCOUNTS}/consents/{consent}"), &client, None)
        .await;
    assert_eq!(r.status, 204);
    let r = tpp.get(&balances, &token).await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_INVALID"));
    assert!(r.body["message"].as_str().unwrap().contains("terminatedByTpp"));
}

#[tokio::test]
async fn a_customer_authorizes_a_waiting_payment_and_the_pis_token_acts_on_it_alone() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("anna@example.se", &["payments-sandbox", "accounts-sandbox"])
        .await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    // 196311210063: a transfer between their own accounts settles at once.
    let order = json!({
        "instructedAmount": {"amount": "120.50", "currency": "SEK"},
        "debtorAccount": {"bban": "19283764502"},
        "creditorAccount": {"bban": "19283764510"},
        "creditorName": "Own savings"
    });
    let payment = tpp.waiting_payment(order.clone()).await;
    let other = tpp.waiting_payment(order.clone()).await;
    // The balance as the portal holds it in memory before the customer decides.
    let reader = tpp.token("196311210063").await;
    let balance = async || {
        let r = tpp
            .get(&format!("{ACCOUNTS}/Accounts/19283764502/balances"), &reader)
            .await;
        r.body["balances"][0]["balanceAmount"]["amount"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let before = balance().await;

    let pkce = Pkce::new();
    let customer = Customer::new(&app.base);
    let page = customer
        .identify(&tpp.authorize_query(&format!("PIS:{payment}"), &pkce), "196311210063")
        .await;
    let html = customer.browser.get_html(&format!("{page}/consent")).await;
    assert!(html.contains("120.50 SEK") && html.contains("19283764502"), "{html}");
    let res = customer.decide(&page, "approve", &[]).await;
    assert_eq!(
        balance().await,
        before - 120.50,
        "the settled transfer shows at once, not when a cached balance expires"
    );
    let back = back_params(&location(&res));
    let r = tpp.exchange(&back["code"], &pkce.verifier).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["expires_in"], 900, "payment tokens live 15 minutes");
    assert!(r.body["refresh_token"].is_null(), "and are not refreshed");
    let token = r.body["access_token"].as_str().unwrap();

    let r = tpp
        .get(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers/{payment}/status"),
            token,
        )
        .await;
    assert_eq!(
        (r.status, r.body["transactionStatus"].as_str()),
        (200, Some("ACSC")),
        "{}",
        r.body
    );
    let r = tpp
        .get(
            &format!("{PAYMENTS}/Payments/SepaCreditTransfers/{other}/status"),
            token,
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "SCOPE_INVALID"));
    let r = tpp
        .post(&format!("{PAYMENTS}/Payments/SepaCreditTransfers"), token, order)
        .await;
    assert_eq!((r.status, r.code()), (403, "SCOPE_INVALID"), "no new payments with it");
    let r = tpp.get(&format!("{ACCOUNTS}/Accounts"), token).await;
    assert_eq!((r.status, r.code()), (403, "SCOPE_INVALID"));
}

#[tokio::test]
async fn pushed_requests_are_accepted_in_the_sandbox_once_and_advertised() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let pkce = Pkce::new();
    let query = tpp.authorize_query(&format!("AIS:{consent}"), &pkce);
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    fields.push(("client_secret".into(), tpp.client_secret.clone()));
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/oauth2/par", app.base))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let pushed: serde_json::Value = res.json().await.unwrap();
    let request_uri = pushed["request_uri"].as_str().unwrap();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert_eq!(pushed["expires_in"], 90);

    let wrong: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == "client_secret" {
                    "wrong".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let res = http
        .post(format!("{}/oauth2/par", app.base))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "PAR authenticates the client");

    let by_reference = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &tpp.client_id)
        .append_pair("request_uri", request_uri)
        .finish();
    let customer = Customer::new(&app.base);
    let page = customer.identify(&by_reference, ANNA).await;
    let res = customer.decide(&page, "approve", &[ANNA_ACCOUNT]).await;
    let back = back_params(&location(&res));
    assert_eq!(back["state"], "xyz-state", "the pushed state comes back");
    assert_eq!(tpp.exchange(&back["code"], &pkce.verifier).await.status, 200);
    let res = customer.open(&by_reference).await;
    assert_eq!(
        back_params(&location(&res))["error"],
        "invalid_request_uri",
        "used once"
    );

    let meta: serde_json::Value = reqwest::get(format!("{}/.well-known/oauth-authorization-server", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["authorization_endpoint"], format!("{}/oauth2/authorize", app.base));
    assert_eq!(
        meta["pushed_authorization_request_endpoint"],
        format!("{}/oauth2/par", app.base)
    );
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
}
