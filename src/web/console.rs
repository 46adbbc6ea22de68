//! The API console pages: per operation a "Try it out" form; "Execute" makes
//! the real call and shows the request as curl and the response. No
//! JavaScript needed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::session::{Layout, SignedIn};
use super::{render, render_status};
use crate::domain::application::Application;
use crate::domain::catalogue::{self, Api, Endpoint, Environment};
use crate::domain::sandbox_users::{TEST_USERS, TestUser};
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::services::console::{self, ConsoleRequest, ConsoleResult};
use crate::services::{ServiceError, Services, applications, catalogue as store, subscriptions};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "store/console.html")]
struct ConsoleView {
    layout: Layout,
    api: std::sync::Arc<Api>,
    op: usize,
    endpoint: &'static Endpoint,
    applications: Vec<Application>,
    test_users: &'static [TestUser],
    req: ConsoleRequest,
    errors: FieldErrors,
    result: Option<ConsoleResult>,
}

impl ConsoleView {
    fn value(&self, name: &str) -> String {
        self.req.fields.get(name).cloned().unwrap_or_default()
    }

    /// `aria-invalid` and `aria-describedby` for a field with an error.
    fn aria(&self, id: &str) -> String {
        match self.errors.get(id) {
            Some(_) => format!(r#" aria-invalid="true" aria-describedby="{id}-error""#),
            None => String::new(),
        }
    }

    fn selected(&self, name: &str, value: &str) -> bool {
        self.req.fields.get(name).is_some_and(|v| v == value)
    }
}

/// The developer's applications that subscribe to this API.
async fn subscribed(svc: &Services, user: &User, api: &Api) -> Result<Vec<Application>, AppError> {
    let subs = subscriptions::for_developer(svc, user).await?;
    let all = applications::list(svc, user).await?;
    Ok(all
        .into_iter()
        .filter(|a| subs.iter().any(|s| s.application_id == a.id && s.api_slug == api.slug))
        .collect())
}

fn defaults(endpoint: &Endpoint, apps: &[Application], chosen: Option<&str>) -> HashMap<String, String> {
    let mut f = HashMap::new();
    for p in endpoint.path_params() {
        let v = match p {
            "accountId" => "12345678910",
            "paymentProduct" => "SepaCreditTransfers",
            _ => "",
        };
        f.insert(format!("p_{p}"), v.to_string());
    }
    if let Some(b) = endpoint.body {
        f.insert("body".into(), b.to_string());
    }
    f.insert("ssn".into(), "195505063676".into());
    f.insert("psu_ip".into(), "192.0.2.10".into());
    // The application the keys page came from, when it subscribes here.
    let app = chosen.and_then(|id| apps.iter().find(|a| a.id == id)).or(apps.first());
    if let Some(a) = app {
        f.insert("application_id".into(), a.id.clone());
    }
    f
}

async fn view(
    svc: &Services,
    user: &User,
    layout: Layout,
    slug: &str,
    op: usize,
    chosen: Option<&str>,
) -> Result<ConsoleView, AppError> {
    let api = store::get(svc, slug).await?;
    if api.environment != Environment::Sandbox || !api.is_subscribable() {
        return Err(AppError::NotFound);
    }
    let endpoint = catalogue::endpoints(&api.family).get(op).ok_or(AppError::NotFound)?;
    let applications = subscribed(svc, user, &api).await?;
    let req = ConsoleRequest {
        slug: api.slug.clone(),
        op,
        fields: defaults(endpoint, &applications, chosen),
    };
    Ok(ConsoleView {
        layout,
        api,
        op,
        endpoint,
        applications,
        test_users: TEST_USERS,
        req,
        errors: FieldErrors::new(),
        result: None,
    })
}

#[derive(Deserialize)]
pub struct OpQuery {
    #[serde(default)]
    op: usize,
    /// The application to pre-select (from its keys page).
    application: Option<String>,
}

pub async fn form(
    State(svc): State<Services>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<OpQuery>,
) -> Reply {
    let mut v = view(&svc, &me.user, me.page.layout, &slug, q.op, q.application.as_deref()).await?;
    // Coming back from "Authorize with BankID": the consent's token, once.
    if let Some(token) = me.page.session.remove::<String>(super::console_bankid::TOKEN).await? {
        v.req.fields.insert("token".into(), token);
    }
    render(&v)
}

pub async fn execute(
    State(svc): State<Services>,
    me: SignedIn,
    Path(slug): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Reply {
    let op = fields.get("op").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut v = view(&svc, &me.user, me.page.layout, &slug, op, None).await?;
    v.req.fields = fields;
    v.req.fields.remove("csrf_token");
    match console::execute(&svc, &me.user, &v.req).await {
        Ok(result) => {
            v.result = Some(result);
            render(&v)
        }
        Err(ServiceError::Invalid(errors)) => {
            v.errors = errors;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &v)
        }
        Err(e) => Err(e.into()),
    }
}
