//! The bank's brand from DEVPORTAL_BRAND_DIR: its name, logo, colours,
//! footer and support contact in pages and mails; its legal texts, and a new
//! version approved at the next sign-in.

use std::path::PathBuf;

use crate::support::{Mail, PASSWORD, TestApp, location, spawn_app, spawn_app_configured};

fn example_brand() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brand")
}

async fn branded() -> TestApp {
    spawn_app_configured(Mail::Smtp, |c| c.portal.brand_dir = Some(example_brand())).await
}

#[tokio::test]
async fn the_brand_is_on_every_page_and_in_every_mail() {
    let app = branded().await;
    let home = app.get_html("/").await;
    for shown in [
        "<title>",
        "· Example Bank</title>",
        r#"<img src="/brand/logo""#,
        r#"<span class="brand-name">Example Bank</span>"#,
        "Open banking for developers",
        r#"<a href="https://bank.example/about">About Example Bank</a>"#,
        r#"<a href="mailto:openbanking@bank.example">openbanking@bank.example</a>"#,
        r#"<link rel="stylesheet" href="/brand.css">"#,
    ] {
        assert!(home.contains(shown), "{shown}");
    }
    assert!(!home.contains("Devportal <span"), "the neutral name is gone");
    let css = app.get("/brand.css").await.text().await.unwrap();
    assert!(css.contains("--brand: #00594f"), "{css}");
    let logo = app.get("/brand/logo").await;
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(
        logo.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"),
        "an SVG runs no script"
    );
    let favicon = app.get("/favicon.ico").await;
    assert_eq!(favicon.status(), 200);
    assert!(favicon.text().await.unwrap().contains("#00594f"));

    app.sign_up("brand@tpp.example").await;
    let mail = app.verification_mail("brand@tpp.example").await;
    assert!(mail.subject().contains("Example Bank"), "{}", mail.subject());
    assert!(mail.text().contains("Welcome to the Example Bank developer portal"));
    assert!(
        mail.text().contains("openbanking@bank.example"),
        "the support contact signs the text"
    );
    assert!(mail.html().contains("#00594f") && mail.html().contains("Example Bank · developer portal"));
}

#[tokio::test]
async fn the_legal_texts_are_the_banks_markdown_with_their_versions() {
    let app = branded().await;
    let terms = app.get_html("/legal/terms").await;
    assert!(
        terms.contains("<h1>Terms of use of Example Bank"),
        "the Markdown heading"
    );
    assert!(terms.contains("hardware security module"));
    assert!(terms.contains("version 2026-12-01"));
    let signup = app.get_html("/signup").await;
    assert!(signup.contains("Privacy policy</a> (version 2026-12-01)"));
    app.sign_up("legal@tpp.example").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE privacy_version = '2026-12-01' AND terms_version = '2026-12-01'")
            .await,
        1,
        "the versions approved at sign-up are recorded"
    );
    // Without a brand folder: the neutral portal, with a favicon too.
    let neutral = spawn_app().await;
    assert!(
        neutral
            .get_html("/")
            .await
            .contains(r#"<span class="brand-name">Devportal</span>"#)
    );
    assert_eq!(neutral.get("/favicon.ico").await.status(), 200);
    assert_eq!(neutral.get("/brand/logo").await.status(), 404);
}

#[tokio::test]
async fn a_new_terms_version_is_approved_at_the_next_sign_in_and_the_approval_is_recorded() {
    let app = branded().await;
    app.signed_in_developer("again@tpp.example").await;
    // The account approved an older version of the terms; the bank publishes 2026-12-01.
    app.exec("UPDATE users SET terms_version = '2026-06-01' WHERE email = 'again@tpp.example'")
        .await;
    let browser = app.new_browser();
    let res = browser.sign_in("again@tpp.example", PASSWORD).await;
    assert_eq!(location(&res), "/dashboard");
    let res = browser.get("/dashboard").await;
    assert_eq!(
        location(&res),
        "/legal/approve?next=%2Fdashboard",
        "asked before the next page"
    );
    let page = browser.get_html("/legal/approve?next=%2Fdashboard").await;
    assert!(page.contains("Example Bank has updated its terms"));
    assert!(page.contains("Terms of use</a> (version 2026-12-01)"));
    assert!(!page.contains(r#"id="accept_privacy""#), "only what changed is asked");

    let res = browser.post_form("/legal/approve", &[("next", "/dashboard")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r##"<a href="#accept_terms">"##),
        "the error summary links to the box"
    );
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="accept_terms-error""#));

    let res = browser
        .post_form("/legal/approve", &[("next", "/dashboard"), ("accept_terms", "yes")])
        .await;
    assert_eq!(location(&res), "/dashboard");
    assert_eq!(browser.get("/dashboard").await.status(), 200, "nothing more to approve");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE terms_version = '2026-12-01'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'account.legal_approved' \
             AND detail LIKE '%terms of use 2026-12-01 (was 2026-06-01)%'"
        )
        .await,
        1,
        "the approval is in the audit log"
    );
}
