//! The BankID simulator's JSON API, for automated tests (the page is
//! `/bankid-simulator`): the open orders; scan a QR code or open an order
//! by its autostart token; approve as a personnummer or cancel. Every answer
//! says it is a simulation. 404 when `DEVPORTAL_BANKID=off`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get, routing::post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::bankid::simulated::NOTICE;
use crate::services::{ServiceError, Services, bankid_simulator as sim};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/bankid-simulator/api/orders", get(orders))
        .route("/bankid-simulator/api/scan", post(scan))
        .route("/bankid-simulator/api/autostart", post(autostart))
        .route("/bankid-simulator/api/orders/{order_ref}/approve", post(approve))
        .route("/bankid-simulator/api/orders/{order_ref}/cancel", post(cancel))
}

fn answer(status: StatusCode, mut body: Value) -> Response {
    body["simulation"] = json!(NOTICE);
    (status, Json(body)).into_response()
}

fn refused(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound => answer(
            StatusCode::NOT_FOUND,
            json!({"error": "NOT_FOUND", "message": "No open BankID order matches (or the simulator is off)."}),
        ),
        ServiceError::Refused { code, message } | ServiceError::Conflict { code, message } => {
            answer(StatusCode::CONFLICT, json!({"error": code, "message": message}))
        }
        ServiceError::Invalid(errors) => answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "FORMAT_ERROR", "message": errors.iter().next().map(|(_, m)| m).unwrap_or_default()}),
        ),
        ServiceError::Internal(e) => {
            tracing::error!(error = %format!("{e:#}"), "BankID simulator");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "INTERNAL_ERROR", "message": "The simulator failed; try again."}),
            )
        }
    }
}

fn body<T: Default>(b: Result<Json<T>, JsonRejection>) -> T {
    b.map(|Json(v)| v).unwrap_or_default()
}

async fn orders(State(svc): State<Services>) -> Response {
    match sim::pending(&svc).await {
        Ok(orders) => answer(StatusCode::OK, json!({"orders": orders})),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Scan {
    qr_data: String,
}

async fn scan(State(svc): State<Services>, b: Result<Json<Scan>, JsonRejection>) -> Response {
    match sim::scan(&svc, &body(b).qr_data).await {
        Ok(order_ref) => answer(StatusCode::OK, json!({"orderRef": order_ref, "hintCode": "userSign"})),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Autostart {
    auto_start_token: String,
}

async fn autostart(State(svc): State<Services>, b: Result<Json<Autostart>, JsonRejection>) -> Response {
    match sim::autostart(&svc, &body(b).auto_start_token).await {
        Ok(order_ref) => answer(StatusCode::OK, json!({"orderRef": order_ref, "hintCode": "userSign"})),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Approve {
    personal_number: String,
    /// Decoupled flow: `approve` (default) or `reject` the consent or payment.
    decision: Option<String>,
}

async fn approve(
    State(svc): State<Services>,
    Path(order_ref): Path<String>,
    b: Result<Json<Approve>, JsonRejection>,
) -> Response {
    let b = body(b);
    let yes = b.decision.as_deref() != Some("reject");
    match sim::approve(&svc, &order_ref, &b.personal_number, yes).await {
        Ok(pnr) => answer(
            StatusCode::OK,
            json!({"orderRef": order_ref, "status": "complete", "completionData": {"user": {"personalNumber": pnr}}}),
        ),
        Err(e) => refused(e),
    }
}

async fn cancel(State(svc): State<Services>, Path(order_ref): Path<String>) -> Response {
    match sim::cancel(&svc, &order_ref).await {
        Ok(()) => answer(
            StatusCode::OK,
            json!({"orderRef": order_ref, "status": "failed", "hintCode": "userCancel"}),
        ),
        Err(e) => refused(e),
    }
}
