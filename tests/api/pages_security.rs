use crate::support::{Mail, as_pairs, signup_fields, spawn_app, spawn_app_configured};

#[tokio::test]
async fn a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.csrf().await; // the session exists and has a token
    let fields = signup_fields("anna@example.se");
    let mut pairs = as_pairs(&fields);

    let res = app.post_form_raw("/signup", &pairs).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("nothing was changed"));

    pairs.push(("csrf_token", "forged"));
    assert_eq!(app.post_form_raw("/signup", &pairs).await.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);

    // A signed-in developer is not signed out by a forged form.
    let anna = app.signed_in_developer("anna@example.se").await;
    assert_eq!(
        anna.post_form_raw("/signout", &[("csrf_token", "forged")])
            .await
            .status(),
        403
    );
    assert!(anna.is_signed_in().await);
}

#[tokio::test]
async fn another_sessions_csrf_token_does_not_work() {
    let app = spawn_app().await;
    let other = app.new_browser();
    let token = other.csrf().await;
    app.csrf().await;
    let fields = signup_fields("anna@example.se");
    let mut pairs = as_pairs(&fields);
    pairs.push(("csrf_token", &token));
    assert_eq!(app.post_form_raw("/signup", &pairs).await.status(), 403);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_locked_down_cookie() {
    let app = spawn_app().await;
    let res = app.get("/signup").await;
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
    assert!(!h.contains_key("strict-transport-security"), "no HSTS over plain http");
}

#[tokio::test]
async fn no_page_has_inline_script() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/signup",
        "/signin",
        "/password/forgot",
        "/legal/privacy",
        "/legal/terms",
    ] {
        let html = app.get_html(path).await;
        assert!(!html.contains("<script>"), "{path} has an inline script");
        assert!(!html.contains(" onclick="), "{path} has an inline handler");
    }
}

#[tokio::test]
async fn a_form_body_over_64_kib_gets_413() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    let big = "x".repeat(70 * 1024);
    let res = app
        .post_form_raw("/signin", &[("csrf_token", &token), ("email", &big)])
        .await;
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("64 KiB"));
}

#[tokio::test]
async fn an_unknown_address_gets_a_friendly_404_page() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("Go to the home page"));
}

#[tokio::test]
async fn health_and_readiness_report_the_process_and_the_database() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.svc.db.close().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 503);
}

#[tokio::test]
async fn a_server_error_shows_a_page_with_the_request_id_and_no_detail() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    app.svc.db.close().await;
    let res = anna.get("/profile").await;
    assert_eq!(res.status(), 500);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    assert!(html.contains("Something went wrong"));
    assert!(html.contains(&id), "the page shows the request id {id}");
    assert!(!html.to_lowercase().contains("pool"), "no internal detail on the page");
}

#[tokio::test]
async fn behind_an_https_public_url_the_session_cookie_is_secure_and_mail_links_use_it() {
    let app = spawn_app_configured(Mail::Smtp, |c| {
        c.public_url = Some(url::Url::parse("https://developer.bank.example/").unwrap());
    })
    .await;
    let res = app.get("/signup").await;
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let api = app.get("/api/v1/openapi.json").await;
    assert!(api.headers().contains_key("strict-transport-security"));
    assert_eq!(app.svc.url("/signin"), "https://developer.bank.example/signin");
}

#[tokio::test]
async fn an_anonymous_visit_to_a_page_without_a_form_stores_no_session() {
    let app = spawn_app().await;
    let before = app.table_counts().await["tower_sessions"];
    for path in [
        "/",
        "/apis",
        "/apis/accounts-sandbox",
        "/apis/accounts-production?tab=documentation",
        "/legal/terms",
    ] {
        let res = app.new_browser().get(path).await;
        assert!(!res.headers().contains_key("set-cookie"), "{path} set a cookie");
    }
    assert_eq!(app.table_counts().await["tower_sessions"], before);
    let res = app.new_browser().get("/signup").await;
    assert!(
        res.headers().contains_key("set-cookie"),
        "a form page makes a session for its CSRF token"
    );
}
