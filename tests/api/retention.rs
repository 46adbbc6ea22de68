//! What the portal keeps, it keeps only as long as the README says: the
//! periodic sweep deletes what is past its time.

use devportal::services::maintenance;

use crate::support::{PASSWORD, spawn_app};

#[tokio::test]
async fn the_sweep_deletes_what_is_past_its_retention_and_keeps_the_rest() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let _api = app.api_for("anna@example.se").await;
    app.new_browser().sign_in("anna@example.se", "a wrong password").await;
    app.post_form("/password/forgot", &[("email", "anna@example.se")]).await;
    app.smtp().wait_for_n("anna@example.se", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let tables = ["throttle", "email_tokens", "outbox", "personal_access_tokens"];
    for t in tables {
        assert!(app.count(&format!("SELECT COUNT(*) FROM {t}")).await > 0, "{t}");
    }

    // A day on, only the rate-limit windows are gone.
    app.clock.advance(time::Duration::days(2));
    maintenance::sweep(&app.svc).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM throttle").await, 0);
    assert!(app.count("SELECT COUNT(*) FROM email_tokens").await > 0);
    assert!(app.count("SELECT COUNT(*) FROM outbox").await > 0);

    // Past every period (the token's 90 days and 30 more), nothing is left.
    app.clock.advance(time::Duration::days(125));
    maintenance::sweep(&app.svc).await.unwrap();
    for t in tables {
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {t}")).await, 0, "{t}");
    }
    // The account itself stays.
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        303
    );
}

/// What a customer's authorization leaves behind (the request, its BankID
/// order, the refresh token) goes too: the request and the order a day on,
/// the refresh token once it has expired with its consent.
#[tokio::test]
async fn the_sweep_forgets_authorizations_bankid_orders_and_expired_refresh_tokens() {
    use crate::support::psu::{ANNA, ANNA_ACCOUNT, REDIRECT, authorize, consent_body};
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    tpp.register_redirect_uris(&[REDIRECT]).await;
    let consent = tpp.ask_consent(consent_body(4)).await;
    let (code, pkce) = authorize(&tpp, &format!("AIS:{consent}"), ANNA, &[ANNA_ACCOUNT]).await;
    assert_eq!(tpp.exchange(&code, &pkce.verifier).await.status, 200);
    let tables = ["authorizations", "bankid_orders", "refresh_tokens"];
    let count = async |t: &str| app.count(&format!("SELECT COUNT(*) FROM {t}")).await;
    maintenance::sweep(&app.svc).await.unwrap();
    for t in tables {
        assert_eq!(count(t).await, 1, "{t} is kept while it may be needed");
    }

    app.clock.advance(time::Duration::days(2));
    maintenance::sweep(&app.svc).await.unwrap();
    assert_eq!(count("authorizations").await, 0);
    assert_eq!(count("bankid_orders").await, 0);
    assert_eq!(count("refresh_tokens").await, 1, "valid until the consent ends");

    app.clock.advance(time::Duration::days(180));
    maintenance::sweep(&app.svc).await.unwrap();
    assert_eq!(count("refresh_tokens").await, 0);
}
