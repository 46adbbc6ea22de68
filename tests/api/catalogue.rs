use crate::support::spawn_app;

fn card_count(html: &str) -> usize {
    html.matches(r#"<li class="card">"#).count()
}

/// The versions shown inside the cards.
fn version_count(html: &str) -> usize {
    html.matches(r#"<div class="version">"#).count()
}

#[tokio::test]
async fn the_store_lists_every_api_in_sandbox_and_production() {
    let app = spawn_app().await;
    let html = app.get_html("/apis").await;
    assert_eq!(card_count(&html), 3, "one card per API");
    assert_eq!(version_count(&html), 6, "each with its Sandbox and Production version");
    assert_eq!(
        html.matches("<h2>Accounts</h2>").count(),
        1,
        "no two cards titled the same"
    );
    assert!(
        html.contains("eIDAS QWAC with the PSP_AI role"),
        "what production needs"
    );
    for slug in [
        "accounts-sandbox",
        "accounts-production",
        "payments-sandbox",
        "payments-production",
        "funds-confirmation-sandbox",
    ] {
        assert!(html.contains(&format!(r#"href="/apis/{slug}""#)), "{slug}");
    }
    assert!(
        html.contains(r#"<a href="/apis/accounts-sandbox"><span class="visually-hidden">Accounts, </span>Sandbox</a>"#)
    );
    assert!(html.contains(
        r#"<a href="/apis/accounts-production"><span class="visually-hidden">Accounts, </span>Production</a>"#
    ));
    assert_eq!(
        html.matches("Coming soon</span>").count(),
        2,
        "funds confirmation, both versions"
    );
}

#[tokio::test]
async fn the_store_searches_by_name_or_tag_and_filters_by_environment_without_javascript() {
    let app = spawn_app().await;
    let ais = app.get_html("/apis?q=AIS").await;
    assert_eq!((card_count(&ais), version_count(&ais)), (1, 2), "tag, any case");
    let payments = app.get_html("/apis?q=payments&env=sandbox").await;
    assert_eq!((card_count(&payments), version_count(&payments)), (1, 1));
    let production = app.get_html("/apis?env=production").await;
    assert_eq!((card_count(&production), version_count(&production)), (3, 3));
    let none = app.get_html("/apis?q=mortgages").await;
    assert_eq!(card_count(&none), 0);
    assert!(none.contains("No API matches"));
    assert!(
        app.get_html("/apis?q=balances").await.contains(r#"value="balances""#),
        "the search is kept"
    );
}

#[tokio::test]
async fn an_api_page_has_overview_documentation_with_test_users_console_and_subscribe_tabs() {
    let app = spawn_app().await;
    let overview = app.get_html("/apis/accounts-sandbox").await;
    assert!(overview.contains("<code>/sandbox/accounts/1.0.0</code>"));
    let dev = app.signed_in_developer("reader@tpp.example").await;
    let docs = dev.get_html("/apis/accounts-sandbox?tab=documentation").await;
    assert!(docs.contains("<table>"), "markdown tables render");
    for ssn in ["195505063676", "201011119789", "198312112678"] {
        assert!(docs.contains(&format!("<code>{ssn}</code>")), "test user {ssn}");
    }
    let production_docs = app.get_html("/apis/accounts-production?tab=documentation").await;
    assert!(!production_docs.contains("Sandbox test users"));
    let console = dev.get_html("/apis/payments-sandbox?tab=console").await;
    assert!(console.contains("<code>/Payments/{paymentProduct}/{paymentId}/status</code>"));
    assert!(console.contains("<code>/SigningBasket/{basketId}</code>"));
    let subscribe = app.get_html("/apis/accounts-sandbox?tab=subscribe").await;
    assert!(subscribe.contains("Sign in</a> to subscribe"));
    assert_eq!(app.get("/apis/no-such-api").await.status(), 404);
}

#[tokio::test]
async fn the_subscribe_tab_lists_the_developers_applications() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    assert!(
        anna.get_html("/apis/accounts-sandbox?tab=subscribe")
            .await
            .contains("Create one")
    );
    let id = anna.create_application("psd2_sandbox").await;
    let html = anna.get_html("/apis/accounts-sandbox?tab=subscribe").await;
    assert!(html.contains(&format!(r#"<option value="{id}">psd2_sandbox</option>"#)));
    let soon = anna.get_html("/apis/funds-confirmation-sandbox?tab=subscribe").await;
    assert!(soon.contains("coming soon and cannot be subscribed to yet"));
}

#[tokio::test]
async fn loading_the_catalogue_again_updates_each_api_in_place() {
    let app = spawn_app().await;
    app.exec("UPDATE apis SET summary = 'an old summary' WHERE slug = 'accounts-sandbox'")
        .await;
    let before = app.count("SELECT COUNT(*) FROM apis").await;
    devportal::services::catalogue::load(&app.svc).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM apis").await, before, "no duplicates");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM apis WHERE summary = 'an old summary'")
            .await,
        0
    );
}
