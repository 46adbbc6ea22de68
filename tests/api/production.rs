//! Production over real mutual TLS: tokens by tls_client_auth with the
//! registered QWAC, bound to it; the production gateway's checks; the
//! simulated bank, labelled as such; the bank's backend behind the gateway
//! (a small server this test starts) with its 502 and 504; revocation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::mtls::{fixture_identity, https_client, spawn_tls_app};
use crate::support::psu::{ANNA, ANNA_ACCOUNT, Customer, Pkce, REDIRECT, back_params};
use crate::support::web_client::location;
use crate::support::{Api, developer_id, fixture};

const ACCOUNTS: &str = "/production/accounts/1.0.0";
const PAYMENTS: &str = "/production/payments/1.0.0";

/// An application with the QWAC registered, subscribed to both production
/// APIs, with its production client id: (application id, client id,
/// subscription ids by family).
async fn production_application(api: &Api) -> (String, String, Vec<String>) {
    let (_, created) = api
        .post("/api/v1/applications", json!({"name": "psd2_production"}))
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(api.put_certificate(&id, fixture("qwac-ai-pi.pem")).await.0, 200);
    let mut subscriptions = Vec::new();
    for api_id in ["accounts-production", "payments-production"] {
        let (status, sub) = api
            .post(
                &format!("/api/v1/applications/{id}/subscriptions"),
                json!({"api_id": api_id}),
            )
            .await;
        assert_eq!(status, 201, "{sub}");
        subscriptions.push(sub["id"].as_str().unwrap().to_string());
    }
    let (status, keys) = api
        .post(&format!("/api/v1/applications/{id}/production-keys"), json!({}))
        .await;
    assert_eq!(
        (status, keys["token_endpoint_auth_method"].as_str()),
        (201, Some("tls_client_auth"))
    );
    (id, keys["client_id"].as_str().unwrap().to_string(), subscriptions)
}

async fn token(client: &reqwest::Client, base: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let res = client
        .post(format!("{base}/oauth2/token"))
        .form(fields)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A GET with a fresh X-Request-ID (see [`call`]).
async fn get(client: &reqwest::Client, url: &str, token: &str) -> (u16, Value, Option<String>) {
    call(client, reqwest::Method::GET, url, token, None).await
}

/// A call with a fresh X-Request-ID: status, body and the simulation header.
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value, Option<String>) {
    let mut req = client
        .request(method, url)
        .bearer_auth(token)
        .header("x-request-id", uuid::Uuid::new_v4().to_string())
        .header("psu-ip-address", "192.0.2.10");
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let simulation = res
        .headers()
        .get("devportal-simulation")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap_or(Value::Null), simulation)
}

