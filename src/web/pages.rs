//! The home page and the profile.

use askama::Template;
use axum::extract::State;

use super::render;
use super::session::{Layout, Page, SignedIn};
use crate::domain::contact::ContactRequest;
use crate::domain::contact::{Category, Status};
use crate::domain::personal_token::PersonalAccessToken;
use crate::domain::profile::country_name;
use crate::domain::user::User;
use crate::services::{Services, contact, personal_tokens};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomeView {
    layout: Layout,
}

pub async fn home(page: Page) -> Reply {
    render(&HomeView { layout: page.layout })
}

#[derive(Template)]
#[template(path = "pages/profile.html")]
struct ProfileView {
    layout: Layout,
    user: User,
    country: &'static str,
    tokens: Vec<PersonalAccessToken>,
    requests: Vec<ContactRequest>,
    now: time::OffsetDateTime,
}

impl ProfileView {
    fn date(t: &time::OffsetDateTime) -> String {
        super::format_time(*t)
    }

    fn category(r: &ContactRequest) -> &'static str {
        Category::parse(&r.category).map(Category::label).unwrap_or("Other")
    }

    fn status(r: &ContactRequest) -> &'static str {
        Status::parse(&r.status).map(Status::label).unwrap_or("Open")
    }
}

pub async fn profile(State(svc): State<Services>, me: SignedIn) -> Reply {
    let country = country_name(&me.user.country).unwrap_or("");
    let tokens = personal_tokens::list(&svc, &me.user).await?;
    let requests = contact::for_developer(&svc, &me.user).await?;
    render(&ProfileView {
        layout: me.page.layout,
        user: me.user,
        country,
        tokens,
        now: svc.now(),
        requests,
    })
}
