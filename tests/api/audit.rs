//! The audit log: each admin action and security event leaves one row with
//! actor, client address and target; the log cannot be changed; admins
//! browse, filter and export it.

use crate::support::fixture;
use crate::support::{Browser, Mail, PASSWORD, between, location, spawn_app, spawn_app_configured, token_in};
use crate::support::{developer_id, request_id, send_profile_change};

const NEW_PASSWORD: &str = "a brand new passphrase 2026";

fn events(rows: &[crate::support::AuditRow]) -> Vec<&str> {
    rows.iter().map(|r| r.event.as_str()).collect()
}

/// The id of the newest personal access token on the profile page.
async fn token_id(b: &Browser) -> String {
    between(&b.get_html("/profile").await, r#"action="/profile/tokens/"#, "/revoke").unwrap()
}

#[tokio::test]
async fn every_security_event_of_a_developer_is_audited_with_who_from_where_and_what() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    app.new_browser()
        .sign_in("anna@example.se", "not her password at all")
        .await;
    app.new_browser().sign_in("nobody@example.se", PASSWORD).await;

    let id = anna.create_application("psd2_sandbox").await;
    let (client_id, secret) = anna.generate_keys(&id).await;
    let (_, new_secret) = anna.regenerate_secret(&id).await;
    anna.post_form(&format!("/applications/{id}/sandbox-keys/revoke"), &[])
        .await;
    let res = anna
        .upload_certificate(&id, "qwac-ai-pi.pem", fixture("qwac-ai-pi.pem"))
        .await;
    assert_eq!(res.status(), 303);
    anna.post_form(&format!("/applications/{id}/certificate/delete"), &[])
        .await;
    let created = anna
        .post_form("/profile/tokens", &[("name", "CI pipeline")])
        .await
        .text()
        .await
        .unwrap();
    assert!(created.contains("dpat_"));
    let pat_id = token_id(&anna).await;
    anna.post_form(&format!("/profile/tokens/{pat_id}/revoke"), &[]).await;
    let res = anna.delete_application(&id, "psd2_sandbox").await;
    assert_eq!(location(&res), "/applications");

    app.post_form("/password/forgot", &[("email", "anna@example.se")]).await;
    let mails = app.smtp().wait_for_n("anna@example.se", 2).await;
    let token = token_in(&mails[1].link_to("/password/reset"));
    let res = app.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);

    let rows = app.audit_rows().await;
    assert_eq!(
        events(&rows),
        [
            "account.signed_up",
            "account.email_verified",
            "sign_in.succeeded",
            "sign_in.failed",
            "sign_in.failed",
            "keys.generated",
            "keys.secret_regenerated",
            "keys.revoked",
            "certificate.registered",
            "certificate.deleted",
            "personal_token.created",
            "personal_token.revoked",
            "application.deleted",
            "account.password_reset",
        ]
    );
    let anna_id = rows[0].actor_id.expect("the new account is the actor");
    for r in &rows {
        assert_eq!(r.client_addr, "127.0.0.1", "{r:?}");
        if r.detail != "no account with this e-mail" {
            assert_eq!(
                (r.actor_id, r.actor_email.as_str()),
                (Some(anna_id), "anna@example.se"),
                "{r:?}"
            );
        }
    }
    assert_eq!(
        (rows[0].target_kind.as_str(), rows[0].target_id.clone()),
        ("user", anna_id.to_string())
    );
    assert_eq!(rows[3].detail, "wrong password");
    let unknown = &rows[4];
    assert_eq!(
        (
            unknown.actor_id,
            unknown.actor_email.as_str(),
            unknown.target_kind.as_str(),
            unknown.target_id.as_str()
        ),
        (None, "nobody@example.se", "email", "nobody@example.se")
    );
    for r in &rows[5..10] {
        assert_eq!(
            (r.target_kind.as_str(), r.target_id.as_str()),
            ("application", id.as_str())
        );
    }
    for r in &rows[5..8] {
        assert!(r.detail.contains(&client_id) && r.detail.contains("Sandbox"), "{r:?}");
    }
    assert!(
        rows[8].detail.contains("organization PSDSE-FINA-900001"),
        "{:?}",
        rows[8]
    );
    assert_eq!(rows[10].detail, "CI pipeline");
    assert_eq!(rows[10].target_id, pat_id);
    assert_eq!(
        (rows[12].target_id.as_str(), rows[12].detail.as_str()),
        (id.as_str(), "psd2_sandbox")
    );

    let everything = format!("{rows:?}");
    for secret in [
        secret.as_str(),
        &new_secret,
        PASSWORD,
        NEW_PASSWORD,
        "not her password at all",
        &token,
    ] {
        assert!(!everything.contains(secret), "the log never holds a secret");
    }
}

