//! The developer's home: where sign-in lands, with the checklist from a new
//! account to production and the next step one click away.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};

use super::render;
use super::session::{Layout, SignedIn};
use crate::domain::journey::Step;
use crate::domain::user::Role;
use crate::services::{Services, journey};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardView {
    layout: Layout,
    first_name: String,
    steps: Vec<Step>,
    /// The first step not done (None: all done) and its index.
    next_step: Option<Step>,
    next_index: usize,
    done: usize,
}

pub async fn show(State(svc): State<Services>, me: SignedIn) -> Reply {
    if me.user.role == Role::Admin {
        return Ok(Redirect::to("/admin/requests").into_response());
    }
    let steps = journey::progress(&svc, &me.user).await?.steps();
    render(&DashboardView {
        layout: me.page.layout,
        first_name: me.user.first_name.clone(),
        next_step: steps.iter().find(|s| !s.done).cloned(),
        next_index: steps.iter().position(|s| !s.done).unwrap_or(usize::MAX),
        done: steps.iter().filter(|s| s.done).count(),
        steps,
    })
}
