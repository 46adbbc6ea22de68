//! The client's side of a customer's authorization, answered as JSON:
//! pushed authorization requests (`POST /oauth2/par`, RFC 9126) and the
//! decoupled BankID flow (`POST /oauth2/bankid/authorize`, then
//! `GET /oauth2/bankid/{auth_req_id}/qr` each second and polling
//! `/oauth2/token`). The client authenticates as at the token endpoint.

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::oauth::{Caller, Credentials, no_store, oauth_error};
use crate::services::Services;
use crate::services::authorization::{self, Params, Step};

#[derive(Deserialize, Default)]
pub struct ParForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    #[serde(flatten)]
    params: ParParams,
}

#[derive(Deserialize, Default)]
struct ParParams {
    response_type: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    request_uri: Option<String>,
}

impl Credentials for ParForm {
    fn credentials(&mut self) -> (Option<String>, Option<String>) {
        (self.client_id.clone(), self.client_secret.take())
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, Json(body)).into_response();
    no_store(&mut res);
    res
}

/// `POST /oauth2/par`: 201 with `request_uri` and `expires_in`.
pub async fn par(State(svc): State<Services>, caller: Caller, form: Result<Form<ParForm>, FormRejection>) -> Response {
    let (form, client, used_basic) = match caller.client(form) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let p = form.params;
    let params = Params {
        response_type: p.response_type,
        client_id: form.client_id,
        redirect_uri: p.redirect_uri,
        scope: p.scope,
        state: p.state,
        code_challenge: p.code_challenge,
        code_challenge_method: p.code_challenge_method,
        request_uri: p.request_uri,
    };
    match authorization::push(&svc, client, params).await {
        Ok((request_uri, expires_in)) => json(
            StatusCode::CREATED,
            serde_json::json!({"request_uri": request_uri, "expires_in": expires_in}),
        ),
        Err(e) => oauth_error(e, used_basic),
    }
}

#[derive(Deserialize, Default)]
pub struct DecoupledForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    login_hint: Option<String>,
}

impl Credentials for DecoupledForm {
    fn credentials(&mut self) -> (Option<String>, Option<String>) {
        (self.client_id.take(), self.client_secret.take())
    }
}

/// `POST /oauth2/bankid/authorize`: starts the customer's BankID order for
/// a consent or payment; 200 with `auth_req_id`, `autoStartToken`,
/// `expires_in`, `interval`.
pub async fn decoupled(
    State(svc): State<Services>,
    caller: Caller,
    form: Result<Form<DecoupledForm>, FormRejection>,
) -> Response {
    let ip = caller.address().to_string();
    let (form, client, used_basic) = match caller.client(form) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let started =
        authorization::start_decoupled(&svc, client, form.scope.as_deref(), form.login_hint.as_deref(), &ip).await;
    match started {
        Ok(d) => {
            let mut body = serde_json::json!(d);
            label(&svc, &mut body);
            json(StatusCode::OK, body)
        }
        Err(e) => oauth_error(e, used_basic),
    }
}

/// Says so when the BankID answering is the portal's simulation.
fn label(svc: &Services, body: &mut serde_json::Value) {
    if svc.bankid.as_ref().is_some_and(|b| b.simulated()) {
        body["simulation"] = serde_json::json!(crate::bankid::simulated::NOTICE);
    }
}

/// `GET /oauth2/bankid/{auth_req_id}/qr`: the QR code to show now (data
/// and SVG; it changes every second) and where the order is.
pub async fn qr(State(svc): State<Services>, caller: Caller, Path(id): Path<String>) -> Response {
    let (_, client, used_basic) = match caller.client::<DecoupledForm>(Ok(Form(DecoupledForm::default()))) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let step = match authorization::decoupled_qr(&svc, client, &id).await {
        Ok(s) => s,
        Err(e) => return oauth_error(e, used_basic),
    };
    let mut body = match step {
        Step::Identify {
            qr_data,
            words,
            hint_code,
            ..
        } => serde_json::json!({
            "status": "pending",
            "hintCode": hint_code,
            "message": words,
            "qrData": qr_data,
            "qrSvg": crate::web::qr::svg(&qr_data),
        }),
        Step::Decide => {
            serde_json::json!({"status": "pending", "hintCode": "userSign", "message": "Identified; deciding on the consent."})
        }
        Step::Approved | Step::Exchanged => {
            serde_json::json!({"status": "complete", "message": "Approved: collect the tokens at the token endpoint."})
        }
        Step::Denied(why) => serde_json::json!({"status": "failed", "message": why}),
    };
    label(&svc, &mut body);
    json(StatusCode::OK, body)
}
