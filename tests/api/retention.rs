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
