//! Sign-up, e-mail verification, sign-in, sign-out and password reset pages.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::render;
use super::session::{self, FlashKind, Layout, Page};
use crate::domain::profile::COUNTRIES;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::services::Services;
use crate::services::sign_in::{self, ResetError, SignInError};
use crate::services::sign_up::{self, SignUpError, SignUpInput, VerifyOutcome};
use crate::web::Reply;

// ---- sign-up ----

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignUpView {
    layout: Layout,
    form: SignUpInput,
    errors: FieldErrors,
    countries: &'static [(&'static str, &'static str)],
}

fn signup_view(layout: Layout, form: SignUpInput, errors: FieldErrors) -> SignUpView {
    SignUpView {
        layout,
        form,
        errors,
        countries: COUNTRIES,
    }
}

pub async fn signup_page(page: Page) -> Reply {
    if page.user.is_some() {
        return Ok(Redirect::to("/profile").into_response());
    }
    let page = page.with_csrf().await?;
    render(&signup_view(page.layout, SignUpInput::default(), FieldErrors::new()))
}

pub async fn signup(State(svc): State<Services>, page: Page, Form(form): Form<SignUpInput>) -> Reply {
    match sign_up::sign_up(&svc, &form, &page.client_address).await {
        Ok(()) => Ok(Redirect::to("/signup/check-email").into_response()),
        Err(SignUpError::Invalid(errors)) => {
            let kept = SignUpInput {
                password: String::new(),
                password_confirmation: String::new(),
                ..form
            };
            let mut res = render(&signup_view(page.layout, kept, errors))?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(SignUpError::Internal(e)) => Err(AppError::Internal(e)),
    }
}

#[derive(Template)]
#[template(path = "auth/check_email.html")]
struct CheckEmailView {
    layout: Layout,
    hours: i64,
}

pub async fn check_email_page(State(svc): State<Services>, page: Page) -> Reply {
    render(&CheckEmailView {
        layout: page.layout,
        hours: svc.config.verify_link_ttl.whole_hours(),
    })
}

// ---- verification ----

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "auth/verify_result.html")]
struct VerifyView {
    layout: Layout,
    outcome: &'static str,
    token: String,
}

