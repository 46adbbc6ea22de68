//! The bank's pages for its customer (the PSU): `/oauth2/authorize`, where
//! a TPP sends them; the BankID page with the animated QR code; the consent
//! page; and back to the TPP. A request is bound to the browser that opened
//! it (its handle is kept in that session); any other browser gets 404.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::session::{Layout, Page};
use super::{Reply, qr, render, render_status};
use crate::domain::consent::Access;
use crate::error::AppError;
use crate::services::authorization::{self, Params, Request, Step, What};
use crate::services::{ServiceError, Services};
use crate::storage::authorizations::StoredAuthorization;

const REQUESTS: &str = "bank_requests";

pub async fn remember(session: &Session, id: &str) -> Result<(), AppError> {
    let mut ids: Vec<String> = session.get(REQUESTS).await?.unwrap_or_default();
    ids.retain(|x| x != id);
    ids.push(id.to_string());
    if ids.len() > 5 {
        ids.remove(0);
    }
    session.insert(REQUESTS, ids).await?;
    Ok(())
}

/// The request, if this browser opened it.
async fn mine(svc: &Services, session: &Session, id: &str) -> Result<StoredAuthorization, AppError> {
    let ids: Vec<String> = session.get(REQUESTS).await?.unwrap_or_default();
    if !ids.iter().any(|x| x == id) {
        return Err(AppError::NotFound);
    }
    let a = authorization::find(svc, id).await?;
    if a.flow != "redirect" {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// Lets the page's forms end with the redirect back to the client.
fn allow_redirect_back(mut res: Response, a: &StoredAuthorization) -> Response {
    let origin = a
        .redirect_uri
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null");
    if let Some(csp) = origin
        .map(|o| super::middleware::csp_allowing_form_redirect_to(&o))
        .and_then(|c| axum::http::HeaderValue::from_str(&c).ok())
    {
        res.headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, csp);
    }
    res
}

fn go(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// `GET /oauth2/authorize`.
pub async fn authorize(State(svc): State<Services>, page: Page, Query(p): Query<Params>) -> Reply {
    let state = p.state.clone();
    match authorization::begin(&svc, p, &page.client_address).await {
        Ok(id) => {
            remember(&page.session, &id).await?;
            Ok(go(&format!("/bank/authorize/{id}")))
        }
        Err(refusal) => match authorization::refusal_redirect(&svc, &refusal, state.as_deref()) {
            Some(back) => Ok(go(&back)),
            None => Err(AppError::Refused {
                status: StatusCode::BAD_REQUEST,
                message: format!(
                    "The application's request to the bank cannot be accepted: {} Nothing was shared; you can close \
                     this page.",
                    refusal.description
                ),
            }),
        },
    }
}

#[derive(Template)]
#[template(path = "bank/identify.html")]
struct IdentifyView {
    layout: Layout,
    id: String,
    qr_svg: String,
    autostart: String,
    words: &'static str,
    simulated: bool,
}

#[derive(Template)]
#[template(path = "bank/done.html")]
struct DoneView {
    layout: Layout,
    message: String,
}

/// Where the step leads the customer's browser, when it leads away.
fn next(svc: &Services, a: &StoredAuthorization, step: &Step) -> Option<String> {
    match step {
        Step::Decide => Some(format!("/bank/authorize/{}/consent", a.id)),
        Step::Denied(why) => authorization::denied_redirect(svc, a, why),
        _ => None,
    }
}

/// `GET /bank/authorize/{id}`: the BankID step.
pub async fn identify(State(svc): State<Services>, page: Page, Path(id): Path<String>) -> Reply {
    let a = mine(&svc, &page.session, &id).await?;
    let step = authorization::step(&svc, &a).await?;
    if let Some(to) = next(&svc, &a, &step) {
        return Ok(go(&to));
    }
    let page = page.with_csrf().await?;
    match step {
        Step::Identify {
            qr_data,
            auto_start_token,
            words,
            ..
        } => render(&IdentifyView {
            layout: page.layout,
            qr_svg: qr::inline_svg(&qr_data),
            autostart: crate::domain::bankid::autostart_link(&auto_start_token, None),
            words,
            simulated: svc.bankid.as_ref().is_some_and(|b| b.simulated()),
            id,
        })
        .map(|res| allow_redirect_back(res, &a)),
        _ => render(&DoneView {
            layout: page.layout,
            message: "This request is finished; you can close this page.".into(),
        }),
    }
}

/// `GET /bank/authorize/{id}/status`: what the page's script polls each
/// second: the new QR code and words, or where to go next.
pub async fn status(State(svc): State<Services>, page: Page, Path(id): Path<String>) -> Result<Response, AppError> {
    let a = mine(&svc, &page.session, &id).await?;
    let step = authorization::step(&svc, &a).await?;
    let body = match (&step, next(&svc, &a, &step)) {
        (_, Some(to)) => serde_json::json!({"next": to}),
        (Step::Identify { qr_data, words, .. }, None) => {
            serde_json::json!({"qrSvg": qr::inline_svg(qr_data), "message": words})
        }
        _ => serde_json::json!({"next": format!("/bank/authorize/{id}")}),
    };
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// `POST /bank/authorize/{id}/cancel`: the customer gives up.
pub async fn cancel(State(svc): State<Services>, page: Page, Path(id): Path<String>) -> Reply {
    let a = mine(&svc, &page.session, &id).await?;
    match authorization::cancel(&svc, &a).await? {
        Some(back) => Ok(go(&back)),
        None => Ok(go(&format!("/bank/authorize/{id}"))),
    }
}

#[derive(Template)]
#[template(path = "bank/consent.html")]
struct ConsentView {
    layout: Layout,
    id: String,
    r: Request,
    error: Option<String>,
}

impl ConsentView {
    fn access_words(&self) -> Vec<&'static str> {
        match &self.r.what {
            What::Consent(c) => match &c.access {
                Access::AllPsd2 => vec!["account details", "balances", "transactions"],
                Access::AvailableAccounts { with_balances: true } => vec!["the list of your accounts", "balances"],
                Access::AvailableAccounts { with_balances: false } => vec!["the list of your accounts"],
                Access::Accounts {
                    balances, transactions, ..
                } => {
                    let mut w = vec!["account details"];
                    if !balances.is_empty() {
                        w.push("balances");
                    }
                    if !transactions.is_empty() {
                        w.push("transactions");
                    }
                    w
                }
            },
            What::Payment(_) | What::AtTheBank(_) => vec![],
        }
    }

    fn amount(&self) -> String {
        match &self.r.what {
            What::Payment(p) => format!("{} {}", crate::domain::sandbox::Money(p.amount), p.currency),
            What::Consent(_) | What::AtTheBank(_) => String::new(),
        }
    }

    fn execution_date(&self) -> String {
        match &self.r.what {
            What::Payment(p) => serde_json::from_str::<serde_json::Value>(&p.request)
                .ok()
                .and_then(|v| v["requestedExecutionDate"].as_str().map(str::to_string))
                .unwrap_or_else(|| "as soon as possible".into()),
            What::Consent(_) | What::AtTheBank(_) => String::new(),
        }
    }
}

async fn consent_page(svc: &Services, page: Page, a: StoredAuthorization, error: Option<String>) -> Reply {
    let id = a.id.clone();
    let back = a.clone();
    let r = authorization::request(svc, a).await?;
    let page = page.with_csrf().await?;
    let view = ConsentView {
        layout: page.layout,
        id,
        r,
        error: error.clone(),
    };
    let res = match error {
        Some(_) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &view),
        None => render(&view),
    };
    res.map(|r| allow_redirect_back(r, &back))
}

/// `GET /bank/authorize/{id}/consent`.
pub async fn consent(State(svc): State<Services>, page: Page, Path(id): Path<String>) -> Reply {
    let a = mine(&svc, &page.session, &id).await?;
    match authorization::step(&svc, &a).await? {
        // Reloaded: the step may just have noted who the customer is.
        Step::Decide => {
            let a = authorization::find(&svc, &id).await?;
            consent_page(&svc, page, a, None).await
        }
        other => match next(&svc, &a, &other) {
            Some(to) => Ok(go(&to)),
            None => Ok(go(&format!("/bank/authorize/{id}"))),
        },
    }
}

/// `POST /bank/authorize/{id}/consent`: approve (with the accounts picked) or reject.
pub async fn decide(State(svc): State<Services>, page: Page, Path(id): Path<String>, body: String) -> Reply {
    let a = mine(&svc, &page.session, &id).await?;
    // Repeated `accounts` fields: read the form by hand (serde_urlencoded takes one).
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let approve = pairs.iter().any(|(k, v)| k == "decision" && v == "approve");
    let accounts: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "accounts")
        .map(|(_, v)| v.clone())
        .collect();
    match authorization::decide(&svc, &a, approve, &accounts).await {
        Ok(Some(back)) => Ok(go(&back)),
        Ok(None) => Ok(go(&format!("/bank/authorize/{id}"))),
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.iter().next().map(|(_, m)| m.to_string());
            consent_page(&svc, page, a, message).await
        }
        Err(ServiceError::Refused { message, .. }) => {
            // The payment cannot be made (the bank's rules): the customer can only reject.
            consent_page(&svc, page, a, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}
