//! The Postman collection and environment each sandbox API's page offers,
//! and the examples in the documents they are made from: imported as they
//! are, given only the sandbox keys, every request succeeds. (CI also runs
//! them with newman itself; this test runs the collection's requests the way
//! newman does: variables filled in, one request after another, the ids the
//! server hands out kept for the requests that name them.)

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::spawn_app;
use crate::support::tpp::{ACCOUNTS, PAYMENTS};

/// `{{name}}` from `vars`; `{{$guid}}` a new UUID each time, as in Postman.
fn fill(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + len];
        match name {
            "$guid" => out.push_str(&uuid::Uuid::new_v4().to_string()),
            // Postman leaves a variable it does not know as it is.
            _ => match vars.get(name) {
                Some(value) => out.push_str(value),
                None => out.push_str(&rest[start..start + len + 2]),
            },
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

pub fn requests(items: &Value) -> Vec<&Value> {
    items
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| match i.get("item") {
            Some(inner) => requests(inner),
            None => vec![i],
        })
        .collect()
}

fn enabled(list: &Value) -> impl Iterator<Item = (&str, &str)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["disabled"] != true)
        .map(|e| (e["key"].as_str().unwrap(), e["value"].as_str().unwrap()))
}

/// Runs the collection with the environment and `filled` (what the
/// developer types in), from `http` (with the certificate Postman would send,
/// if any); the (name, method, status) of each request.
pub async fn run(
    http: &reqwest::Client,
    collection: &Value,
    environment: &Value,
    filled: &[(&str, &str)],
) -> Vec<(String, String, u16)> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for (k, v) in enabled(&collection["variable"]).chain(enabled(&environment["values"])) {
        vars.insert(k.into(), v.into());
    }
    for (k, v) in filled {
        vars.insert(k.to_string(), v.to_string());
    }
    let mut ran = Vec::new();
    for item in requests(&collection["item"]) {
        let r = &item["request"];
        let method = r["method"].as_str().unwrap().to_string();
        let mut url = r["url"]["raw"].as_str().unwrap().to_string();
        for (name, value) in enabled(&r["url"]["variable"]) {
            url = url.replace(&format!(":{name}"), value);
        }
        let mut req = http.request(method.parse().unwrap(), fill(&url, &vars));
        for (k, v) in enabled(&r["header"]) {
            req = req.header(k, fill(v, &vars));
        }
        let auth = if r["auth"].is_object() {
            &r["auth"]
        } else {
            &collection["auth"]
        };
        let param = |kind: &str, key: &str| {
            let found = auth[kind].as_array().unwrap().iter().find(|p| p["key"] == key).unwrap();
            fill(found["value"].as_str().unwrap(), &vars)
        };
        req = match auth["type"].as_str().unwrap() {
            "basic" => req.basic_auth(param("basic", "username"), Some(param("basic", "password"))),
            "bearer" => req.bearer_auth(param("bearer", "token")),
            "noauth" => req,
            other => panic!("auth {other}"),
        };
        match r["body"]["mode"].as_str() {
            Some("urlencoded") => {
                let form: Vec<(String, String)> = enabled(&r["body"]["urlencoded"])
                    .map(|(k, v)| (k.to_string(), fill(v, &vars)))
                    .collect();
                req = req.form(&form);
            }
            Some("raw") => req = req.body(fill(r["body"]["raw"].as_str().unwrap(), &vars)),
            _ => {}
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        // What the collection's scripts keep: the token, and every `…Id`.
        if let Some(token) = body["access_token"].as_str() {
            vars.insert("accessToken".into(), token.into());
        }
        for (k, v) in body.as_object().into_iter().flatten() {
            if let (true, Some(v)) = (k.ends_with("Id"), v.as_str()) {
                vars.insert(k.clone(), v.into());
            }
        }
        ran.push((item["name"].as_str().unwrap().to_string(), method, status));
    }
    ran
}