#[tokio::test]
async fn admin_actions_are_audited_with_the_admin_and_what_they_acted_on() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    send_profile_change(
        &anna,
        &[("email", "anna.lindberg@example.se"), ("message", "New address")],
    )
    .await;
    let admin = app.admin("britt@bank.example").await;
    let first = request_id(&admin.get_html("/admin/requests").await);
    admin.post_form(&format!("/admin/requests/{first}/start"), &[]).await;
    admin.post_form(&format!("/admin/requests/{first}/apply"), &[]).await;
    let link = app
        .smtp()
        .wait_for_n("anna.lindberg@example.se", 1)
        .await
        .remove(0)
        .link_to("/verify-email-change");
    anna.get_html(&link).await;

    send_profile_change(&anna, &[("organization", "Other AB")]).await;
    let second = request_id(&admin.get_html("/admin/requests?status=open").await);
    admin
        .post_form(
            &format!("/admin/requests/{second}/reject"),
            &[("reason", "Send the registration first")],
        )
        .await;
    let dev = developer_id(&admin.get_html("/admin/developers?q=anna").await);
    admin.post_form(&format!("/admin/developers/{dev}/disable"), &[]).await;
    admin.post_form(&format!("/admin/developers/{dev}/enable"), &[]).await;

    let admin_rows: Vec<_> = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.event.starts_with("admin.") || r.event == "account.email_changed")
        .collect();
    assert_eq!(
        events(&admin_rows),
        [
            "admin.created",
            "admin.request_started",
            "admin.request_applied",
            "account.email_changed",
            "admin.request_rejected",
            "admin.account_disabled",
            "admin.account_enabled",
        ]
    );
    let created = &admin_rows[0];
    assert_eq!(
        (
            created.actor_id,
            created.actor_email.as_str(),
            created.client_addr.as_str()
        ),
        (None, "", "command line"),
        "the command line acts, not an account"
    );
    assert_eq!(created.detail, "britt@bank.example");
    for r in [
        &admin_rows[1],
        &admin_rows[2],
        &admin_rows[4],
        &admin_rows[5],
        &admin_rows[6],
    ] {
        assert_eq!(
            (r.actor_email.as_str(), r.client_addr.as_str()),
            ("britt@bank.example", "127.0.0.1")
        );
    }
    assert_eq!(
        (admin_rows[1].target_kind.as_str(), admin_rows[1].target_id.as_str()),
        ("request", first.as_str())
    );
    assert!(admin_rows[2].detail.contains("email"), "{:?}", admin_rows[2]);
    assert_eq!(
        admin_rows[3].actor_email, "anna@example.se",
        "the developer confirmed it"
    );
    assert_eq!(admin_rows[3].detail, "anna@example.se → anna.lindberg@example.se");
    assert_eq!(admin_rows[4].target_id, second);
    assert!(admin_rows[4].detail.ends_with("Send the registration first"));
    assert_eq!(
        (admin_rows[5].target_kind.as_str(), admin_rows[5].target_id.as_str()),
        ("user", dev.as_str())
    );

    let page = admin.get_html(&format!("/admin/developers/{dev}")).await;
    let trail_link = format!("/admin/audit?account={dev}");
    assert!(page.contains(&trail_link));
    let trail = admin.get_html(&trail_link).await;
    for event in [
        "account.signed_up",
        "sign_in.succeeded",
        "account.email_changed",
        "admin.account_disabled",
    ] {
        assert!(
            trail.contains(&format!(r#"data-event="{event}""#)),
            "{event} is in Anna's trail"
        );
    }
    assert!(
        !trail.contains(r#"data-event="admin.created""#) && !trail.contains(r#"data-event="admin.request_applied""#),
        "rows about other accounts (and requests) are not"
    );
    assert!(
        admin
            .get_html(&format!("{trail_link}&event=admin.account_disabled"))
            .await
            .matches("<tr data-event=")
            .count()
            == 1,
        "the other filters narrow the trail"
    );
    assert!(
        admin
            .get_html("/admin/audit?account=anna")
            .await
            .contains("An account is given by its number")
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_devportal"))
        .args(["admin", "promote", "--email", "anna.lindberg@example.se"])
        .env("DEVPORTAL_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(out.status.success());
    let promoted = app.audited("admin.promoted").await;
    assert_eq!(promoted.len(), 1);
    assert_eq!(promoted[0].target_id, dev);
}

#[tokio::test]
async fn a_refused_step_leaves_no_audit_row_and_the_log_cannot_be_changed() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.generate_keys(&id).await;
    let before = app.audit_rows().await;

    let again = anna.post_form(&format!("/applications/{id}/sandbox-keys"), &[]).await;
    assert_eq!(again.status(), 303, "keys exist: a message, not new keys");
    let refused = anna
        .upload_certificate(&id, "qwac-expired.pem", fixture("qwac-expired.pem"))
        .await;
    assert_eq!(refused.status(), 422);
    anna.delete_application(&id, "wrong").await;
    assert_eq!(app.audit_rows().await, before, "nothing happened, nothing recorded");

    for sql in [
        "UPDATE audit_log SET actor_email = 'someone@else.example'",
        "DELETE FROM audit_log",
    ] {
        let err = app.try_exec(sql).await.expect_err(sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if app.database_url.starts_with("postgres") {
        let err = app.try_exec("TRUNCATE audit_log").await.expect_err("TRUNCATE");
        assert!(err.contains("append-only"), "{err}");
    }
    assert_eq!(app.audit_rows().await, before);
}

#[tokio::test]
async fn the_client_address_comes_from_the_load_balancer_when_it_is_trusted() {
    let app = spawn_app_configured(Mail::Smtp, |c| c.trust_forwarded_for = true).await;
    app.signed_in_developer("anna@example.se").await;
    let b = app.new_browser();
    let token = b.csrf().await;
    b.client
        .post(b.url("/signin"))
        .header("X-Forwarded-For", "198.51.100.20, 203.0.113.7")
        .form(&[
            ("email", "anna@example.se"),
            ("password", "wrong password here"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    let failed = app.audited("sign_in.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].client_addr, "203.0.113.7", "the address the balancer saw");
}

#[tokio::test]
async fn an_admin_browses_filters_pages_and_exports_the_log() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let id = anna.create_application("psd2_sandbox").await;
    anna.generate_keys(&id).await;
    anna.post_form("/profile/tokens", &[("name", "=HYPERLINK(\"http://evil.example\")")])
        .await;
    app.clock.advance(time::Duration::days(3));
    app.new_browser().sign_in("anna@example.se", "a wrong guess here").await;
    app.new_browser()
        .sign_in("correct horse battery staple", "whatever it is")
        .await;
    let admin = app.admin("britt@bank.example").await;

    let rows_in = |html: &str| html.matches("<tr data-event=").count();
    let all = admin.get_html("/admin/audit").await;
    assert!(all.contains("Sign-in failed") && all.contains("Keys generated") && all.contains("Signed up"));
    let anna_id = app.audited("account.signed_up").await[0].actor_id.unwrap();
    let britt_id = &app.audited("admin.created").await[0].target_id;
    assert!(
        all.contains(&format!(r#"<a href="/admin/developers/{anna_id}">user {anna_id}</a>"#)),
        "a developer target links to the developer's page"
    );
    assert!(
        all.contains(&format!("user {britt_id}")) && !all.contains(&format!("/admin/developers/{britt_id}\"")),
        "an admin has no developer page to link to"
    );
    let failed = admin.get_html("/admin/audit?event=sign_in.failed").await;
    assert_eq!(rows_in(&failed), 2);
    assert_eq!(failed.matches(r#"data-event="sign_in.failed""#).count(), 2);
    assert_eq!(
        rows_in(&admin.get_html("/admin/audit?actor=ANNA%40example").await),
        6,
        "signed up, verified, signed in, keys, token, failed sign-in"
    );
    let by_target = admin.get_html(&format!("/admin/audit?target={id}")).await;
    assert_eq!(rows_in(&by_target), 1);
    assert!(by_target.contains("psd2_sandbox"));
    assert_eq!(rows_in(&admin.get_html("/admin/audit?client=10.").await), 0);
    let today = app.clock_date_minus(0);
    let three_days_ago = app.clock_date_minus(3);
    let recent = admin.get_html(&format!("/admin/audit?from={today}")).await;
    assert!(!recent.contains(r#"data-event="account.signed_up""#) && recent.contains(r#"data-event="sign_in.failed""#));
    let old = admin.get_html(&format!("/admin/audit?to={three_days_ago}")).await;
    assert!(old.contains(r#"data-event="account.signed_up""#) && !old.contains(r#"data-event="sign_in.failed""#));
    let reversed = admin
        .get_html(&format!("/admin/audit?from={today}&to={three_days_ago}"))
        .await;
    assert!(
        reversed.contains("The From date is after the To date"),
        "a reversed range says so instead of an empty result"
    );
    let bad = admin.get_html("/admin/audit?from=24%2F11%2F2026&actor=anna").await;
    assert!(bad.contains("Write dates as YYYY-MM-DD"));
    assert!(
        bad.contains(r#"value="24/11/2026""#) && bad.contains(r#"value="anna""#),
        "the form keeps what was typed"
    );

    let res = admin.get("/admin/audit.csv?event=sign_in.failed").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"audit-log-")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,time_utc,event,actor_id,actor_email,client_address,target_kind,target_id,detail"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines.iter().skip(1).all(|l| l.contains(r#""sign_in.failed""#)));
    assert!(
        csv.contains(r#""(not an e-mail address)""#) && !csv.contains("horse"),
        "what was typed as an e-mail address is kept only if it is one (it may be a password): {csv}"
    );
    let csv = admin.get("/admin/audit.csv?actor=anna").await.text().await.unwrap();
    assert!(
        csv.contains(r#""'=HYPERLINK(""http://evil.example"")""#),
        "a formula a developer typed is neutralised for spreadsheets: {csv}"
    );
    let exported = app.audited("admin.audit_exported").await;
    assert_eq!(exported.len(), 2);
    assert_eq!(
        (exported[0].actor_email.as_str(), exported[0].detail.as_str()),
        ("britt@bank.example", "event=sign_in.failed")
    );
    assert_eq!(admin.get("/admin/audit.csv?from=yesterday").await.status(), 400);
}

#[tokio::test]
async fn a_long_log_is_paged_newest_first_and_exported_whole() {
    let app = spawn_app().await;
    let admin = app.admin("britt@bank.example").await;
    let before = app.audit_rows().await.len();
    for i in 0..1_150 {
        app.exec(&format!(
            "INSERT INTO audit_log (at, event, actor_id, actor_email, client_addr, target_kind, target_id, detail) \
             VALUES ({i}, 'sign_in.failed', NULL, 'guess{i}@example.se', '192.0.2.1', 'email', 'guess{i}@example.se', 'wrong password')"
        ))
        .await;
    }
    let first = admin.get_html("/admin/audit?client=192.0.2.").await;
    assert_eq!(first.matches("<tr data-event=").count(), 100);
    assert!(
        first.contains("guess1149@") && !first.contains("guess1049@"),
        "newest first"
    );
    let link = &first[..first.find(r#"" rel="next">"#).unwrap()];
    let older = link[link.rfind(r#"href=""#).unwrap() + 6..].replace("&#38;", "&");
    assert!(
        older.contains("client=192.0.2.") && older.contains("before="),
        "{older}"
    );
    let second = admin.get_html(&older).await;
    assert!(
        second.contains("guess1049@") && !second.contains("guess1050@"),
        "{older}\n{second}"
    );

    let csv = admin.get("/admin/audit.csv").await.text().await.unwrap();
    let lines = csv.split("\r\n").filter(|l| !l.is_empty()).count();
    assert_eq!(
        lines,
        1 + 1_150 + before + 1,
        "header, every row, and the export's own row"
    );
}
