use std::time::Duration;

use crate::support::smtp::SmtpServer;
use crate::support::{Mail, PASSWORD, refusal_to_start, spawn_app, spawn_app_with};

#[tokio::test]
async fn sign_up_while_the_mail_server_is_down_keeps_the_mail_and_delivers_it_later() {
    // A port with nothing listening on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(Mail::SmtpDown(port)).await;

    let res = app.sign_up("anna@example.se").await;
    assert_eq!(res.status(), 303, "the account is created anyway");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);

    // The worker tries, fails, and schedules retries; the mail stays queued.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE attempts >= 2 AND sent_at IS NULL")
        .await
        == 0
    {
        assert!(tokio::time::Instant::now() < deadline, "the worker retried");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL")
            .await,
        1
    );

    // While it waits, its body (with the live link) is sealed: a database
    // reader gets no link.
    let stored = app.rows("SELECT body_text || body_html FROM outbox").await;
    assert!(stored[0].starts_with("sealed:v1:") && !stored[0].contains("verify-email"));

    let smtp = SmtpServer::start_on(port).await;
    let mail = smtp.wait_for("anna@example.se").await;
    let link = mail.link_to("/verify-email");
    assert!(!stored[0].contains(&crate::support::token_in(&link)));
    assert!(app.get_html(&link).await.contains("verified"));
    assert_eq!(app.sign_in("anna@example.se", PASSWORD).await.status(), 303);
    assert_eq!(smtp.received_by("anna@example.se").len(), 1, "delivered once");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await, 0);
}