#[tokio::test]
async fn the_downloaded_postman_collections_run_as_they_are_with_only_the_keys() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("postman@example.se", &["accounts-sandbox", "payments-sandbox"])
        .await;
    for (slug, operations) in [("accounts-sandbox", 9), ("payments-sandbox", 11)] {
        let page = app.get_html(&format!("/apis/{slug}")).await;
        assert!(page.contains(&format!(r#"href="/apis/{slug}/postman-collection.json" download"#)));
        assert!(page.contains(&format!(r#"href="/apis/{slug}/postman-environment.json" download"#)));
        let collection: Value = app
            .get(&format!("/apis/{slug}/postman-collection.json"))
            .await
            .json()
            .await
            .unwrap();
        let environment: Value = app
            .get(&format!("/apis/{slug}/postman-environment.json"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            collection["info"]["schema"],
            "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        );
        // The environment holds the keys (to fill in; the secret marked secret) and a test customer.
        let values = environment["values"].as_array().unwrap();
        let secret = values.iter().find(|v| v["key"] == "clientSecret").unwrap();
        assert_eq!(
            (secret["value"].as_str(), secret["type"].as_str()),
            (Some(""), Some("secret"))
        );
        assert!(
            values
                .iter()
                .any(|v| v["key"] == "scope" && v["value"] == "psd2_sandbox:195505063676")
        );

        let keys = [
            ("clientId", tpp.client_id.as_str()),
            ("clientSecret", tpp.client_secret.as_str()),
        ];
        let ran = run(&reqwest::Client::new(), &collection, &environment, &keys).await;
        assert_eq!(ran[0].0, "Get an access token", "the token comes first");
        assert_eq!(ran.len(), 1 + operations, "every operation is in the collection");
        for (name, method, status) in &ran {
            assert!(
                (200..300).contains(status),
                "{slug}: {name} ({method}) answered {status}"
            );
        }
        // Every request carries its own X-Request-ID.
        for item in requests(&collection["item"]).into_iter().skip(1) {
            let header = item["request"]["header"].as_array().unwrap();
            assert!(
                header
                    .iter()
                    .any(|h| h["key"] == "X-Request-ID" && h["value"] == "{{$guid}}")
            );
        }
    }
    let unknown = app
        .get("/apis/funds-confirmation-sandbox/postman-collection.json")
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_documents_examples_are_accepted_by_the_sandbox_today() {
    let app = spawn_app().await;
    let tpp = app
        .tpp("examples@example.se", &["accounts-sandbox", "payments-sandbox"])
        .await;
    let t = tpp.token("195505063676").await;
    let doc: Value = app
        .get("/apis/accounts-sandbox/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/Accounts/{accountId}/transactions"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let example = |name: &str| {
        let p = params.iter().find(|p| p["name"] == name).unwrap();
        p["example"]
            .as_str()
            .or(p["schema"]["example"].as_str())
            .unwrap()
            .to_string()
    };
    let (from, to) = (example("dateFrom"), example("dateTo"));
    assert_eq!(to, app.clock_date_minus(0), "the period ends today");
    let r = tpp
        .get(
            &format!(
                "{ACCOUNTS}/Accounts/{}/transactions?dateFrom={from}&dateTo={to}&status={}",
                example("accountId"),
                example("status")
            ),
            &t,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body["transactions"]["booked"].as_array().unwrap().is_empty());

    let doc: Value = app
        .get("/apis/payments-sandbox/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for (path, created) in [
        ("/Payments/{paymentProduct}", "Payments"),
        ("/PeriodicPayments/{paymentProduct}", "PeriodicPayments"),
    ] {
        let op = &doc["paths"][path]["post"];
        let body = op["requestBody"]["content"]["application/json"]["example"].clone();
        assert!(body.is_object(), "{path} has a body example");
        let product = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "paymentProduct")
            .unwrap();
        let products = &doc["components"]["schemas"]["PaymentProduct"]["enum"];
        assert_eq!(product["schema"]["$ref"], "#/components/schemas/PaymentProduct");
        let first = products[0].as_str().unwrap();
        let r = tpp.post(&format!("{PAYMENTS}/{created}/{first}"), &t, body).await;
        assert_eq!(r.status, 201, "{path}: {}", r.body);
    }
    // The basket's example only shows the shape: an id the sandbox does not know.
    let basket =
        doc["paths"]["/SigningBasket"]["post"]["requestBody"]["content"]["application/json"]["example"].clone();
    assert_eq!(basket["paymentIds"].as_array().map(Vec::len), Some(1));
    let r = tpp.post(&format!("{PAYMENTS}/SigningBasket"), &t, json!(basket)).await;
    assert!(doc["paths"]["/SigningBasket"]["post"]["responses"][r.status.to_string()].is_object());
}
