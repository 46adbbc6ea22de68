//! What a developer sees when the portal's own parts fail: never an empty
//! answer, always a page (or JSON) with the request id, and 503 with
//! Retry-After when the database cannot be reached.

use crate::support::{TestApp, spawn_app};

#[tokio::test]
async fn with_the_database_gone_pages_say_so_with_a_request_id_and_never_answer_empty() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    app.svc.db.close().await;

    // The store is served from memory (the catalogue changes only with a
    // release): it stays up.
    assert_eq!(app.new_browser().get("/apis").await.status(), 200);
    // No session to load: the page's own query fails: 503, try again soon.
    let res = app.new_browser().get("/verify-email?token=abc").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5");
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    assert!(html.contains("cannot reach its database") && html.contains(&id));

    // With a session, the session layer fails first: still the page, not 0 bytes.
    let res = anna.get("/profile").await;
    assert!(res.status().is_server_error());
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains(&id), "the page names the request id");

    // The JSON API answers JSON.
    let (status, body) = api.get("/api/v1/applications").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "unavailable");

    assert_eq!(app.get("/readyz").await.status(), 503);
}

#[tokio::test]
async fn a_commit_that_fails_leaves_no_broken_connection_in_the_pool() {
    use devportal::storage::sql;
    let app = spawn_app().await;
    if app.svc.db.backend() != "sqlite" {
        // A failed COMMIT leaving a pooled connection mid-transaction is an
        // SQLite driver matter; PostgreSQL ends the transaction on the server.
        return;
    }
    let db = &app.svc.db;
    for _ in 0..3 {
        let mut tx = db.begin().await.unwrap();
        // A full disk, on this connection only: the database may not grow.
        let pages: i64 = sql("PRAGMA page_count").scalar(tx.exec()).await.unwrap();
        sql(format!("PRAGMA max_page_count = {pages}"))
            .execute(tx.exec())
            .await
            .unwrap();
        let big = sql("INSERT INTO throttle (bucket, window_start, hits) VALUES ($1, 0, 1)")
            .bind("x".repeat(200_000))
            .execute(tx.exec())
            .await;
        assert!(big.is_err(), "the disk is full");
        // The space comes back; the transaction is beyond saving.
        sql("PRAGMA max_page_count = 1073741823").execute(tx.exec()).await.ok();
        let _ = tx.commit().await;
    }
    // Every pooled connection still works for a new transaction.
    for _ in 0..12 {
        let mut tx = db.begin().await.expect("a fresh transaction");
        sql("SELECT 1").execute(tx.exec()).await.unwrap();
        tx.commit().await.unwrap();
    }
    sql("INSERT INTO throttle (bucket, window_start, hits) VALUES ('after', 0, 1)")
        .execute(db.conn().await.unwrap().exec())
        .await
        .expect("writes work again once there is space");
}

#[tokio::test]
async fn readiness_fails_while_the_database_takes_no_writes() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    // Writes fail, reads work: as on a full disk.
    refuse_writes(&app, "throttle").await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.text().await.unwrap(),
        "database takes no writes\nrate limits: per instance (no Redis configured)"
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "the process itself is fine");
}

/// Inserts and updates on `table` fail from now on, as on a full disk;
/// `allow_writes` undoes it.
async fn refuse_writes(app: &TestApp, table: &str) {
    match app.svc.db.backend() {
        "postgres" => {
            app.exec(
                "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$",
            )
            .await;
            app.exec(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()"
            ))
            .await;
        }
        _ => {
            for op in ["INSERT", "UPDATE"] {
                app.exec(&format!(
                    "CREATE TRIGGER refuse_{op} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                ))
                .await;
            }
        }
    }
}

async fn allow_writes(app: &TestApp, table: &str) {
    match app.svc.db.backend() {
        "postgres" => app.exec(&format!("DROP TRIGGER refuse ON {table}")).await,
        _ => {
            for op in ["INSERT", "UPDATE"] {
                app.exec(&format!("DROP TRIGGER refuse_{op}")).await;
            }
        }
    }
}

/// The usage chart's counters live in memory between flushes; a flush the
/// database refuses keeps them for the next one instead of dropping them.
#[tokio::test]
async fn usage_counts_a_failed_flush_could_not_write_are_written_by_the_next() {
    let app = spawn_app().await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    let accounts = format!("{}/Accounts", crate::support::tpp::ACCOUNTS);
    // Refused before the calls, so the background flush cannot write them
    // first either.
    refuse_writes(&app, "api_usage").await;
    for _ in 0..3 {
        assert_eq!(tpp.get(&accounts, &token).await.status, 200);
    }
    let total = "SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM api_usage";
    assert!(devportal::services::usage::flush(&app.svc).await.is_err());
    assert_eq!(app.count(total).await, 0);
    allow_writes(&app, "api_usage").await;
    assert_eq!(tpp.get(&accounts, &token).await.status, 200);
    devportal::services::usage::flush(&app.svc).await.unwrap();
    assert_eq!(app.count(total).await, 4, "the three refused and the one after");
}

#[tokio::test]
async fn a_shutdown_does_not_wait_for_a_half_sent_request_and_keeps_the_usage_counts() {
    let app = crate::support::spawn_app_configured(crate::support::Mail::Smtp, |c| {
        c.shutdown_grace = std::time::Duration::from_secs(1);
    })
    .await;
    let tpp = app.tpp("anna@example.se", &["accounts-sandbox"]).await;
    let token = tpp.token("195505063676").await;
    for _ in 0..3 {
        let accounts = format!("{}/Accounts", crate::support::tpp::ACCOUNTS);
        assert_eq!(tpp.get(&accounts, &token).await.status, 200);
    }
    // A client that never finishes its request.
    let mut slow = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut slow, b"GET /apis HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();

    let started = std::time::Instant::now();
    tokio::time::timeout(std::time::Duration::from_secs(5), app.shut_down())
        .await
        .expect("the shutdown ends within the grace, whatever the slow client does");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    // The calls counted in memory were written on the way out.
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM api_usage")
            .await,
        3
    );
}

#[tokio::test]
async fn after_the_database_drops_every_connection_the_portal_carries_on() {
    let app = spawn_app().await;
    if app.svc.db.backend() != "postgres" {
        // An embedded SQLite file has no server to restart.
        return;
    }
    let anna = app.signed_in_developer("anna@example.se").await;
    // What a server restart does to the pool: every other connection ends.
    app.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await;
    assert_eq!(app.new_browser().get("/apis").await.status(), 200);
    assert!(anna.is_signed_in().await);
    assert_eq!(app.get("/readyz").await.status(), 200);
}
