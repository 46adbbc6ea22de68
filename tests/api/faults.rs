//! What a developer sees when the portal's own parts fail: never an empty
//! answer, always a page (or JSON) with the request id, and 503 with
//! Retry-After when the database cannot be reached.

use crate::support::spawn_app;

#[tokio::test]
async fn with_the_database_gone_pages_say_so_with_a_request_id_and_never_answer_empty() {
    let app = spawn_app().await;
    let anna = app.signed_in_developer("anna@example.se").await;
    let api = app.api_for("anna@example.se").await;
    app.svc.db.close().await;

    // No session to load: the page's own query fails: 503, try again soon.
    let res = app.new_browser().get("/apis").await;
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
