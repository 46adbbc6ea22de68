//! Each API's documentation page: navigation, every operation with code in
//! five languages from the OpenAPI document, the error catalogue; and the
//! Python and curl samples, copied from the page, run against the sandbox.

use std::collections::HashMap;
use std::process::Command;

use serde_json::Value;

use crate::support::tpp::Tpp;
use crate::support::{Mail, spawn_app, spawn_app_configured};

/// The text of an element as the browser shows it (askama's escapes undone).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// ("METHOD /path", lang) → the sample's code, from the documentation page.
fn samples(html: &str) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for piece in html.split("<pre id=\"op-").skip(1) {
        let lang = piece
            .split("data-sample=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        let op = piece
            .split("data-operation=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        let code = piece
            .split_once('>')
            .map(|(_, rest)| rest)
            .and_then(|r| r.split("</pre>").next())
            .unwrap_or("");
        out.insert((unescape(op), lang.to_string()), unescape(code));
    }
    out
}

#[tokio::test]
async fn every_operation_is_documented_with_parameters_examples_and_code_in_five_languages() {
    let app = spawn_app().await;
    let dev = app.signed_in_developer("docs@tpp.example").await;
    for (slug, family) in [("accounts-sandbox", "accounts"), ("payments-sandbox", "payments")] {
        let html = dev.get_html(&format!("/apis/{slug}?tab=documentation")).await;
        for section in [
            "overview",
            "getting-started",
            "authentication",
            "operations",
            "errors",
            "test-users",
            "changelog",
        ] {
            assert!(
                html.contains(&format!("href=\"#{section}\"")),
                "{slug}: navigation to {section}"
            );
            assert!(html.contains(&format!("id=\"{section}\"")), "{slug}: section {section}");
        }
        let found = samples(&html);
        let endpoints = devportal::domain::catalogue::endpoints(family);
        for e in endpoints {
            for lang in ["curl", "python", "javascript", "java", "csharp"] {
                let key = (format!("{} {}", e.method, e.path), lang.to_string());
                let code = found
                    .get(&key)
                    .unwrap_or_else(|| panic!("{slug}: no {lang} sample for {key:?}"));
                assert!(
                    code.contains("ACCESS_TOKEN") && code.contains("X-Request-ID"),
                    "{key:?}: {code}"
                );
            }
        }
        assert_eq!(
            found.len(),
            endpoints.len() * 5,
            "{slug}: no operation the catalogue does not list"
        );
        assert!(html.contains("Example response (200)") || html.contains("Example response (201)"));
        for e in devportal::domain::catalogue::errors::for_api(family, false) {
            assert!(
                html.contains(&format!("<td><code>{}</code></td>", e.code)),
                "{slug}: error {}",
                e.code
            );
        }
        assert!(
            !html.contains("BANK_TIMEOUT"),
            "production's codes are not the sandbox's"
        );
    }
    let production = dev.get_html("/apis/payments-production?tab=documentation").await;
    assert!(production.contains("<td><code>BANK_TIMEOUT</code></td>"));
    assert!(production.contains("tls_client_auth"));
}

#[tokio::test]
async fn sandbox_documentation_and_console_ask_a_visitor_to_sign_in_and_come_back() {
    let app = spawn_app().await;
    let visitor = app.new_browser();
    assert_eq!(
        visitor.get("/apis/accounts-sandbox").await.status(),
        200,
        "the overview stays public"
    );
    assert_eq!(visitor.get("/apis").await.status(), 200, "so does the store");
    for tab in ["documentation", "console"] {
        let res = visitor.get(&format!("/apis/accounts-sandbox?tab={tab}")).await;
        assert_eq!(res.status(), 303, "{tab}");
        let to = crate::support::location(&res);
        assert_eq!(to, format!("/signin?next=%2Fapis%2Faccounts-sandbox%3Ftab%3D{tab}"));
        assert!(
            visitor
                .get_html(&to)
                .await
                .contains("Sign in to read the Accounts documentation")
        );
    }
    app.signed_in_developer("back@tpp.example").await;
    let res = visitor
        .post_form(
            "/signin",
            &[
                ("email", "back@tpp.example"),
                ("password", crate::support::PASSWORD),
                ("next", "/apis/accounts-sandbox?tab=documentation"),
            ],
        )
        .await;
    assert_eq!(
        crate::support::location(&res),
        "/apis/accounts-sandbox?tab=documentation"
    );
    assert!(
        visitor
            .get_html("/apis/accounts-sandbox?tab=documentation")
            .await
            .contains("id=\"operations\"")
    );

    let open = spawn_app_configured(Mail::Smtp, |c| c.portal.public_documentation = true).await;
    let docs = open.get("/apis/accounts-sandbox?tab=documentation").await;
    assert_eq!(docs.status(), 200, "DEVPORTAL_PUBLIC_DOCUMENTATION opens it");
}

/// Runs a sample with the token in ACCESS_TOKEN: (HTTP status, JSON body).
fn run(lang: &str, code: &str, token: &str) -> (u16, Value) {
    let output = match lang {
        "python" => Command::new("python3")
            .arg("-c")
            .arg(code)
            .env("ACCESS_TOKEN", token)
            .output(),
        // The sample as shown, with curl told to print the status after the body.
        _ => Command::new("bash")
            .arg("-c")
            .arg(format!("{code} -sS -w '\\n%{{http_code}}'"))
            .env("ACCESS_TOKEN", token)
            .output(),
    }
    .unwrap_or_else(|e| panic!("{lang} could not start: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (status, body) = match lang {
        "python" => {
            let (first, rest) = stdout.split_once('\n').unwrap_or((&stdout, ""));
            (first.trim().to_string(), rest.to_string())
        }
        _ => {
            let (body, last) = stdout.trim_end().rsplit_once('\n').unwrap_or(("", &stdout));
            (last.trim().to_string(), body.to_string())
        }
    };
    let status: u16 = status
        .parse()
        .unwrap_or_else(|_| panic!("{lang} printed no status:\n{code}\n--- out\n{stdout}\n--- err\n{stderr}"));
    (status, serde_json::from_str(body.trim()).unwrap_or(Value::Null))
}

async fn docs_samples(tpp: &Tpp, slug: &str) -> HashMap<(String, String), String> {
    samples(&tpp.browser.get_html(&format!("/apis/{slug}?tab=documentation")).await)
}

// Multi-threaded: the samples run as blocking child processes while the
// portal answers them on the other thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_and_curl_samples_of_every_operation_run_against_the_sandbox() {
    for tool in ["python3", "curl", "uuidgen"] {
        assert!(
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {tool}"))
                .output()
                .is_ok_and(|o| o.status.success()),
            "{tool} is needed to run the samples (.ci/run installs it)"
        );
    }
    let app = spawn_app().await;
    let tpp = app
        .tpp("samples@tpp.example", &["accounts-sandbox", "payments-sandbox"])
        .await;
    let token = tpp.token("195505063676").await;
    let accounts = docs_samples(&tpp, "accounts-sandbox").await;
    let payments = docs_samples(&tpp, "payments-sandbox").await;
    let example_payment = "3f0c2a9e-5d7b-4c1e-9a61-2b8f4d6e7c10";
    for lang in ["python", "curl"] {
        let sample = |set: &HashMap<(String, String), String>, op: &str| {
            set.get(&(op.to_string(), lang.to_string()))
                .cloned()
                .unwrap_or_else(|| panic!("no {lang} sample for {op}"))
        };
        let expect = |op: &str, code: &str| {
            let (status, body) = run(lang, code, &token);
            assert!((200..300).contains(&status), "{lang} {op}: {status} {body}\n{code}");
            body
        };
        // Accounts: the reads as documented, then a consent's life.
        for op in [
            "GET /Accounts",
            "GET /Accounts/{accountId}",
            "GET /Accounts/{accountId}/balances",
            "GET /Accounts/{accountId}/transactions",
            "GET /Accounts/{accountId}/transactions/{transactionId}",
        ] {
            expect(op, &sample(&accounts, op));
        }
        let consent = expect("POST /consents", &sample(&accounts, "POST /consents"));
        let consent_id = consent["consentId"].as_str().unwrap_or_default().to_string();
        assert!(!consent_id.is_empty(), "{consent}");
        for op in [
            "GET /consents/{consentId}",
            "GET /consents/{consentId}/status",
            "DELETE /consents/{consentId}",
        ] {
            expect(op, &sample(&accounts, op).replace("{consentId}", &consent_id));
        }
        // Payments: initiate, read, put in a basket, cancel.
        for (create, prefix) in [
            (
                "POST /Payments/{paymentProduct}",
                "/Payments/{paymentProduct}/{paymentId}",
            ),
            (
                "POST /PeriodicPayments/{paymentProduct}",
                "/PeriodicPayments/{paymentProduct}/{paymentId}",
            ),
        ] {
            let created = expect(create, &sample(&payments, create));
            let id = created["paymentId"].as_str().unwrap_or_default().to_string();
            assert!(!id.is_empty(), "{created}");
            for op in [format!("GET {prefix}"), format!("GET {prefix}/status")] {
                expect(&op, &sample(&payments, &op).replace("{paymentId}", &id));
            }
            if create.starts_with("POST /Payments") {
                let basket = expect(
                    "POST /SigningBasket",
                    &sample(&payments, "POST /SigningBasket").replace(example_payment, &id),
                );
                let basket_id = basket["basketId"].as_str().unwrap_or_default().to_string();
                assert!(!basket_id.is_empty(), "{basket}");
                expect(
                    "GET /SigningBasket/{basketId}",
                    &sample(&payments, "GET /SigningBasket/{basketId}").replace("{basketId}", &basket_id),
                );
                expect(
                    "PUT /SigningBasket/{basketId}",
                    &sample(&payments, "PUT /SigningBasket/{basketId}")
                        .replace("{basketId}", &basket_id)
                        .replace(example_payment, &id),
                );
            }
            let op = format!("DELETE {prefix}");
            expect(&op, &sample(&payments, &op).replace("{paymentId}", &id));
        }
    }
}
