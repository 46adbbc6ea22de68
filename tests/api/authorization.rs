//! Every route that takes an id answers 404 for another developer's id, and
//! changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::support::spawn_app;

#[tokio::test]
async fn another_developers_ids_answer_404_on_every_page_and_change_nothing() {
    let app = spawn_app().await;
    let bo = app.signed_in_developer("bo@example.se").await;
    let bo_app = bo.create_application("psd2_sandbox").await;
    let bo_sub = bo.subscribe(&bo_app, "accounts-sandbox").await;
    bo.generate_keys(&bo_app).await;
    bo.post_form("/profile/tokens", &[("name", "bo's token")]).await;
    let bo_token: String = match &app.svc.db {
        devportal::storage::Db::Sqlite(p) => sqlx::query_scalar("SELECT id FROM personal_access_tokens")
            .fetch_one(p)
            .await
            .unwrap(),
        devportal::storage::Db::Postgres(p) => sqlx::query_scalar("SELECT id FROM personal_access_tokens")
            .fetch_one(p)
            .await
            .unwrap(),
    };

    let anna = app.signed_in_developer("anna@example.se").await;
    let anna_app = anna.create_application("mine").await;
    let before = app.table_counts().await;

    for path in [
        format!("/applications/{bo_app}"),
        format!("/applications/{bo_app}?tab=keys"),
        format!("/applications/{bo_app}/edit"),
        format!("/applications/{bo_app}/delete"),
        format!("/applications/{bo_app}/sandbox-keys/revoke"),
        format!("/applications/{bo_app}/sandbox/reset"),
        format!("/applications/{bo_app}/certificate/delete"),
        format!("/subscriptions/{bo_sub}"),
        format!("/subscriptions/{bo_sub}/delete"),
    ] {
        assert_eq!(anna.get(&path).await.status(), 404, "GET {path}");
    }
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/applications/{bo_app}/edit"), vec![("name", "taken over")]),
        (
            format!("/applications/{bo_app}/delete"),
            vec![("confirm_name", "psd2_sandbox")],
        ),
        (format!("/applications/{bo_app}/sandbox-keys"), vec![]),
        (format!("/applications/{bo_app}/sandbox-keys/secret"), vec![]),
        (format!("/applications/{bo_app}/sandbox-keys/revoke"), vec![]),
        (format!("/subscriptions/{bo_sub}/delete"), vec![]),
        (format!("/profile/tokens/{bo_token}/revoke"), vec![]),
        (
            "/apis/payments-sandbox/subscribe".to_string(),
            vec![("application_id", bo_app.as_str())],
        ),
    ];
    for (path, fields) in posts {
        assert_eq!(anna.post_form(&path, &fields).await.status(), 404, "POST {path}");
    }
    assert_eq!(app.table_counts().await, before, "nothing changed");
    assert!(
        anna.get(&format!("/applications/{anna_app}"))
            .await
            .status()
            .is_success()
    );
}

#[tokio::test]
async fn another_developers_ids_answer_404_on_every_api_route_and_change_nothing() {
    let app = spawn_app().await;
    let _bo_browser = app.signed_in_developer("bo@example.se").await;
    let bo = app.api_for("bo@example.se").await;
    let (_, bo_app) = bo.post("/api/v1/applications", json!({"name": "psd2_sandbox"})).await;
    let bo_app = bo_app["id"].as_str().unwrap().to_string();
    let (_, bo_sub) = bo
        .post(
            &format!("/api/v1/applications/{bo_app}/subscriptions"),
            json!({"api_id": "accounts-sandbox"}),
        )
        .await;
    let bo_sub = bo_sub["id"].as_str().unwrap().to_string();
    bo.post(&format!("/api/v1/applications/{bo_app}/sandbox-keys"), json!({}))
        .await;

    let _anna_browser = app.signed_in_developer("anna@example.se").await;
    let anna = app.api_for("anna@example.se").await;
    let (_, mine) = anna.post("/api/v1/applications", json!({"name": "mine"})).await;
    let mine = mine["id"].as_str().unwrap().to_string();
    let before = app.table_counts().await;

    let a = format!("/api/v1/applications/{bo_app}");
    let calls = [
        (Method::GET, a.clone(), None),
        (Method::PATCH, a.clone(), Some(json!({"name": "taken over"}))),
        (Method::DELETE, a.clone(), None),
        (Method::GET, format!("{a}/subscriptions"), None),
        (
            Method::POST,
            format!("{a}/subscriptions"),
            Some(json!({"api_id": "payments-sandbox"})),
        ),
        (Method::DELETE, format!("{a}/subscriptions/{bo_sub}"), None),
        (
            Method::DELETE,
            format!("/api/v1/applications/{mine}/subscriptions/{bo_sub}"),
            None,
        ),
        (Method::GET, format!("{a}/sandbox-keys"), None),
        (Method::POST, format!("{a}/sandbox-keys"), None),
        (Method::POST, format!("{a}/sandbox-keys/secret"), None),
        (Method::DELETE, format!("{a}/sandbox-keys"), None),
    ];
    for (method, path, body) in calls {
        let (status, body_json) = anna.send(method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {body_json}");
        assert_eq!(body_json["error"], "not_found");
    }
    let (status, list) = anna.get("/api/v1/applications").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "only her own");
    assert_eq!(app.table_counts().await.get("applications"), before.get("applications"));
    assert_eq!(
        app.table_counts().await.get("subscriptions"),
        before.get("subscriptions")
    );
    assert_eq!(app.table_counts().await.get("client_keys"), before.get("client_keys"));
}

#[tokio::test]
async fn a_subscription_named_under_another_of_ones_own_applications_is_not_found() {
    let app = spawn_app().await;
    let _ = app.signed_in_developer("anna@example.se").await;
    let anna = app.api_for("anna@example.se").await;
    let (_, first) = anna.post("/api/v1/applications", json!({"name": "first"})).await;
    let first = first["id"].as_str().unwrap().to_string();
    let (_, second) = anna.post("/api/v1/applications", json!({"name": "second"})).await;
    let second = second["id"].as_str().unwrap().to_string();
    let (status, sub) = anna
        .post(
            &format!("/api/v1/applications/{first}/subscriptions"),
            json!({"api_id": "accounts-sandbox"}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    let sub = sub["id"].as_str().unwrap().to_string();

    let (status, body) = anna
        .delete(&format!("/api/v1/applications/{second}/subscriptions/{sub}"))
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    assert_eq!(
        anna.get(&format!("/api/v1/applications/{first}/subscriptions"))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1,
        "the subscription is still there"
    );
    let (status, _) = anna
        .delete(&format!("/api/v1/applications/{first}/subscriptions/{sub}"))
        .await;
    assert_eq!(status, 204);
}
