//! A TPP as the tests see it: a verified developer with `psd2_sandbox`, its
//! subscriptions and sandbox keys, calling the gateway over HTTP.

use serde_json::Value;

use crate::support::{Browser, TestApp};

pub struct Tpp {
    pub base: String,
    pub browser: Browser,
    pub application_id: String,
    pub client_id: String,
    pub client_secret: String,
    http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// `email` signs up, creates psd2_sandbox, subscribes it to `apis` and generates keys.
    pub async fn tpp(&self, email: &str, apis: &[&str]) -> Tpp {
        let browser = self.signed_in_developer(email).await;
        let application_id = browser.create_application("psd2_sandbox").await;
        for api in apis {
            browser.subscribe(&application_id, api).await;
        }
        let (client_id, client_secret) = browser.generate_keys(&application_id).await;
        Tpp {
            base: self.base.clone(),
            browser,
            application_id,
            client_id,
            client_secret,
            http: reqwest::Client::new(),
        }
    }
}

impl Tpp {
    /// POST /oauth2/token with form fields.
    pub async fn token_request(&self, fields: &[(&str, &str)]) -> Reply {
        self.token_request_from("", fields).await
    }

    /// A token request that says it comes from `address` (`X-Forwarded-For`;
    /// the portal must trust it); empty: from this machine.
    pub async fn token_request_from(&self, address: &str, fields: &[(&str, &str)]) -> Reply {
        let mut req = self.http.post(format!("{}/oauth2/token", self.base)).form(fields);
        if !address.is_empty() {
            req = req.header("x-forwarded-for", address);
        }
        reply(req.send().await.unwrap()).await
    }

    /// An access token for the customer `ssn`.
    pub async fn token(&self, ssn: &str) -> String {
        let scope = format!("psd2_sandbox:{ssn}");
        let r = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("scope", &scope),
            ])
            .await;
        assert_eq!(r.status, 200, "token for {ssn}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// A sandbox call with a fresh X-Request-ID and the customer present.
    pub async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.call_with(method, path, token, body, &[("PSU-IP-Address", "192.0.2.10")])
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, token, Some(body)).await
    }

    /// A call with exactly these extra headers (plus a fresh X-Request-ID
    /// unless one is given).
    pub async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("x-request-id")) {
            req = req.header("X-Request-ID", uuid::Uuid::new_v4().to_string());
        }
        for (k, v) in headers {
            if !v.is_empty() {
                req = req.header(*k, *v);
            }
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.unwrap()).await
    }
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

pub const ACCOUNTS: &str = "/sandbox/accounts/1.0.0";
pub const PAYMENTS: &str = "/sandbox/payments/1.0.0";
