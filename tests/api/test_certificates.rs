//! Test certificates from the portal's test QTSP, over real TLS: issued once
//! (PKCS#12 that openssl and curl open with the passphrase, and PEM), good
//! for a sandbox token by tls_client_auth that is bound to the certificate,
//! refused for production registration; the page that issues them.

use base64::Engine;
use serde_json::{Value, json};

use crate::support::mtls::{fixture_identity, https_client, spawn_tls_app};
use crate::support::tpp::ACCOUNTS;

const PASSPHRASE: &str = "rehearsal passphrase";

/// Status, JSON body and `WWW-Authenticate` of an answer.
async fn reply(res: reqwest::Response) -> (u16, Value, String) {
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, res.json().await.unwrap(), challenge)
}

async fn token(client: &reqwest::Client, tls: &str, fields: &[(&str, &str)]) -> (u16, Value, String) {
    reply(
        client
            .post(format!("{tls}/oauth2/token"))
            .form(fields)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn accounts(client: &reqwest::Client, base: &str, token: &str) -> (u16, Value, String) {
    let res = client
        .get(format!("{base}{ACCOUNTS}/Accounts"))
        .bearer_auth(token)
        .header("x-request-id", uuid::Uuid::new_v4().to_string())
        .header("psu-ip-address", "192.0.2.10")
        .send()
        .await
        .unwrap();
    reply(res).await
}

#[tokio::test]
async fn a_test_certificate_gets_a_sandbox_token_bound_to_it() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |_| {}).await;
    let tls = app.tls_base.clone().unwrap();
    let tpp = app.tpp("rehearse@example.se", &["accounts-sandbox"]).await;
    let api = app.api_for("rehearse@example.se").await;
    let path = format!("/api/v1/applications/{}/test-certificates", tpp.application_id);

    let (status, refused) = api
        .post(&path, json!({"roles": ["PSP_AI"], "passphrase": "short"}))
        .await;
    assert_eq!(
        (status, refused["fields"]["passphrase"].is_string()),
        (400, true),
        "{refused}"
    );
    let (status, issued) = api
        .post(&path, json!({"roles": ["PSP_AI"], "passphrase": PASSPHRASE}))
        .await;
    assert_eq!(status, 201, "{issued}");
    assert!(issued["organization_id"].as_str().unwrap().starts_with("PSDSE-TEST-"));
    assert_eq!(issued["roles"], json!(["PSP_AI"]));
    let (_, listed) = api.get(&path).await;
    assert_eq!(listed[0]["fingerprint"], issued["fingerprint"]);
    assert!(listed[0]["private_key_pem"].is_null(), "the key is never shown again");

    // The PKCS#12 opens with the passphrase (openssl), and only with it.
    let p12 = data.path().join("test-qwac.p12");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(issued["pkcs12_base64"].as_str().unwrap())
        .unwrap();
    std::fs::write(&p12, bytes).unwrap();
    let openssl = |pass: &str| {
        std::process::Command::new("openssl")
            .args([
                "pkcs12",
                "-in",
                p12.to_str().unwrap(),
                "-noout",
                "-passin",
                &format!("pass:{pass}"),
            ])
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(openssl(PASSPHRASE), "openssl opens the PKCS#12 with the passphrase");
    assert!(!openssl("another passphrase"));

    // tls_client_auth: the client id and the certificate, no secret.
    let identity = format!(
        "{}{}",
        issued["certificate_pem"].as_str().unwrap(),
        issued["private_key_pem"].as_str().unwrap()
    );
    let holder = https_client(data.path(), Some(identity.as_bytes()));
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", tpp.client_id.as_str()),
        ("scope", "psd2_sandbox:195505063676"),
    ];
    let (status, granted, _) = token(&holder, &tls, &fields).await;
    assert_eq!(status, 200, "{granted}");
    let bound = granted["access_token"].as_str().unwrap().to_string();
    let (status, body, _) = accounts(&holder, &tls, &bound).await;
    assert_eq!(status, 200, "the certificate's holder calls the API: {body}");

    // The token without its certificate, or with another one, is useless.
    let (status, body, challenge) = accounts(&reqwest::Client::new(), &app.base, &bound).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("TOKEN_INVALID")), "{body}");
    assert!(challenge.contains(r#"error="invalid_token""#), "{challenge}");
    let other = https_client(data.path(), Some(&fixture_identity("qwac-ai-pi.pem", "qwac-ai-pi.key")));
    let (status, _, _) = accounts(&other, &tls, &bound).await;
    assert_eq!(status, 401, "another certificate");

    // Without the secret, a certificate that is not the application's own is no authentication.
    let (status, refused, _) = token(&other, &tls, &fields).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (401, Some("invalid_client")),
        "{refused}"
    );
    let (status, refused, _) = token(&https_client(data.path(), None), &tls, &fields).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (401, Some("invalid_client")),
        "{refused}"
    );
    let stranger = app.tpp("stranger@example.se", &["accounts-sandbox"]).await;
    let theirs = [
        ("grant_type", "client_credentials"),
        ("client_id", stranger.client_id.as_str()),
        ("scope", "psd2_sandbox:195505063676"),
    ];
    let (status, _, _) = token(&holder, &tls, &theirs).await;
    assert_eq!(status, 401, "another application's client id with my test certificate");

    // curl with the PKCS#12 and its passphrase, as the page shows it.
    // On a blocking thread: the portal runs on this test's runtime.
    let cacert = data.path().join("tls/localhost.pem");
    let cert = format!("{}:{PASSPHRASE}", p12.display());
    let client_id = format!("client_id={}", tpp.client_id);
    let url = format!("{tls}/oauth2/token");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args([
                "-s",
                "--cacert",
                cacert.to_str().unwrap(),
                "--cert-type",
                "P12",
                "--cert",
                &cert,
                "-d",
                "grant_type=client_credentials",
                "-d",
                &client_id,
                "-d",
                "scope=psd2_sandbox:195505063676",
                &url,
            ])
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let answer: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("curl: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(answer["access_token"].is_string(), "{answer}");

    // A test certificate is refused for production, with its own code.
    let (status, refused) = api
        .put_certificate(
            &tpp.application_id,
            issued["certificate_pem"].as_str().unwrap().to_string(),
        )
        .await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("test_certificate")));

    // Another developer's application answers 404.
    let (status, _) = app
        .api_for("stranger@example.se")
        .await
        .post(&path, json!({"roles": ["PSP_AI"], "passphrase": PASSPHRASE}))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_production_tab_issues_a_test_certificate_once_with_its_downloads_and_commands() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_tls_app(data.path(), |_| {}).await;
    let tpp = app.tpp("pages@example.se", &["accounts-sandbox"]).await;
    let id = &tpp.application_id;
    let tab = tpp
        .browser
        .get_html(&format!("/applications/{id}?tab=production"))
        .await;
    assert!(tab.contains(&format!(r#"href="/applications/{id}/test-certificates/new""#)));
    let form = tpp
        .browser
        .get_html(&format!("/applications/{id}/test-certificates/new"))
        .await;
    assert!(form.contains(r#"name="role_ai""#) && form.contains(r#"name="passphrase_confirmation""#));

    // A mistake keeps the roles ticked and never echoes the passphrase.
    let res = tpp
        .browser
        .post_form(
            &format!("/applications/{id}/test-certificates"),
            &[
                ("role_pi", "yes"),
                ("passphrase", PASSPHRASE),
                ("passphrase_confirmation", "something else"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("The two passphrases differ."));
    assert!(page.contains(r#"id="role_pi" name="role_pi" value="yes" checked"#));
    assert!(!page.contains(r#"id="role_ai" name="role_ai" value="yes" checked"#));
    assert!(!page.contains(PASSPHRASE));

    let res = tpp
        .browser
        .post_form(
            &format!("/applications/{id}/test-certificates"),
            &[
                ("role_ai", "yes"),
                ("passphrase", PASSPHRASE),
                ("passphrase_confirmation", PASSPHRASE),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains(
        r#"id="download-p12" download="psd2_sandbox-test-qwac.p12" href="data:application/x-pkcs12;base64,"#
    ));
    assert!(page.contains(r#"id="download-key""#));
    assert!(
        page.contains(&format!("-d client_id={}", tpp.client_id)),
        "the real client id in the command"
    );
    let tls = app.tls_base.as_ref().unwrap();
    assert!(page.contains(&format!("{tls}/oauth2/token")), "the mutual-TLS address");
    let tab = tpp
        .browser
        .get_html(&format!("/applications/{id}?tab=production"))
        .await;
    assert!(tab.contains("PSDSE-TEST-"), "listed on the Production tab");
    assert!(!tab.contains("PRIVATE KEY"));
}
