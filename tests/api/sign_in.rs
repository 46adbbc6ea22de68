use crate::support::{Browser, Mail, PASSWORD, location, spawn_app, spawn_app_configured};

#[tokio::test]
async fn an_unverified_account_is_refused_with_a_way_to_get_the_mail_again() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    app.verification_mail("anna@example.se").await;

    let res = app.sign_in("anna@example.se", PASSWORD).await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("Your e-mail address is not verified yet"));
    assert!(html.contains(r#"action="/verify-email/resend""#));
    assert!(!app.is_signed_in().await);

    let res = app
        .post_form("/verify-email/resend", &[("email", "anna@example.se")])
        .await;
    assert_eq!(res.status(), 303);
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    assert!(mails[1].subject().contains("Verify"));
    assert!(app.get_html("/signin").await.contains("a new link is on its way"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = spawn_app().await;
    let _anna = app.signed_in_developer("anna@example.se").await;

    let wrong = app.sign_in("anna@example.se", "not the right password").await;
    let unknown = app.sign_in("nobody@example.se", "not the right password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "The e-mail address or the password is not right.";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert!(wrong.contains(r#"value="anna@example.se""#), "the address is kept");
    assert!(
        !wrong.contains("not the right password"),
        "the password is never echoed"
    );
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_with_a_page_that_says_when_to_try_again() {
    let app = spawn_app().await;
    app.start_of_window(60);
    let _anna = app.signed_in_developer("anna@example.se").await;
    // One attempt is already counted for this account (the sign-in above).
    for _ in 0..9 {
        let b = app.new_browser();
        assert_eq!(b.sign_in("anna@example.se", "wrong password here").await.status(), 401);
    }
    let res = app.new_browser().sign_in("anna@example.se", PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many attempts"));
    assert!(html.contains("Try again in"));

    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        app.new_browser().sign_in("anna@example.se", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn sign_in_is_throttled_per_client_address_across_accounts() {
    let app = spawn_app().await;
    app.start_of_window(60);
    for i in 0..30 {
        let res = app
            .new_browser()
            .sign_in(&format!("user{i}@example.se"), "wrong password here")
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = app
        .new_browser()
        .sign_in("someone@example.se", "wrong password here")
        .await;
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    anna.post_form("/signout", &[]).await;

    let before = anna.get("/signin").await;
    let before_cookie = cookie(&before, "devportal_session");
    let res = anna.sign_in("anna@example.se", PASSWORD).await;
    let after_cookie = cookie(&res, "devportal_session");
    assert!(after_cookie.is_some(), "sign-in sets a session cookie");
    assert_ne!(before_cookie, after_cookie);
    assert!(anna.is_signed_in().await);
}

fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn after_sign_in_only_local_paths_are_followed() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    for (next, expected) in [
        ("/profile", "/profile"),
        // Anywhere else: the developer's home, the dashboard.
        ("//evil.example/x", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        ("/\\evil.example/x", "/dashboard"),
        ("/..//evil.example/x", "/dashboard"),
    ] {
        let b = app.new_browser();
        let res = b
            .post_form(
                "/signin",
                &[("email", "anna@example.se"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(location(&res), expected, "next={next}");
    }
}

#[tokio::test]
async fn a_next_with_control_characters_is_a_400_not_a_redirect_browsers_misread() {
    let app = spawn_app().await;
    // A tab is dropped by browsers: `/\t/evil.example` would go to //evil.example.
    for next in ["/%09/evil.example/x", "/x%0D%0ASet-Cookie:%20a=b", "/x%00"] {
        let res = app.get(&format!("/signin?next={next}")).await;
        assert_eq!(res.status(), 400, "next={next}");
        assert!(res.headers().get("location").is_none());
        assert!(res.text().await.unwrap().contains("control characters"));
    }
    let res = app
        .post_form(
            "/signin",
            &[
                ("email", "anna@example.se"),
                ("password", PASSWORD),
                ("next", "/\t/evil.example/x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_session_ends_after_the_maximum_lifetime() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    assert!(anna.is_signed_in().await);
    app.clock.advance(time::Duration::hours(13));
    assert!(!anna.is_signed_in().await);
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_back() {
    let app = spawn_app().await;
    let res = app.get("/profile").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signin?next=%2Fprofile");
    let html = app.get_html("/signin?next=%2Fprofile").await;
    assert!(html.contains(r#"name="next" value="/profile""#));
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() {
    // tower-sessions keeps the idle expiry on the real clock: a short one here.
    let app = crate::support::spawn_app_configured(crate::support::Mail::Smtp, |c| {
        c.session_idle = time::Duration::seconds(2);
    })
    .await;
    let anna = app.signed_in_developer("anna@example.se").await;
    assert!(anna.is_signed_in().await);
    for _ in 0..2 {
        // 2.4 s after sign-in in all: only each request's renewal keeps it.
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        assert!(anna.is_signed_in().await, "activity keeps the session");
    }
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    assert!(!anna.is_signed_in().await, "idle for longer than the timeout");
}

#[tokio::test]
async fn strangers_guessing_from_many_addresses_do_not_lock_the_owner_out() {
    let app = spawn_app_configured(Mail::Smtp, |c| c.trust_forwarded_for = true).await;
    app.start_of_window(60);
    app.sign_up("anna@example.se").await;
    let link = app.verification_mail("anna@example.se").await.link_to("/verify-email");
    app.get(&link).await;
    let home = Browser::from_address(&app.base, "10.0.0.1");
    assert_eq!(home.sign_in("anna@example.se", PASSWORD).await.status(), 303);

    // 100 wrong passwords from 20 addresses, five each: no address is held back.
    for a in 0..20 {
        let stranger = Browser::from_address(&app.base, &format!("10.1.0.{a}"));
        for _ in 0..5 {
            assert_eq!(
                stranger
                    .sign_in("anna@example.se", "wrong password here")
                    .await
                    .status(),
                401
            );
        }
    }
    // The account now holds back addresses it has never signed in from…
    let new_place = Browser::from_address(&app.base, "10.2.0.1");
    assert_eq!(new_place.sign_in("anna@example.se", PASSWORD).await.status(), 429);
    // …but not the owner's known address, even with the right password only.
    let home_again = Browser::from_address(&app.base, "10.0.0.1");
    assert_eq!(home_again.sign_in("anna@example.se", PASSWORD).await.status(), 303);
    // After the minute, anyone may try again.
    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(new_place.sign_in("anna@example.se", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn the_throttle_keeps_no_typed_address_or_password_in_clear() {
    let app = spawn_app().await;
    app.new_browser()
        .sign_in("anna@example.se", "hunter2 typed as e-mail")
        .await;
    app.new_browser().sign_in("my secret password", "x").await;
    let buckets = app.rows("SELECT bucket FROM throttle").await;
    assert!(!buckets.is_empty());
    for b in buckets {
        assert!(!b.contains("anna") && !b.contains("secret"), "{b}");
    }
}

#[tokio::test]
async fn the_database_holds_no_session_id_and_sign_out_deletes_the_session() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let res = anna.get("/profile").await;
    assert_eq!(res.status(), 200);
    let table = match app.svc.db.backend() {
        "postgres" => "tower_sessions.session",
        _ => "tower_sessions",
    };
    let cookie_id = {
        let res = anna.sign_in("anna@example.se", PASSWORD).await;
        cookie(&res, "devportal_session")
            .unwrap()
            .trim_start_matches("devportal_session=")
            .to_string()
    };
    let stored = app.rows(&format!("SELECT id FROM {table}")).await;
    assert!(!stored.is_empty());
    assert!(
        !stored.contains(&cookie_id),
        "the cookie's id is not a key in the database"
    );

    let res = anna.post_form("/signout", &[]).await;
    assert_eq!(location(&res), "/signin?signed_out=1");
    let expired = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("devportal_session=") && (c.contains("Max-Age=0") || c.contains("1970")));
    assert!(expired, "sign-out expires the cookie");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM {table}")).await,
        0,
        "and deletes the row"
    );
    assert!(
        anna.get_html("/signin?signed_out=1")
            .await
            .contains("You are signed out.")
    );
    assert!(!anna.is_signed_in().await);
}
