use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::support::{Api, between, fixture, location, sign_with_fixture_key, spawn_app};

const REFUSED: &[(&str, &str, &str)] = &[
    (
        "qsealc.pem",
        "not_qwac",
        "This is a seal certificate (QSealC). Upload your website certificate (QWAC)",
    ),
    (
        "qwac-expired.pem",
        "expired",
        "This certificate has expired: it was valid from",
    ),
    (
        "qwac-not-yet-valid.pem",
        "not_yet_valid",
        "This certificate is not valid yet: it is valid from",
    ),
    (
        "tls-no-qcstatements.pem",
        "not_qualified",
        "This is not a qualified certificate",
    ),
    (
        "qwac-no-psd2-statement.pem",
        "no_psd2_roles",
        "This QWAC has no PSD2 roles",
    ),
    (
        "qwac-no-organization-identifier.pem",
        "no_organization_identifier",
        "no organizationIdentifier",
    ),
    (
        "qwac-bad-organization-identifier.pem",
        "bad_organization_identifier",
        "is not a PSD2 organization ID",
    ),
    (
        "private-key.pem",
        "private_key_not_accepted",
        "This is a private key. Never share a private key",
    ),
    (
        "garbage.bin",
        "not_a_certificate",
        "This file is not an X.509 certificate",
    ),
];

