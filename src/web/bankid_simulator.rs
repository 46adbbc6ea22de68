//! `/bankid-simulator`: the simulated BankID app, for testing. It lists the
//! open orders; a tester scans one (pastes the QR code's data), or picks
//! it, enters a personnummer (a test user, or any valid one) and approves,
//! or cancels. In the decoupled flow approving also approves the consent or
//! payment (a tester may reject it instead). 404 with `DEVPORTAL_BANKID=off`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use serde::Deserialize;

use super::session::{self, Layout, Page};
use super::{Reply, render};
use crate::bankid::simulated::PhoneOrder;
use crate::domain::sandbox_users;
use crate::error::AppError;
use crate::services::{Services, bankid_simulator as sim};

#[derive(Template)]
#[template(path = "bank/simulator.html")]
struct SimulatorView {
    layout: Layout,
    orders: Vec<PhoneOrder>,
    test_users: Vec<(&'static str, &'static str)>,
}

pub async fn show(State(svc): State<Services>, page: Page) -> Reply {
    if svc.bankid_simulator.is_none() {
        return Err(AppError::NotFound);
    }
    let page = page.with_csrf().await?;
    render(&SimulatorView {
        layout: page.layout,
        orders: sim::pending(&svc).await?,
        test_users: sandbox_users::TEST_USERS.iter().map(|u| (u.ssn, u.behaviour)).collect(),
    })
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    order_ref: String,
    #[serde(default)]
    personal_number: String,
    #[serde(default)]
    qr_data: String,
    #[serde(default)]
    action: String,
}

/// `POST /bankid-simulator`: scan, approve (as a personnummer), reject or cancel.
pub async fn act(State(svc): State<Services>, page: Page, Form(f): Form<PhoneForm>) -> Reply {
    let outcome = match f.action.as_str() {
        "scan" => sim::scan(&svc, &f.qr_data)
            .await
            .map(|_| "Scanned: the order is open in the app. Pick it below to approve.".to_string()),
        "approve" | "reject" => sim::approve(&svc, &f.order_ref, &f.personal_number, f.action == "approve")
            .await
            .map(|pnr| format!("Identified as {pnr}.")),
        _ => sim::cancel(&svc, &f.order_ref)
            .await
            .map(|()| "Cancelled in the app.".to_string()),
    };
    session::redirect_after(&page.session, outcome, "/bankid-simulator").await
}
