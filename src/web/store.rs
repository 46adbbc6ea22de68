//! The API listing store and each API's page with its tabs.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::session::{self, FlashKind, Layout, Page, SignedIn};
use super::{markdown, render};
use crate::domain::application::Application;
use crate::domain::catalogue::{self, Api, Endpoint, Environment};
use crate::domain::sandbox_users::{TEST_USERS, TestUser};
use crate::services::{ServiceError, Services, applications, catalogue as store, subscriptions};
use crate::web::Reply;

/// `/apis/{slug}/openapi.json` (the API's OpenAPI 3.1 document) and the
/// Postman collection and environment made from it (no session needed).
pub fn documents() -> Router<Services> {
    Router::new()
        .route("/apis/{slug}/openapi.json", get(openapi_document))
        .route("/apis/{slug}/postman-collection.json", get(postman_collection))
        .route("/apis/{slug}/postman-environment.json", get(postman_environment))
}

/// The API's document as served today, or the 404 to answer.
async fn document(svc: &Services, slug: &str) -> Result<(std::sync::Arc<Api>, serde_json::Value), Response> {
    use axum::response::IntoResponse;
    let not_found = |error: &str, message: &str| {
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": error, "message": message})),
        )
            .into_response()
    };
    let Ok(api) = store::get(svc, slug).await else {
        return Err(not_found("not_found", "There is no such API."));
    };
    let base = svc.base_url.as_str().trim_end_matches('/');
    // Production is called over mutual TLS: its server and token endpoint
    // are the TLS listener's, when it is on.
    let production = api.environment == Environment::Production;
    let api_host = match (&svc.tls_url, production) {
        (Some(tls), true) => tls.as_str().trim_end_matches('/').to_string(),
        _ => base.to_string(),
    };
    let server = format!("{api_host}{}", api.base_path);
    let token_url = format!("{api_host}/oauth2/token");
    // The customer's browser comes to the bank's page, on the portal's address.
    let authorization_url = format!("{base}/oauth2/authorize");
    crate::gateway::documents::openapi(&crate::gateway::documents::DocumentFor {
        authorization_url: &authorization_url,
        family: &api.family,
        title: &api.name,
        version: &api.version,
        environment: api.environment,
        base_url: base,
        server_url: &server,
        token_url: &token_url,
        simulated: svc.config.production.simulates(&api.family),
        today: svc.now().date(),
    })
    .and_then(|doc| serde_json::to_value(doc).ok())
    .map(|doc| (api, doc))
    .ok_or_else(|| not_found("no_document", "This API has no OpenAPI document yet."))
}

/// JSON named `<slug>-<name>` for a browser that saves it.
fn download(api: &Api, name: &str, body: serde_json::Value) -> Response {
    use axum::response::IntoResponse;
    let mut res = axum::Json(body).into_response();
    let disposition = format!("inline; filename=\"{}-{name}\"", api.slug);
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    res
}

async fn openapi_document(State(svc): State<Services>, Path(slug): Path<String>) -> Response {
    match document(&svc, &slug).await {
        Ok((api, doc)) => download(&api, "openapi.json", doc),
        Err(refusal) => refusal,
    }
}

async fn postman_collection(State(svc): State<Services>, Path(slug): Path<String>) -> Response {
    match document(&svc, &slug).await {
        Ok((api, doc)) => download(&api, "postman-collection.json", crate::postman::collection(&doc)),
        Err(refusal) => refusal,
    }
}

async fn postman_environment(State(svc): State<Services>, Path(slug): Path<String>) -> Response {
    match document(&svc, &slug).await {
        Ok((api, doc)) => download(&api, "postman-environment.json", crate::postman::environment(&doc)),
        Err(refusal) => refusal,
    }
}

#[derive(Deserialize, Default)]
pub struct StoreQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    env: String,
}

/// One API of the store: its Sandbox and Production versions side by side
/// (those the search kept).
struct FamilyCard {
    name: String,
    summary: String,
    tags: Vec<String>,
    versions: Vec<VersionCard>,
}

struct VersionCard {
    api: std::sync::Arc<Api>,
    /// What a developer needs before calling it.
    needs: String,
    /// A production API that the simulated bank answers.
    simulated: bool,
}

#[derive(Template)]
#[template(path = "store/list.html")]
struct ListView {
    layout: Layout,
    families: Vec<FamilyCard>,
    q: String,
    env: String,
}

/// What each version asks of a developer, in the bank's words.
fn needs(api: &Api) -> String {
    let role = match api.family.as_str() {
        "accounts" => "PSP_AI",
        "payments" => "PSP_PI",
        _ => "PSP_IC",
    };
    match api.environment {
        Environment::Sandbox => "An account and an application: keys at once, test customers' data.".into(),
        Environment::Production => {
            format!("A licensed TPP's eIDAS QWAC with the {role} role, calls over mutual TLS, the customer's consent.")
        }
    }
}