pub async fn verify_email(State(svc): State<Services>, page: Page, Query(q): Query<TokenQuery>) -> Reply {
    let outcome = sign_up::verify_email(&svc, &q.token, &page.client_address).await?;
    let page = if outcome == VerifyOutcome::Expired {
        page.with_csrf().await?
    } else {
        page
    };
    let outcome = match outcome {
        VerifyOutcome::Verified => "verified",
        VerifyOutcome::AlreadyVerified => "already",
        VerifyOutcome::Expired => "expired",
        VerifyOutcome::Invalid => "invalid",
    };
    render(&VerifyView {
        layout: page.layout,
        outcome,
        token: q.token,
    })
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

pub async fn resend_verification(State(svc): State<Services>, page: Page, Form(form): Form<ResendForm>) -> Reply {
    sign_up::resend_verification(&svc, form.token.as_deref(), form.email.as_deref()).await?;
    session::flash(
        &page.session,
        FlashKind::Info,
        "If that account still needs verifying, a new link is on its way. Check your inbox (and spam folder).",
    )
    .await?;
    Ok(Redirect::to("/signin").into_response())
}

// ---- sign-in and sign-out ----

#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/signin.html")]
struct SignInView {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    /// Set when the password was right but the address is not verified.
    unverified: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Set by sign-out, which keeps no session to carry a flash in.
    signed_out: Option<String>,
}

pub async fn signin_page(page: Page, Query(q): Query<NextQuery>) -> Reply {
    if page.user.is_some() {
        return Ok(Redirect::to(&session::local_path(q.next.as_deref())?).into_response());
    }
    let next = session::local_path(q.next.as_deref())?;
    let mut page = page.with_csrf().await?;
    if q.signed_out.is_some() {
        page.layout.flash = Some(session::Flash {
            kind: FlashKind::Info,
            message: "You are signed out.".into(),
        });
    }
    render(&SignInView {
        layout: page.layout,
        email: String::new(),
        next,
        error: None,
        unverified: false,
    })
}

pub async fn signin(State(svc): State<Services>, page: Page, Form(form): Form<SignInForm>) -> Reply {
    let next = session::local_path(form.next.as_deref())?;
    let view = |layout: Layout, error: &str, unverified: bool| SignInView {
        layout,
        email: form.email.trim().to_string(),
        next: next.clone(),
        error: Some(error.to_string()),
        unverified,
    };
    match sign_in::sign_in(&svc, &form.email, &form.password, &page.client_address).await {
        Ok(user) => {
            session::start(&page.session, &user, &svc).await?;
            session::flash(
                &page.session,
                FlashKind::Success,
                format!("Welcome, {}. You are signed in.", user.first_name),
            )
            .await?;
            // From the home page: an admin lands on the request inbox, a
            // developer on the dashboard and its next step.
            let next = match (next.as_str(), user.role) {
                ("/", crate::domain::user::Role::Admin) => "/admin/requests".to_string(),
                ("/", _) => "/dashboard".to_string(),
                _ => next,
            };
            Ok(Redirect::to(&next).into_response())
        }
        Err(SignInError::Invalid) => {
            let mut res = render(&view(
                page.layout,
                "The e-mail address or the password is not right.",
                false,
            ))?;
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(res)
        }
        Err(SignInError::Unverified { .. }) => {
            let msg = "Your e-mail address is not verified yet. Open the link in the mail we sent you, or send the e-mail again.";
            let mut res = render(&view(page.layout, msg, true))?;
            *res.status_mut() = axum::http::StatusCode::FORBIDDEN;
            Ok(res)
        }
        Err(SignInError::Disabled) => {
            let msg = "This account is disabled. Contact the bank to have it enabled again.";
            let mut res = render(&view(page.layout, msg, false))?;
            *res.status_mut() = axum::http::StatusCode::FORBIDDEN;
            Ok(res)
        }
        Err(SignInError::Throttled(retry)) => Err(AppError::TooManyRequests {
            retry_after_secs: retry.0,
        }),
        Err(SignInError::Internal(e)) => Err(AppError::Internal(e)),
    }
}

pub async fn signout(page: Page) -> Reply {
    // The session's row is deleted and its cookie expired; nothing of it
    // is kept, not even for a flash message.
    session::end(&page.session).await?;
    Ok(Redirect::to("/signin?signed_out=1").into_response())
}

// ---- password reset ----

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotView {
    layout: Layout,
    email: String,
}

pub async fn forgot_page(page: Page) -> Reply {
    let page = page.with_csrf().await?;
    render(&ForgotView {
        layout: page.layout,
        email: String::new(),
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(State(svc): State<Services>, Form(form): Form<ForgotForm>) -> Reply {
    sign_in::request_reset_after_answering(&svc, form.email);
    Ok(Redirect::to("/password/forgot/sent").into_response())
}

#[derive(Template)]
#[template(path = "auth/forgot_sent.html")]
struct ForgotSentView {
    layout: Layout,
    minutes: i64,
}

pub async fn forgot_sent_page(State(svc): State<Services>, page: Page) -> Reply {
    render(&ForgotSentView {
        layout: page.layout,
        minutes: svc.config.reset_link_ttl.whole_minutes(),
    })
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetView {
    layout: Layout,
    token: String,
    valid: bool,
    error: Option<String>,
}

pub async fn reset_page(State(svc): State<Services>, page: Page, Query(q): Query<TokenQuery>) -> Reply {
    let valid = sign_in::reset_link_is_valid(&svc, &q.token).await?;
    let page = page.with_csrf().await?;
    render(&ResetView {
        layout: page.layout,
        token: q.token,
        valid,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

pub async fn reset(State(svc): State<Services>, page: Page, Form(form): Form<ResetForm>) -> Reply {
    match sign_in::reset_password(
        &svc,
        &page.client_address,
        &form.token,
        &form.password,
        &form.password_confirmation,
    )
    .await
    {
        Ok(()) => {
            session::end(&page.session).await?;
            session::flash(
                &page.session,
                FlashKind::Success,
                "Your password is changed. Sign in with the new one.",
            )
            .await?;
            Ok(Redirect::to("/signin").into_response())
        }
        Err(ResetError::Password(msg)) => {
            let mut res = render(&ResetView {
                layout: page.layout,
                token: form.token,
                valid: true,
                error: Some(msg),
            })?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(ResetError::LinkInvalid) => render(&ResetView {
            layout: page.layout,
            token: String::new(),
            valid: false,
            error: None,
        }),
        Err(ResetError::Internal(e)) => Err(AppError::Internal(e)),
    }
}