#[tokio::test]
async fn without_smtp_the_dev_mailbox_shows_every_mail_and_its_links_work() {
    let app = spawn_app_with(Mail::DevMailbox).await;
    app.sign_up("anna@example.se").await;

    let list = app.get_html("/dev/mailbox").await;
    assert!(list.contains("anna@example.se"));
    assert!(list.contains("Verify your e-mail address"));
    let href = crate::support::attr_after(&list, r#"<a href="/dev/mailbox/"#).unwrap();
    let mail = app.get_html(&format!("/dev/mailbox/{href}")).await;
    let link = crate::support::attr_after(&mail, r#"<li><a href=""#)
        .unwrap()
        .replace("&amp;", "&");
    assert!(link.contains("/verify-email?token="));
    assert!(app.get_html(&link).await.contains("Your e-mail address is verified"));
    assert_eq!(app.sign_in("anna@example.se", PASSWORD).await.status(), 303);

    let html_part = app.get(&format!("/dev/mailbox/{href}/html")).await;
    assert!(
        html_part.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    assert!(html_part.text().await.unwrap().contains("Verify my e-mail address"));

    // The same for an automated sign-up test: JSON, newest first, with the links.
    let res = app.get("/dev/mailbox.json").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let json: serde_json::Value = res.json().await.unwrap();
    let newest = &json["mails"][0];
    assert_eq!(newest["to"], "anna@example.se");
    assert!(
        newest["subject"]
            .as_str()
            .unwrap()
            .contains("Verify your e-mail address")
    );
    assert!(newest["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(newest["links"][0], link.as_str(), "the link the mail holds");
}

#[tokio::test]
async fn with_smtp_configured_there_is_no_dev_mailbox() {
    let app = spawn_app().await;
    assert_eq!(app.get("/dev/mailbox").await.status(), 404);
    assert_eq!(app.get("/dev/mailbox.json").await.status(), 404);
    assert!(!app.get_html("/").await.contains("/dev/mailbox"));
}

#[tokio::test]
async fn without_smtp_away_from_this_machine_the_portal_refuses_to_start_unless_told() {
    let public =
        |url: &'static str| move |c: &mut devportal::config::Config| c.public_url = Some(url::Url::parse(url).unwrap());
    for url in ["https://developer.bank.example/", "http://portal.example.com/"] {
        let why = refusal_to_start(None, public(url)).await.expect("refused");
        assert!(
            why.contains("DEVPORTAL_SMTP_URL") && why.contains("DEVPORTAL_DEV_MAILBOX"),
            "{why}"
        );
    }
    // On this machine, with SMTP, or when told, it starts.
    assert_eq!(refusal_to_start(None, public("http://localhost:8080/")).await, None);
    assert_eq!(
        refusal_to_start(Some("smtp://127.0.0.1:9"), public("https://developer.bank.example/")).await,
        None
    );
    let told = refusal_to_start(None, |c| {
        c.public_url = Some(url::Url::parse("https://developer.bank.example/").unwrap());
        c.mail.dev_mailbox = Some(true);
    })
    .await;
    assert_eq!(told, None);
}

#[tokio::test]
async fn every_mail_carries_a_message_id_from_its_outbox_row() {
    let app = spawn_app().await;
    app.sign_up("anna@example.se").await;
    let mail = app.verification_mail("anna@example.se").await;
    let id = app.count("SELECT MIN(id) FROM outbox").await;
    assert!(
        mail.data.contains(&format!("Message-ID: <outbox-{id}@")),
        "{}",
        &mail.data[..mail.data.len().min(600)]
    );
}

#[tokio::test]
async fn a_mail_refused_for_good_is_given_up_after_three_tries_and_admins_see_it() {
    let app = spawn_app().await;
    // The test mail server answers 550 for this mailbox.
    app.sign_up("bounce@example.se").await;
    let given_up = "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL";
    for _ in 0..100 {
        if app.count(given_up).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.count(given_up).await, 1);
    assert_eq!(
        app.count("SELECT attempts FROM outbox WHERE failed_at IS NOT NULL")
            .await,
        3
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        app.count("SELECT attempts FROM outbox WHERE failed_at IS NOT NULL")
            .await,
        3,
        "not tried again"
    );

    // Other mail still goes out, and the admin sees the one that did not.
    let admin = app.admin("britt@bank.example").await;
    let page = admin.get_html("/admin/mail").await;
    assert!(page.contains("bounce@example.se"), "{page}");
    assert!(page.contains("Given up"));
    assert!(page.contains("550"));
    assert_eq!(app.new_browser().get("/admin/mail").await.status(), 404);

    // Once the cause is fixed, the admin sends it again: queued, audited.
    let id = app.count("SELECT id FROM outbox WHERE failed_at IS NOT NULL").await;
    assert!(
        page.contains(&format!(r#"action="/admin/mail/{id}/send-again""#)),
        "{page}"
    );
    let res = admin.post_form(&format!("/admin/mail/{id}/send-again"), &[]).await;
    assert_eq!(crate::support::location(&res), "/admin/mail");
    assert!(
        admin
            .get_html("/admin/mail")
            .await
            .contains(&format!("Mail {id} is queued again."))
    );
    let audited = app.audited("admin.mail_resent").await;
    assert_eq!(audited.len(), 1);
    let res = crate::support::Browser::new(&app.base)
        .post_form(&format!("/admin/mail/{id}/send-again"), &[])
        .await;
    assert_eq!(res.status(), 404, "admins only");
}

#[tokio::test]
async fn a_mail_whose_acceptance_went_unheard_is_sent_again_with_the_same_message_id() {
    let app = crate::support::spawn_app_configured(Mail::Smtp, |c| {
        c.mail.smtp_timeout = Duration::from_secs(1);
    })
    .await;
    // The test server takes this mailbox's first mail but answers too late.
    app.sign_up("slowack@example.se").await;
    let mails = app.smtp().wait_for_n("slowack@example.se", 2).await;
    let message_id = |data: &str| {
        data.lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .map(str::to_string)
            .unwrap()
    };
    assert_eq!(
        message_id(&mails[0].data),
        message_id(&mails[1].data),
        "a receiver can tell the second is the same mail"
    );
    for _ in 0..50 {
        if app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").await,
        1
    );
}