pub async fn list(State(svc): State<Services>, page: Page, Query(query): Query<StoreQuery>) -> Reply {
    let env = Environment::parse(&query.env);
    let apis = store::search(&svc, &query.q, env).await?;
    let env = env.map(|e| e.as_str().to_string()).unwrap_or_default();
    let mut families: Vec<FamilyCard> = Vec::new();
    for api in apis {
        let version = VersionCard {
            needs: needs(&api),
            simulated: api.environment == Environment::Production
                && api.is_subscribable()
                && svc.config.production.simulates(&api.family),
            api,
        };
        match families
            .iter_mut()
            .find(|f| f.versions.iter().any(|v| v.api.family == version.api.family))
        {
            Some(card) => card.versions.push(version),
            None => families.push(FamilyCard {
                name: version.api.name.clone(),
                summary: version.api.summary.clone(),
                tags: version.api.tags.clone(),
                versions: vec![version],
            }),
        }
    }
    // Live APIs first; what is coming soon after them.
    families.sort_by_key(|f| !f.versions.iter().any(|v| v.api.is_subscribable()));
    render(&ListView {
        layout: page.layout,
        families,
        q: query.q,
        env,
    })
}

#[derive(Deserialize)]
pub struct TabQuery {
    #[serde(default)]
    tab: String,
}

#[derive(Template)]
#[template(path = "store/api.html")]
struct ApiView {
    layout: Layout,
    api: std::sync::Arc<Api>,
    tab: &'static str,
    documentation: std::sync::Arc<str>,
    test_users: &'static [TestUser],
    endpoints: &'static [Endpoint],
    signed_in: bool,
    applications: Vec<Application>,
    /// The console can call this API (a live sandbox API).
    console_live: bool,
    /// A production API that the simulated bank answers.
    simulated: bool,
    /// The documentation tab's reference, from the OpenAPI document.
    operations: Vec<crate::api_reference::Operation>,
    errors: Vec<&'static crate::domain::catalogue::errors::ErrorCode>,
    changelog: &'static [(&'static str, &'static str, &'static str)],
    token_url: String,
}

pub async fn show(
    State(svc): State<Services>,
    page: Page,
    Path(slug): Path<String>,
    Query(q): Query<TabQuery>,
) -> Reply {
    let api = store::get(&svc, &slug).await?;
    let tab = match q.tab.as_str() {
        "documentation" => "documentation",
        "console" => "console",
        "subscribe" => "subscribe",
        _ => "overview",
    };
    // The sandbox APIs' documentation and console are for signed-in
    // developers (as the bank's page says), unless the bank opens them.
    let gated = matches!(tab, "documentation" | "console")
        && api.environment == Environment::Sandbox
        && !svc.config.portal.public_documentation;
    if gated && page.user.is_none() {
        let next = format!("/apis/{slug}?tab={tab}");
        let to = format!(
            "/signin?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        return session::redirect_with(
            &page.session,
            FlashKind::Info,
            format!("Sign in to read the {} documentation and use the console.", api.name),
            &to,
        )
        .await;
    }
    let operations = match tab {
        "documentation" => match document(&svc, &slug).await {
            Ok((_, doc)) => crate::api_reference::operations(&doc, &svc.now().date().to_string()),
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    let production = api.environment == Environment::Production;
    let token_url = match (&svc.tls_url, production) {
        (Some(tls), true) => format!("{}/oauth2/token", tls.as_str().trim_end_matches('/')),
        _ => svc.url("/oauth2/token"),
    };
    let applications = match &page.user {
        Some(user) => applications::list(&svc, user).await?,
        None => Vec::new(),
    };
    let documentation = markdown::rendered_once(&api.slug, &api.documentation);
    let endpoints = catalogue::endpoints(&api.family);
    render(&ApiView {
        errors: crate::domain::catalogue::errors::for_api(&api.family, production),
        changelog: catalogue::changelog(&api.family),
        operations,
        token_url,
        simulated: api.environment == Environment::Production && svc.config.production.simulates(&api.family),
        console_live: api.environment == Environment::Sandbox && api.is_subscribable(),
        layout: page.layout,
        signed_in: page.user.is_some(),
        test_users: if api.environment == Environment::Sandbox {
            TEST_USERS
        } else {
            &[]
        },
        api,
        tab,
        documentation,
        endpoints,
        applications,
    })
}

#[derive(Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    application_id: String,
}

pub async fn subscribe(
    State(svc): State<Services>,
    me: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<SubscribeForm>,
) -> Reply {
    let back = format!("/apis/{slug}?tab=subscribe");
    let s = &me.page.session;
    let subscribed = match applications::owned(&svc, &me.user, &form.application_id).await {
        Ok(app) => subscriptions::subscribe(&svc, &app, &slug).await,
        Err(e) => Err(e),
    };
    match subscribed {
        Ok(sub) => {
            let message = format!(
                "{} is subscribed to {} {} ({}).",
                sub.application_name, sub.api_name, sub.api_version, sub.environment
            );
            session::redirect_with(s, FlashKind::Success, message, &format!("/subscriptions/{}", sub.id)).await
        }
        Err(ServiceError::NotFound) if form.application_id.is_empty() => {
            session::redirect_with(
                s,
                FlashKind::Warning,
                "Choose one of your applications to subscribe.",
                &back,
            )
            .await
        }
        Err(e) => session::redirect_after(s, Err(e), &back).await,
    }
}