#[tokio::test]
async fn production_tokens_come_from_the_registered_qwac_and_work_only_with_it() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |_| {}).await;
    let tls = app.tls_base.clone().unwrap();
    let anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (id, client_id, subscriptions) = production_application(&api).await;
    let tab = anna.get_html(&format!("/applications/{id}?tab=production")).await;
    assert!(
        tab.contains(&format!("-d client_id={client_id}")),
        "the real client id in the commands"
    );
    assert!(
        tab.contains("/production/payments/1.0.0/Payments/SepaCreditTransfers") && tab.contains("Simulated production")
    );
    let store = anna.get_html("/apis/accounts-production").await;
    assert!(
        store.contains(r#"id="simulated-production""#),
        "the API's page says it is simulated"
    );
    let (_, state) = api.get(&format!("/api/v1/applications/{id}/production")).await;
    assert_eq!(state["client_id"], client_id.as_str());
    assert_eq!(state["certificate"]["organization_id"], "PSDSE-FINA-900001");
    assert_eq!(state["subscriptions"].as_array().unwrap().len(), 2);
    assert!(
        state["mtls_token_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/oauth2/token")
    );

    let qwac = https_client(data.path(), Some(&fixture_identity("qwac-ai-pi.pem", "qwac-ai-pi.key")));
    let mut fields = vec![("grant_type", "client_credentials"), ("client_id", client_id.as_str())];
    let (status, granted) = token(&qwac, &tls, &fields).await;
    assert_eq!(
        (status, granted["scope"].as_str()),
        (200, Some("accounts payments")),
        "{granted}"
    );
    let bound = granted["access_token"].as_str().unwrap().to_string();

    // Refused: no certificate, a secret instead, a test certificate.
    let (status, refused) = token(&https_client(data.path(), None), &tls, &fields).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("invalid_client")));
    let with_secret = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id.as_str()),
        ("client_secret", "anything"),
    ];
    let (status, refused) = token(&reqwest::Client::new(), &app.base, &with_secret).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("invalid_client")));
    assert!(
        refused["error_description"]
            .as_str()
            .unwrap()
            .contains("tls_client_auth")
    );
    let (_, test_cert) = api
        .post(
            &format!("/api/v1/applications/{id}/test-certificates"),
            json!({"roles": ["PSP_AI"], "passphrase": "rehearsal passphrase"}),
        )
        .await;
    let identity = format!(
        "{}{}",
        test_cert["certificate_pem"].as_str().unwrap(),
        test_cert["private_key_pem"].as_str().unwrap()
    );
    let (status, refused) = token(&https_client(data.path(), Some(identity.as_bytes())), &tls, &fields).await;
    assert_eq!(status, 401);
    assert!(
        refused["error_description"].as_str().unwrap().contains("sandbox only"),
        "{refused}"
    );

    // The simulated bank answers, and says so.
    let url = format!("{tls}{PAYMENTS}/Payments/SepaCreditTransfers");
    let order = json!({"instructedAmount": {"currency": "SEK", "amount": "100.00"}, "debtorAccount": {"bban": "12345678910"},
                       "creditorName": "Elbolaget AB", "creditorBankgiro": "5050-1055"});
    let (status, initiated, simulation) = call(&qwac, reqwest::Method::POST, &url, &bound, Some(order)).await;
    assert_eq!(
        (status, initiated["transactionStatus"].as_str()),
        (201, Some("RCVD")),
        "{initiated}"
    );
    assert!(simulation.unwrap().contains("Simulated"));
    assert!(
        initiated["simulation"]
            .as_str()
            .unwrap()
            .contains("not real customer data")
    );
    let payment = format!("{url}/{}", initiated["paymentId"].as_str().unwrap());
    let (status, read, _) = get(&qwac, &format!("{payment}/status"), &bound).await;
    assert_eq!((status, read["transactionStatus"].as_str()), (200, Some("RCVD")));
    let (status, cancelled, _) = call(&qwac, reqwest::Method::DELETE, &payment, &bound, None).await;
    assert_eq!((status, cancelled["transactionStatus"].as_str()), (200, Some("CANC")));
    let (status, refused, simulation) = get(&qwac, &format!("{tls}{ACCOUNTS}/Accounts"), &bound).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("CONSENT_INVALID")));
    assert!(simulation.is_some());
    // A consent is asked for with the client token, and stays received until a customer authorises it.
    let consent = json!({"access": {"allPsd2": "allAccounts"}, "recurringIndicator": true,
                         "validUntil": "9999-12-31", "frequencyPerDay": 4});
    let (status, asked, simulation) = call(
        &qwac,
        reqwest::Method::POST,
        &format!("{tls}{ACCOUNTS}/consents"),
        &bound,
        Some(consent),
    )
    .await;
    assert_eq!(
        (status, asked["consentStatus"].as_str()),
        (201, Some("received")),
        "{asked}"
    );
    assert!(simulation.is_some());
    let consent_url = format!("{tls}{ACCOUNTS}/consents/{}", asked["consentId"].as_str().unwrap());
    let (status, _, _) = call(&qwac, reqwest::Method::DELETE, &consent_url, &bound, None).await;
    assert_eq!(status, 204);
    let (_, ended, _) = get(&qwac, &format!("{consent_url}/status"), &bound).await;
    assert_eq!(ended["consentStatus"], "terminatedByTpp");

    // Another certificate, even one the portal issued to this application, does not carry the token.
    let test_client = https_client(data.path(), Some(identity.as_bytes()));
    let (status, refused, _) = get(&test_client, &format!("{payment}/status"), &bound).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("TOKEN_INVALID")));

    // The documentation says it in plain words.
    let docs = app.get_html("/apis/payments-production?tab=documentation").await;
    assert!(docs.contains("certificate-bound tokens") && docs.contains("tls_client_auth"));

    // The downloaded Postman collection runs with the certificate and the client id only.
    let collection: Value = app
        .get("/apis/payments-production/postman-collection.json")
        .await
        .json()
        .await
        .unwrap();
    let environment: Value = app
        .get("/apis/payments-production/postman-environment.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        environment["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["key"] != "clientSecret")
    );
    let ran = crate::postman::run(&qwac, &collection, &environment, &[("clientId", client_id.as_str())]).await;
    assert_eq!((ran[0].0.as_str(), ran[0].2), ("Get an access token", 200));
    for (name, method, status) in ran.iter().filter(|(name, _, _)| !name.contains("basket")) {
        assert!((200..300).contains(status), "{name} ({method}) answered {status}");
    }

    // The token is useless without its certificate, and on the sandbox.
    let (status, refused, _) = get(
        &reqwest::Client::new(),
        &format!("{}{ACCOUNTS}/Accounts", app.base),
        &bound,
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("TOKEN_INVALID")));
    let (status, _, _) = get(&qwac, &format!("{tls}/sandbox/accounts/1.0.0/Accounts"), &bound).await;
    assert_eq!(status, 401, "a production token on the sandbox");
    // …and a sandbox token is useless in production.
    let tpp = app.tpp("sven@example.se", &["accounts-sandbox"]).await;
    let sandbox_token = tpp.token("195505063676").await;
    let (status, refused, _) = get(&qwac, &format!("{tls}{ACCOUNTS}/Accounts"), &sandbox_token).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("TOKEN_INVALID")));

    // A token for payments only does not read accounts.
    fields.push(("scope", "payments"));
    let (status, narrow) = token(&qwac, &tls, &fields).await;
    assert_eq!((status, narrow["scope"].as_str()), (200, Some("payments")));
    let (status, refused, _) = get(
        &qwac,
        &format!("{tls}{ACCOUNTS}/Accounts"),
        narrow["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (403, Some("SCOPE_INVALID")));

    // A blocked subscription answers 403; so does a missing one.
    let admin = app.admin("britt@bank.example").await;
    // By address: every test developer is called Anna.
    let dev = developer_id(&admin.get_html("/admin/developers?q=anna%40example.se").await);
    let res = admin
        .post_form(
            &format!("/admin/developers/{dev}/subscriptions/{}/block", subscriptions[1]),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, refused, _) = get(&qwac, &format!("{payment}/status"), &bound).await;
    assert_eq!((status, refused["error"].as_str()), (403, Some("SUBSCRIPTION_BLOCKED")));
    let (status, _) = api
        .delete(&format!("/api/v1/applications/{id}/subscriptions/{}", subscriptions[0]))
        .await;
    assert_eq!(status, 204);
    let (status, refused, _) = get(&qwac, &format!("{tls}{ACCOUNTS}/Accounts"), &bound).await;
    assert_eq!((status, refused["error"].as_str()), (403, Some("NOT_SUBSCRIBED")));

    // The client revokes its token (RFC 7009): it ends at once.
    let res = qwac
        .post(format!("{tls}/oauth2/revoke"))
        .form(&[
            ("token", narrow["access_token"].as_str().unwrap()),
            ("client_id", client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, refused, _) = get(
        &qwac,
        &format!("{payment}/status"),
        narrow["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("TOKEN_EXPIRED")));

    // The production documents ask for mutual TLS and send tools to the mTLS token endpoint.
    let doc: Value = reqwest::get(format!("{}/apis/payments-production/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["servers"][0]["url"], format!("{tls}{PAYMENTS}"));
    assert!(doc["components"]["securitySchemes"]["mutualTLS"].is_object());
    let flow = &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], format!("{tls}/oauth2/token"));
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("Simulated production")
    );
    // After the registration is replaced, the old certificate no longer authenticates.
    assert_eq!(api.put_certificate(&id, fixture("qwac-pi-only.pem")).await.0, 200);
    let (status, refused, _) = get(&qwac, &format!("{payment}/status"), &bound).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (401, Some("TOKEN_EXPIRED")),
        "tokens of the old registration end"
    );
    let (status, refused) = token(&qwac, &tls, &fields[..2]).await;
    assert_eq!(status, 401);
    assert!(
        refused["error_description"]
            .as_str()
            .unwrap()
            .contains("not the application's registered QWAC"),
        "{refused}"
    );

    let metadata: Value = reqwest::get(format!("{}/.well-known/oauth-authorization-server", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["tls_client_certificate_bound_access_tokens"], true);
    assert!(
        metadata["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("tls_client_auth"))
    );
    assert_eq!(
        metadata["mtls_endpoint_aliases"]["token_endpoint"],
        format!("{}/oauth2/token", tls)
    );
    assert!(metadata["revocation_endpoint"].is_string());
}

/// What the bank's backend saw of a forwarded call.
#[derive(Debug, Clone, Default)]
struct Seen {
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
}

/// A stand-in for the bank's backend: answers JSON at once, or after 3 s at `/slow`.
async fn upstream(seen: Arc<Mutex<Vec<Seen>>>) -> String {
    use axum::extract::Request;
    let app = axum::Router::new().fallback(move |req: Request| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(Seen {
                path: req.uri().path().to_string(),
                query: req.uri().query().map(str::to_string),
                headers: req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect(),
            });
            if req.uri().path() == "/slow" {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            (
                axum::http::StatusCode::IM_A_TEAPOT,
                axum::Json(json!({"from": "the bank's backend"})),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_gateway_forwards_to_the_banks_backend_and_answers_502_and_504_for_it() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let backend = upstream(seen.clone()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), move |c| {
        c.production.upstream_accounts = Some(backend.parse().unwrap());
        c.production.upstream_payments = Some(format!("http://{closed}").parse().unwrap());
        c.production.upstream_timeout = Duration::from_secs(1);
        // Behind a TLS-terminating proxy, the certificate comes in a header.
        c.tls.client_cert_header = Some("client-cert".parse().unwrap());
    })
    .await;
    let _anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (id, client_id, _) = production_application(&api).await;

    // Through the "proxy": the plain listener with the RFC 9440 header.
    use base64::Engine;
    let der = {
        let pem = String::from_utf8(fixture("qwac-ai-pi.pem")).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    };
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!(":{}:", base64::engine::general_purpose::STANDARD.encode(&der));
    headers.insert("client-cert", value.parse().unwrap());
    let proxied = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let (status, granted) = token(
        &proxied,
        &app.base,
        &[("grant_type", "client_credentials"), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(status, 200, "{granted}");
    let bound = granted["access_token"].as_str().unwrap();

    let (status, body, simulation) = get(
        &proxied,
        &format!("{}{ACCOUNTS}/Accounts?withBalance=true", app.base),
        bound,
    )
    .await;
    assert_eq!(
        (status, body["from"].as_str()),
        (418, Some("the bank's backend")),
        "status and body pass through"
    );
    assert!(simulation.is_none(), "the real backend is not labelled a simulation");
    let forwarded = seen.lock().unwrap()[0].clone();
    assert_eq!(
        (forwarded.path.as_str(), forwarded.query.as_deref()),
        ("/Accounts", Some("withBalance=true"))
    );
    let header = |name: &str| {
        forwarded
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-tpp-organization-id").as_deref(), Some("PSDSE-FINA-900001"));
    assert_eq!(header("x-application-id"), Some(id));
    assert_eq!(header("psu-ip-address").as_deref(), Some("192.0.2.10"));
    assert!(uuid::Uuid::parse_str(&header("x-request-id").unwrap()).is_ok());
    assert!(
        header("authorization").is_none(),
        "the TPP's token stays at the gateway"
    );

    let (status, body, _) = get(&proxied, &format!("{}{ACCOUNTS}/slow", app.base), bound).await;
    assert_eq!((status, body["error"].as_str()), (504, Some("BANK_TIMEOUT")));
    let (status, body, _) = get(
        &proxied,
        &format!("{}{PAYMENTS}/Payments/SepaCreditTransfers/x", app.base),
        bound,
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (502, Some("BANK_UNAVAILABLE")));
}

/// PAR over mutual TLS with the QWAC: the `request_uri`.
async fn push(qwac: &reqwest::Client, tls: &str, client_id: &str, scope: &str, challenge: &str) -> String {
    let res = qwac
        .post(format!("{tls}/oauth2/par"))
        .form(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "prod-state"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["request_uri"].as_str().unwrap().to_string()
}

/// The customer opens the pushed request, identifies and approves; the code.
async fn customer_approves(base: &str, client_id: &str, request_uri: &str, accounts: &[&str]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .finish();
    let customer = Customer::new(base);
    let page = customer.identify(&query, ANNA).await;
    let res = customer.decide(&page, "approve", accounts).await;
    let back = back_params(&location(&res));
    assert_eq!((back["state"].as_str(), back["iss"].as_str()), ("prod-state", base));
    back["code"].clone()
}

#[tokio::test]
async fn in_production_the_customer_authorizes_a_pushed_request_and_the_bound_token_reads_their_account() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |_| {}).await;
    let tls = app.tls_base.clone().unwrap();
    let _anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (id, client_id, _) = production_application(&api).await;
    let (status, patched) = api
        .patch(
            &format!("/api/v1/applications/{id}"),
            json!({"redirect_uris": [REDIRECT, "http://localhost:8080/cb"]}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["redirect_uris"], json!([REDIRECT, "http://localhost:8080/cb"]));
    let qwac = https_client(data.path(), Some(&fixture_identity("qwac-ai-pi.pem", "qwac-ai-pi.key")));
    let (_, client) = token(
        &qwac,
        &tls,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("scope", "accounts"),
        ],
    )
    .await;
    let client = client["access_token"].as_str().unwrap().to_string();
    let (status, asked, _) = call(
        &qwac,
        reqwest::Method::POST,
        &format!("{tls}{ACCOUNTS}/consents"),
        &client,
        Some(
            json!({"access": {"balances": [{"bban": ANNA_ACCOUNT}]}, "recurringIndicator": true,
                    "validUntil": "9999-12-31", "frequencyPerDay": 4}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    let consent = asked["consentId"].as_str().unwrap().to_string();

    // Production clients push their requests (FAPI 2.0); localhost is no production redirect.
    let pkce = Pkce::new();
    let direct = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", &format!("AIS:{consent}"))
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let customer = Customer::new(&app.base);
    let res = customer.open(&direct).await;
    let back = back_params(&location(&res));
    assert_eq!(back["error"], "invalid_request");
    assert!(back["error_description"].contains("/oauth2/par"));
    let local = direct.replace(
        "https%3A%2F%2Ftpp.example%2Fcallback",
        "http%3A%2F%2Flocalhost%3A8080%2Fcb",
    );
    assert_eq!(
        customer.open(&local).await.status(),
        400,
        "refused at the bank, no redirect"
    );

    let request_uri = push(&qwac, &tls, &client_id, &format!("AIS:{consent}"), &pkce.challenge).await;
    let code = customer_approves(&app.base, &client_id, &request_uri, &[ANNA_ACCOUNT]).await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let (status, granted) = token(&qwac, &tls, &fields).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["scope"], format!("AIS:{consent}"));
    let bound = granted["access_token"].as_str().unwrap();

    let (status, body, simulation) = get(&qwac, &format!("{tls}{ACCOUNTS}/Accounts"), bound).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accounts"].as_array().unwrap().len(), 1, "{body}");
    assert!(
        simulation.is_some() && body["simulation"].is_string(),
        "labelled a simulation"
    );
    let (status, body, _) = get(
        &qwac,
        &format!("{tls}{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/balances"),
        bound,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body, _) = get(
        &qwac,
        &format!("{tls}{ACCOUNTS}/Accounts/{ANNA_ACCOUNT}/transactions"),
        bound,
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("CONSENT_INVALID")));
    let (status, _, _) = get(
        &reqwest::Client::new(),
        &format!("{}{ACCOUNTS}/Accounts", app.base),
        bound,
    )
    .await;
    assert_eq!(status, 401, "bound to the QWAC");
}

#[tokio::test]
async fn with_the_banks_backend_the_gateway_tells_it_the_consent_and_the_customer() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let backend = upstream(seen.clone()).await;
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), move |c| {
        c.production.upstream_accounts = Some(backend.parse().unwrap());
    })
    .await;
    let tls = app.tls_base.clone().unwrap();
    let _anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (id, client_id, _) = production_application(&api).await;
    api.patch(
        &format!("/api/v1/applications/{id}"),
        json!({"redirect_uris": [REDIRECT]}),
    )
    .await;
    let qwac = https_client(data.path(), Some(&fixture_identity("qwac-ai-pi.pem", "qwac-ai-pi.key")));

    // The backend keeps its consents: the portal identifies the customer and
    // records the approval of the consent id it is given.
    let pkce = Pkce::new();
    let request_uri = push(&qwac, &tls, &client_id, "AIS:bank-consent-1", &pkce.challenge).await;
    let code = customer_approves(&app.base, &client_id, &request_uri, &[]).await;
    let (status, granted) = token(
        &qwac,
        &tls,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{granted}");
    let (status, _, _) = get(
        &qwac,
        &format!("{tls}{ACCOUNTS}/Accounts"),
        granted["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 418, "the backend answered");
    let forwarded = seen.lock().unwrap().last().unwrap().clone();
    let header = |name: &str| {
        forwarded
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-consent-id").as_deref(), Some("bank-consent-1"));
    assert_eq!(header("x-psu-id").as_deref(), Some(ANNA));
}
