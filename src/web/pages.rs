//! The home page, the profile and the legal documents.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::render;
use super::session::{Layout, Page, SignedIn};
use crate::domain::contact::ContactRequest;
use crate::domain::contact::{Category, Status};
use crate::domain::legal::{PRIVACY_POLICY_VERSION, TERMS_OF_USE_VERSION};
use crate::domain::personal_token::PersonalAccessToken;
use crate::domain::profile::country_name;
use crate::domain::user::User;
use crate::error::AppError;
use crate::services::{Services, contact, personal_tokens};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/", get(home))
        .route("/profile", get(profile))
        .route("/legal/privacy", get(privacy))
        .route("/legal/terms", get(terms))
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomeView {
    layout: Layout,
}

async fn home(page: Page) -> Result<Response, AppError> {
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

async fn profile(State(svc): State<Services>, SignedIn { user, page }: SignedIn) -> Result<Response, AppError> {
    let country = country_name(&user.country).unwrap_or("");
    let tokens = personal_tokens::list(&svc, &user).await?;
    let requests = contact::for_developer(&svc, &user).await?;
    render(&ProfileView {
        layout: page.layout,
        user,
        country,
        tokens,
        requests,
    })
}

#[derive(Template)]
#[template(path = "legal/privacy.html")]
struct PrivacyView {
    layout: Layout,
    version: &'static str,
}

async fn privacy(page: Page) -> Result<Response, AppError> {
    render(&PrivacyView {
        layout: page.layout,
        version: PRIVACY_POLICY_VERSION,
    })
}

#[derive(Template)]
#[template(path = "legal/terms.html")]
struct TermsView {
    layout: Layout,
    version: &'static str,
}

async fn terms(page: Page) -> Result<Response, AppError> {
    render(&TermsView {
        layout: page.layout,
        version: TERMS_OF_USE_VERSION,
    })
}