#[tokio::test]
async fn a_developer_uploads_qwac_ai_pi_and_sees_its_organization_id_and_roles() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let res = anna
        .upload_certificate(&id, "qwac-ai-pi.pem", fixture("qwac-ai-pi.pem"))
        .await;
    assert_eq!(location(&res), format!("/applications/{id}?tab=production"));
    let tab = anna.get_html(&location(&res)).await;
    assert!(
        tab.contains("certificate registered: organization ID PSDSE-FINA-900001"),
        "{tab}"
    );
    assert!(tab.contains(r#"<strong id="organization-id">PSDSE-FINA-900001</strong>"#));
    for shown in [
        "Finansinspektionen (SE-FINA)",
        "<strong>PSP_AI</strong>: account information",
        "<strong>PSP_PI</strong>: payment initiation",
        "Example Test QTSP CA",
    ] {
        assert!(tab.contains(shown), "{shown}");
    }
    assert!(tab.contains(r#"<code class="fingerprint">"#));
}

#[tokio::test]
async fn every_other_fixture_is_refused_on_the_page_with_its_message_and_nothing_is_stored() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    for (file, _, message) in REFUSED {
        let res = anna.upload_certificate(&id, file, fixture(file)).await;
        assert_eq!(res.status(), 422, "{file}");
        let html = res.text().await.unwrap();
        assert!(html.replace("&#39;", "'").contains(message), "{file}: {html}");
        assert!(html.contains("Nothing was stored."));
        // The upload form is right there again, its field marked and labelled once.
        assert!(
            html.contains(r#"enctype="multipart/form-data""#),
            "{file}: the form again"
        );
        assert!(
            html.contains(r#"aria-invalid="true" aria-describedby="certificate-error""#),
            "{file}"
        );
        assert_eq!(
            html.matches(r#"id="certificate""#).count(),
            1,
            "{file}: one element with the file input's id"
        );
        assert!(!html.contains("csrf_token="), "no token in any URL");
    }
    let key = String::from_utf8(fixture("private-key.pem")).unwrap();
    let html = anna
        .upload_certificate(&id, "key.pem", key.clone().into_bytes())
        .await
        .text()
        .await
        .unwrap();
    let secret_line = key.lines().nth(1).unwrap();
    assert!(!html.contains(secret_line), "a private key is never echoed back");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificates").await,
        0,
        "nothing stored after any refusal"
    );

    // The DER fixture, the chain (the first is the leaf), and pasted PEM are accepted.
    let res = anna
        .upload_certificate(&id, "qwac-ai.der", fixture("qwac-ai.der"))
        .await;
    assert!(anna.get_html(&location(&res)).await.contains("PSDFI-FINFSA-900002"));
    let res = anna
        .upload_certificate(&id, "chain.pem", fixture("qwac-ai-pi-chain.pem"))
        .await;
    let tab = anna.get_html(&location(&res)).await;
    assert!(
        tab.contains("PSDSE-FINA-900001") && tab.contains("the 1 after it was ignored"),
        "{tab}"
    );
    let token = anna.csrf().await;
    let pasted = Form::new()
        .text("csrf_token", token.clone())
        .text("pem", String::from_utf8(fixture("qwac-pi-only.pem")).unwrap());
    let res = anna
        .client
        .post(anna.url(&format!("/applications/{id}/certificate")))
        .multipart(pasted)
        .send()
        .await
        .unwrap();
    assert!(anna.get_html(&location(&res)).await.contains("PSDSE-FINA-900006"));
}

#[tokio::test]
async fn an_upload_over_64_kib_gets_413_and_an_upload_without_the_csrf_token_403() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let mut big = fixture("qwac-ai-pi.pem");
    big.resize(70 * 1024, b'\n');
    assert_eq!(anna.upload_certificate(&id, "big.pem", big).await.status(), 413);
    let form = Form::new().part("certificate", Part::bytes(fixture("qwac-ai-pi.pem")).file_name("c.pem"));
    let res = anna
        .client
        .post(anna.url(&format!("/applications/{id}/certificate")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A token in the URL is not taken: it would end up in logs and Referer.
    let token = anna.csrf().await;
    let form = Form::new().part("certificate", Part::bytes(fixture("qwac-ai-pi.pem")).file_name("c.pem"));
    let res = anna
        .client
        .post(anna.url(&format!("/applications/{id}/certificate?csrf_token={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 0);
}

#[tokio::test]
async fn replacing_keeps_the_old_certificate_in_the_history_and_delete_ends_it() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.upload_certificate(&id, "a.pem", fixture("qwac-ai-pi.pem")).await;
    let res = anna.upload_certificate(&id, "b.pem", fixture("qwac-pi-only.pem")).await;
    let tab = anna.get_html(&location(&res)).await;
    assert!(tab.contains("The previous certificate is kept in the history"));
    assert!(tab.contains(r#"<strong id="organization-id">PSDSE-FINA-900006</strong>"#));
    assert!(tab.contains("<h3>History</h3>") && tab.contains("<td>PSDSE-FINA-900001</td>"));
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates WHERE active").await, 1);

    let res = anna
        .post_form(&format!("/applications/{id}/certificate/delete"), &[])
        .await;
    let tab = anna.get_html(&location(&res)).await;
    assert!(tab.contains("The certificate is deleted"));
    assert!(!tab.contains(r#"id="organization-id""#));
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates WHERE active").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 2);
}

#[tokio::test]
async fn a_certificate_held_by_another_developer_is_refused_without_saying_who() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let bo = app.signed_in_developer("bo@example.se").await;
    let a = anna.create_application("psd2_sandbox").await;
    let b = bo.create_application("psd2_sandbox").await;
    anna.upload_certificate(&a, "c.pem", fixture("qwac-ai-pi.pem")).await;
    confirm_key(&anna, &a).await;
    let res = bo.upload_certificate(&b, "c.pem", fixture("qwac-ai-pi.pem")).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("already registered under another developer account"));
    assert!(!html.contains("anna"), "who holds it is not said");
    // The same developer may use it for another of their applications.
    let a2 = anna.create_application("second").await;
    assert_eq!(
        anna.upload_certificate(&a2, "c.pem", fixture("qwac-ai-pi.pem"))
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn production_subscriptions_and_keys_need_a_certificate_with_the_right_role() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.post_form("/apis/accounts-production/subscribe", &[("application_id", &id)])
        .await;
    assert!(
        anna.get_html("/apis/accounts-production?tab=subscribe")
            .await
            .contains("register it on the Production tab")
    );
    let res = anna
        .post_form(&format!("/applications/{id}/production-keys"), &[])
        .await;
    assert!(
        anna.get_html(&location(&res))
            .await
            .contains("once the application&#39;s eIDAS certificate (QWAC) is registered")
    );

    anna.upload_certificate(&id, "ai.der", fixture("qwac-ai.der")).await;
    let sub = anna.subscribe(&id, "accounts-production").await;
    assert!(
        anna.get_html(&format!("/subscriptions/{sub}"))
            .await
            .contains("Production")
    );
    anna.post_form("/apis/payments-production/subscribe", &[("application_id", &id)])
        .await;
    let page = anna.get_html("/apis/payments-production?tab=subscribe").await;
    assert!(page.contains("does not carry the role PSP_PI"), "{page}");
    assert_eq!(app.count("SELECT COUNT(*) FROM subscriptions").await, 1);

    let keys = anna
        .post_form(&format!("/applications/{id}/production-keys"), &[])
        .await;
    assert_eq!(keys.status(), 303, "no secret page: production keys have no secret");
    let tab = anna.get_html(&format!("/applications/{id}?tab=production")).await;
    assert!(
        tab.contains("Production client id") && tab.contains("there is no secret"),
        "{tab}"
    );
}

#[tokio::test]
async fn every_fixture_through_the_json_api() {
    let app = spawn_app().await;
    let _anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    let (_, created) = api.post("/api/v1/applications", json!({"name": "psd2_sandbox"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let url = format!("{}/api/v1/applications/{id}/certificate", app.base);
    let client = reqwest::Client::new();
    let put = |body: Vec<u8>, content_type: &'static str| {
        client
            .put(&url)
            .bearer_auth(&api.token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    for (file, code, _) in REFUSED {
        let res = put(fixture(file), "application/x-pem-file").await.unwrap();
        assert_eq!(res.status(), 422, "{file}");
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], *code, "{file}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 0);
    assert_eq!(
        put(fixture("qwac-ai-pi.pem"), "application/json")
            .await
            .unwrap()
            .status(),
        415
    );
    let mut big = fixture("qwac-ai-pi.pem");
    big.resize(70 * 1024, b'\n');
    assert_eq!(put(big, "application/x-pem-file").await.unwrap().status(), 413);

    let res = put(fixture("qwac-ai.der"), "application/pkix-cert").await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["organization_id"], "PSDFI-FINFSA-900002");
    assert_eq!(body["roles"].as_array().unwrap().len(), 1);
    assert_eq!(body["roles"][0]["code"], "PSP_AI");

    // A generated client uploads a file as application/octet-stream, PEM or DER alike.
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let upload = &doc["paths"]["/api/v1/applications/{id}/certificate"]["put"]["requestBody"]["content"];
    let binary = &doc["components"]["schemas"]["CertificateFile"];
    assert_eq!(
        upload["application/octet-stream"]["schema"]["$ref"],
        "#/components/schemas/CertificateFile"
    );
    assert_eq!(
        (binary["type"].as_str(), binary["format"].as_str()),
        (Some("string"), Some("binary"))
    );
    let res = put(fixture("qwac-pi-only.pem"), "application/octet-stream")
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["organization_id"], "PSDSE-FINA-900006");

    let res = put(fixture("qwac-ai-pi-chain.pem"), "application/x-pem-file")
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (body["organization_id"].as_str(), body["ignored_in_chain"].as_u64()),
        (Some("PSDSE-FINA-900001"), Some(1))
    );
    let (status, got) = api.get(&format!("/api/v1/applications/{id}/certificate")).await;
    assert_eq!(
        (status, got["organization_id"].as_str()),
        (200, Some("PSDSE-FINA-900001"))
    );
    assert_eq!(
        api.delete(&format!("/api/v1/applications/{id}/certificate")).await.0,
        204
    );
    let (status, none) = api.get(&format!("/api/v1/applications/{id}/certificate")).await;
    assert_eq!((status, none["error"].as_str()), (404, Some("no_certificate")));
    assert_eq!(
        api.delete(&format!("/api/v1/applications/{id}/certificate")).await.0,
        404
    );

    // Another developer's application: 404, and nothing stored.
    let _bo = app.signed_in_developer("bo@example.se").await;
    let bo = app.api_for("bo@example.se").await;
    let res = client
        .put(&url)
        .bearer_auth(&bo.token)
        .header("content-type", "application/x-pem-file")
        .body(fixture("qwac-pi-only.pem"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        Api::new(&app.base, &bo.token)
            .get(&format!("/api/v1/applications/{id}/certificate"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn deleting_the_application_deletes_its_certificates() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.upload_certificate(&id, "a.pem", fixture("qwac-ai-pi.pem")).await;
    anna.upload_certificate(&id, "b.pem", fixture("qwac-pi-only.pem")).await;
    assert!(
        anna.get_html(&format!("/applications/{id}/delete"))
            .await
            .contains("<li>2 registered certificates (with the history)</li>")
    );
    let before = app.table_counts().await;
    anna.delete_application(&id, "psd2_sandbox").await;
    let mut expected = before.clone();
    *expected.get_mut("applications").unwrap() -= 1;
    *expected.get_mut("certificates").unwrap() -= 2;
    *expected.get_mut("audit_log").unwrap() += 1;
    assert_eq!(app.table_counts().await, expected);
    let bo = app.signed_in_developer("bo@example.se").await;
    let b = bo.create_application("psd2_sandbox").await;
    assert_eq!(
        bo.upload_certificate(&b, "a.pem", fixture("qwac-ai-pi.pem"))
            .await
            .status(),
        303,
        "free again"
    );
}

/// Signs the certificate's challenge shown on the production tab and posts it.
async fn confirm_key(dev: &crate::support::Browser, app_id: &str) -> reqwest::Response {
    let tab = dev.get_html(&format!("/applications/{app_id}?tab=production")).await;
    let challenge = between(&tab, r#"<code id="certificate-challenge">"#, "</code>").unwrap();
    let signature = sign_with_fixture_key("qwac-ai-pi.key", &challenge);
    dev.post_form(
        &format!("/applications/{app_id}/certificate/confirm"),
        &[("signature", &signature)],
    )
    .await
}

#[tokio::test]
async fn an_upload_alone_blocks_nobody_until_the_key_is_proved() {
    let app = spawn_app().await;
    let squatter = app.signed_in_developer("squatter@example.se").await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let s = squatter.create_application("taken_first").await;
    let a = anna.create_application("psd2_sandbox").await;
    // Someone uploads the (public) certificate first…
    assert_eq!(
        squatter
            .upload_certificate(&s, "c.pem", fixture("qwac-ai-pi.pem"))
            .await
            .status(),
        303
    );
    let tab = squatter.get_html(&format!("/applications/{s}?tab=production")).await;
    assert!(tab.contains("not confirmed yet") && tab.contains("openssl dgst -sha256 -sign qwac.key"));
    // …and cannot confirm it without the key.
    let wrong = sign_with_fixture_key("private-key.pem", "devportal-proof-of-possession:whatever");
    let res = squatter
        .post_form(
            &format!("/applications/{s}/certificate/confirm"),
            &[("signature", &wrong)],
        )
        .await;
    assert_eq!(location(&res), format!("/applications/{s}?tab=production"));
    assert!(
        squatter
            .get_html("/profile")
            .await
            .contains("The signature does not match")
    );

    // The holder of the key registers and proves it: the squatter's upload did not block.
    assert_eq!(
        anna.upload_certificate(&a, "c.pem", fixture("qwac-ai-pi.pem"))
            .await
            .status(),
        303
    );
    confirm_key(&anna, &a).await;
    let tab = anna.get_html(&format!("/applications/{a}?tab=production")).await;
    assert!(tab.contains(r#"<dd id="certificate-confirmed">confirmed"#), "{tab}");
    assert!(!tab.contains(r#"id="confirm-certificate""#));
    assert_eq!(app.audited("certificate.confirmed").await.len(), 1);

    // Now nobody else can register it, and a replay of Anna's signature on
    // another application's challenge does not work.
    let other = app.signed_in_developer("other@example.se").await;
    let o = other.create_application("late").await;
    assert_eq!(
        other
            .upload_certificate(&o, "c.pem", fixture("qwac-ai-pi.pem"))
            .await
            .status(),
        409
    );
}

#[tokio::test]
async fn the_json_api_confirms_a_certificate_with_a_signature() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    let api = app.api_for("anna@example.se").await;
    let (_, body) = api.put_certificate(&id, fixture("qwac-ai-pi.pem")).await;
    assert_eq!(body["confirmed"], false);
    let challenge = body["challenge"].as_str().unwrap().to_string();
    assert!(challenge.starts_with(&format!("devportal-proof-of-possession:{id}:")));

    let path = format!("/api/v1/applications/{id}/certificate/confirm");
    let (status, body) = api.post(&path, json!({"signature": "bm90IGEgc2lnbmF0dXJl"})).await;
    assert_eq!((status, body["error"].as_str()), (422, Some("signature_invalid")));
    let signature = sign_with_fixture_key("qwac-ai-pi.key", &challenge);
    let (status, body) = api.post(&path, json!({"signature": signature})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["confirmed"], true);
    let (status, body) = api.post(&path, json!({"signature": signature})).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("already_confirmed")));
}

#[test]
fn a_signature_by_an_rsa_or_p384_key_is_checked_too() {
    use devportal::domain::qwac::possession::verify;
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    for (name, newkey) in [
        ("rsa", vec!["-newkey", "rsa:2048"]),
        ("p384", vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
    ] {
        let key = dir.path().join(format!("{name}.key"));
        let cert = dir.path().join(format!("{name}.der"));
        let ok = Command::new("openssl")
            .args([
                "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=test", "-outform", "DER",
            ])
            .args(&newkey)
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap();
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        let der = std::fs::read(&cert).unwrap();
        let signature = sign_with_fixture_key(key.to_str().unwrap(), "the challenge");
        assert_eq!(verify(&der, "the challenge", &signature), Ok(true), "{name}");
        assert_eq!(verify(&der, "another challenge", &signature), Ok(false), "{name}");
    }
}
