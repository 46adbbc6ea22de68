//! The customer's own view (`/my-consents`, signed in with the simulated
//! BankID): what they gave to whom, and revoking it, which stops its tokens
//! at once. A TPP as an OAuth library drives the redirect flow (the `oauth2`
//! crate, authorization code with PKCE), and the same flow over mutual TLS
//! with a test certificate binds the tokens to it.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse, TokenUrl,
};
use serde_json::json;

use crate::support::mtls::{https_client, spawn_tls_app};
use crate::support::psu::{ANNA, ANNA_ACCOUNT, Customer, REDIRECT, authorize, back_params, consent_body};
use crate::support::spawn_app;
use crate::support::tpp::ACCOUNTS;
use crate::support::web_client::{attr_after, location};

/// Signs the customer in on /my-consents with BankID as `ssn`.
async fn sign_in(customer: &Customer, ssn: &str) {
    let page = customer.browser.get_html("/my-consents").await;
    assert!(page.contains("Sign in with BankID"), "{page}");
    let res = customer.browser.post_form("/my-consents/sign-in", &[]).await;
    assert_eq!(location(&res), "/my-consents");
    let page = customer.browser.get_html("/my-consents").await;
    assert!(page.contains("Simulated BankID"), "labelled as a simulation");
    let token = attr_after(&page, "bankid:///?autostarttoken=").expect("an autostart link");
    let order = customer.phone_autostart(&token).await;
    customer.phone_approve(&order, ssn).await;
    let res = customer.browser.get("/my-consents").await;
    assert_eq!(location(&res), "/my-consents", "signed in");
}

#[tokio::test]
async fn the_customer_sees_their_consents_and_a_revocation_stops_the_tpp_at_once() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    let granted = tpp.exchange(&code, &pkce.verifier).await.body;
    let token = granted["access_token"].as_str().unwrap();
    let balances = format!("{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances");
    assert_eq!(tpp.get(&balances, token).await.status, 200);

    // Someone else signed in sees nothing of Anna's and cannot revoke it.
    let eva = Customer::new(&app.base);
    sign_in(&eva, "196311210063").await;
    let page = eva.browser.get_html("/my-consents").await;
    assert!(page.contains("You have not given any application access."), "{page}");
    let res = eva
        .browser
        .post_form(&format!("/my-consents/{consent}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 404);

    let anna = Customer::new(&app.base);
    sign_in(&anna, ANNA).await;
    let page = anna.browser.get_html("/my-consents").await;
    assert!(page.contains("psd2_sandbox") && page.contains(">valid<"), "{page}");
    assert!(!page.contains(">never<"), "the read above is its last use: {page}");
    let res = anna
        .browser
        .post_form(&format!("/my-consents/{consent}/revoke"), &[])
        .await;
    assert_eq!(location(&res), "/my-consents");
    let page = anna.browser.get_html("/my-consents").await;
    assert!(
        page.contains("can no longer read your accounts") && page.contains(">revokedByPsu<"),
        "{page}"
    );

    let r = tpp.get(&balances, token).await;
    assert_eq!((r.status, r.code()), (401, "CONSENT_INVALID"), "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("revokedByPsu"));
    let r = tpp.refresh(granted["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.code(), "invalid_grant");
    let client = tpp.client_token("accounts").await;
    let r = tpp.get(&format!("{ACCOUNTS}/consents/{consent}/status"), &client).await;
    assert_eq!(r.body["consentStatus"], "revokedByPsu");

    let res = anna.browser.post_form("/my-consents/sign-out", &[]).await;
    assert_eq!(location(&res), "/my-consents");
    assert!(
        anna.browser
            .get_html("/my-consents")
            .await
            .contains("Sign in with BankID")
    );
}

#[tokio::test]
async fn an_oauth_library_runs_the_code_flow_with_pkce_and_reads_the_accounts() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;

    let client = BasicClient::new(ClientId::new(tpp.client_id.clone()))
        .set_client_secret(ClientSecret::new(tpp.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(format!("{}/oauth2/authorize", app.base)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", app.base)).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(format!("AIS:{consent}")))
        .set_pkce_challenge(challenge)
        .url();

    let customer = Customer::new(&app.base);
    let page = customer.identify(url.query().unwrap(), ANNA).await;
    let res = customer.decide(&page, "approve", &[ANNA_ACCOUNT]).await;
    let back = back_params(&location(&res));
    assert_eq!(&back["state"], state.secret(), "the library's CSRF state comes back");
    assert_eq!(back["iss"], app.base);

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = client
        .exchange_code(AuthorizationCode::new(back["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the oauth2 crate accepts the token response");
    assert_eq!(token.scopes().unwrap()[0].as_str(), format!("AIS:{consent}"));
    assert!(token.refresh_token().is_some());
    let r = tpp
        .get(&format!("{ACCOUNTS}/Accounts"), token.access_token().secret())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["accounts"][0]["bban"], ANNA_ACCOUNT);

    let refreshed = client
        .exchange_refresh_token(token.refresh_token().unwrap())
        .request_async(&http)
        .await
        .expect("the oauth2 crate refreshes");
    assert_ne!(refreshed.access_token().secret(), token.access_token().secret());
}

#[tokio::test]
async fn over_mutual_tls_with_a_test_certificate_the_customers_tokens_are_bound_to_it() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |_| {}).await;
    let tls = app.tls_base.clone().unwrap();
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let api = app.api_for("anna@example.se").await;
    let (status, issued) = api
        .post(
            &format!("/api/v1/applications/{}/test-certificates", tpp.application_id),
            json!({"roles": ["PSP_AI"], "passphrase": "rehearsal passphrase"}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let identity = format!(
        "{}{}",
        issued["certificate_pem"].as_str().unwrap(),
        issued["private_key_pem"].as_str().unwrap()
    );
    let holder = https_client(data.path(), Some(identity.as_bytes()));

    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    // Over mTLS, tls_client_auth: the client id and the certificate, no secret.
    let res = holder
        .post(format!("{tls}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", tpp.client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", pkce.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let granted: serde_json::Value = res.json().await.unwrap();
    let token = granted["access_token"].as_str().unwrap();
    let call = |client: &reqwest::Client, base: &str| {
        client
            .get(format!("{base}{ACCOUNTS}/Accounts"))
            .bearer_auth(token)
            .header("x-request-id", uuid::Uuid::new_v4().to_string())
            .header("psu-ip-address", "192.0.2.10")
            .send()
    };
    assert_eq!(call(&holder, &tls).await.unwrap().status(), 200, "the holder reads");
    let without: serde_json::Value = call(&reqwest::Client::new(), &app.base)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        without["error"], "TOKEN_INVALID",
        "bound: useless without its certificate"
    );

    // The bound refresh token works only with the certificate too.
    let refresh = granted["refresh_token"].as_str().unwrap();
    let r = tpp.refresh(refresh).await;
    assert_eq!(r.code(), "invalid_grant", "{}", r.body);
    let res = holder
        .post(format!("{tls}/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", tpp.client_id.as_str()),
            ("refresh_token", refresh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
