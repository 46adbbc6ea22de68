//! The customer (PSU) and the TPP around a customer's authorization: a
//! consent or a payment waiting for the customer, a registered redirect URI,
//! PKCE, the customer's browser at the bank, and the simulated BankID's
//! phone driven through its JSON API.

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

use super::tpp::{ACCOUNTS, PAYMENTS, Tpp};
use super::web_client::{Browser, attr_after, location};

pub const REDIRECT: &str = "https://tpp.example/callback";
pub const ANNA_ACCOUNT: &str = "12345678910";
pub const ANNA: &str = "195505063676";

/// A PKCE pair (RFC 7636, S256).
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        Pkce { verifier, challenge }
    }
}

/// A consent request for balances and transactions of Anna's account.
pub fn consent_body(frequency: i64) -> Value {
    json!({
        "access": {"balances": [{"bban": ANNA_ACCOUNT}], "transactions": [{"bban": ANNA_ACCOUNT}]},
        "recurringIndicator": true,
        "validUntil": "9999-12-31",
        "frequencyPerDay": frequency
    })
}

impl Tpp {
    /// Registers redirect URIs through the application's edit form.
    pub async fn register_redirect_uris(&self, uris: &[&str]) {
        let res = self
            .browser
            .post_form(
                &format!("/applications/{}/edit", self.application_id),
                &[("name", "psd2_sandbox"), ("redirect_uris", &uris.join("\n"))],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }

    /// A client token (no customer) with this scope.
    pub async fn client_token(&self, scope: &str) -> String {
        let r = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("scope", scope),
            ])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// A sandbox consent waiting for the customer; its id.
    pub async fn ask_consent(&self, body: Value) -> String {
        let token = self.client_token("accounts").await;
        let r = self.post(&format!("{ACCOUNTS}/consents"), &token, body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["consentId"].as_str().unwrap().to_string()
    }

    /// A sandbox payment waiting for the customer; its id.
    pub async fn waiting_payment(&self, body: Value) -> String {
        let token = self.client_token("payments").await;
        let r = self
            .post(&format!("{PAYMENTS}/Payments/SepaCreditTransfers"), &token, body)
            .await;
        assert_eq!(
            (r.status, r.body["transactionStatus"].as_str()),
            (201, Some("RCVD")),
            "{}",
            r.body
        );
        r.body["paymentId"].as_str().unwrap().to_string()
    }

    /// The code grant with the secret.
    pub async fn exchange(&self, code: &str, verifier: &str) -> super::tpp::Reply {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> super::tpp::Reply {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    /// The authorize URL's query for `scope` with PKCE and a state.
    pub fn authorize_query(&self, scope: &str, pkce: &Pkce) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", scope)
            .append_pair("state", "xyz-state")
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256")
            .finish()
    }
}

/// The customer's browser at the bank.
pub struct Customer {
    pub browser: Browser,
    http: reqwest::Client,
}

impl Customer {
    pub fn new(base: &str) -> Customer {
        Customer {
            browser: Browser::new(base),
            http: reqwest::Client::new(),
        }
    }

    /// Opens `/oauth2/authorize?<query>`; the answer (a redirect to the
    /// BankID page, back to the TPP, or an error page).
    pub async fn open(&self, query: &str) -> reqwest::Response {
        self.browser.get(&format!("/oauth2/authorize?{query}")).await
    }

    /// Opens the request and identifies with BankID as `ssn` (the phone
    /// opens the order by its autostart token); answers the request's page.
    pub async fn identify(&self, query: &str, ssn: &str) -> String {
        let res = self.open(query).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let page = location(&res);
        assert!(page.starts_with("/bank/authorize/"), "{page}");
        let html = self.browser.get_html(&page).await;
        let autostart = attr_after(&html, "bankid:///?autostarttoken=").expect("an autostart link");
        let order = self.phone_autostart(&autostart).await;
        self.phone_approve(&order, ssn).await;
        page
    }

    /// The phone opens the order by its autostart token; the order's ref.
    pub async fn phone_autostart(&self, token: &str) -> String {
        let r = self
            .phone("/bankid-simulator/api/autostart", json!({"autoStartToken": token}))
            .await;
        r["orderRef"].as_str().expect("an order").to_string()
    }

    pub async fn phone_approve(&self, order_ref: &str, ssn: &str) -> Value {
        self.phone(
            &format!("/bankid-simulator/api/orders/{order_ref}/approve"),
            json!({"personalNumber": ssn}),
        )
        .await
    }

    pub async fn phone(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}{path}", self.browser.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        res.json().await.unwrap()
    }

    /// Decides on the consent page (after `identify`); the answer.
    pub async fn decide(&self, page: &str, decision: &str, accounts: &[&str]) -> reqwest::Response {
        let consent = format!("{page}/consent");
        let res = self.browser.get(page).await;
        assert_eq!(location(&res), consent, "identified: the consent page is next");
        let html = self.browser.get_html(&consent).await;
        let csrf = attr_after(&html, r#"name="csrf-token" content=""#).unwrap();
        let mut fields = vec![("csrf_token", csrf.as_str()), ("decision", decision)];
        fields.extend(accounts.iter().map(|a| ("accounts", *a)));
        self.browser.post_form_raw(&consent, &fields).await
    }
}

/// The query parameters of a redirect back to the TPP.
pub fn back_params(location: &str) -> std::collections::HashMap<String, String> {
    assert!(location.starts_with(REDIRECT), "back to the TPP: {location}");
    url::Url::parse(location).unwrap().query_pairs().into_owned().collect()
}

/// The whole redirect flow in the sandbox for `scope` as `ssn`, approving
/// the given accounts; the code and the PKCE verifier.
pub async fn authorize(tpp: &Tpp, scope: &str, ssn: &str, accounts: &[&str]) -> (String, Pkce) {
    let pkce = Pkce::new();
    let customer = Customer::new(&tpp.base);
    let page = customer.identify(&tpp.authorize_query(scope, &pkce), ssn).await;
    let res = customer.decide(&page, "approve", accounts).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let params = back_params(&location(&res));
    assert_eq!(params["state"], "xyz-state");
    (params["code"].clone(), pkce)
}
