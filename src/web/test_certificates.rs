//! "Create a test certificate" on an application's Production tab: the
//! portal's test QTSP issues one, and the answer to the POST is the only
//! time its key exists (PKCS#12 under the developer's passphrase, and PEM),
//! offered as downloads together with the curl commands that use it.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::session::{Layout, SignedIn};
use super::{render, render_status};
use crate::domain::application::Application;
use crate::domain::test_qtsp::MIN_PASSPHRASE;
use crate::domain::validation::FieldErrors;
use crate::services::{ServiceError, Services, applications, keys, test_qtsp};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "applications/test_certificate_form.html")]
struct FormView {
    layout: Layout,
    app: Application,
    ai: bool,
    pi: bool,
    errors: FieldErrors,
}

impl FormView {
    fn passphrase_hint(&self) -> String {
        format!("At least {MIN_PASSPHRASE} characters. You type it again in curl or Postman.")
    }
}

#[derive(Template)]
#[template(path = "applications/test_certificate_issued.html")]
struct IssuedView {
    layout: Layout,
    app: Application,
    issued: test_qtsp::Issued,
    pkcs12_base64: String,
    /// `https://host:port` of the TLS listener, if it is on.
    tls_url: Option<String>,
    /// The sandbox client id, if the application has sandbox keys.
    client_id: Option<String>,
    /// The server certificate is the self-signed one: curl needs --cacert.
    self_signed: bool,
}

impl IssuedView {
    fn file_stem(&self) -> String {
        format!("{}-test-qwac", self.app.name)
    }
}

#[derive(Deserialize)]
pub struct TestCertificateForm {
    #[serde(default)]
    role_ai: Option<String>,
    #[serde(default)]
    role_pi: Option<String>,
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    passphrase_confirmation: String,
}

pub async fn new(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?.into_inner();
    render(&FormView {
        layout: me.page.layout,
        app,
        ai: true,
        pi: true,
        errors: FieldErrors::new(),
    })
}

pub async fn create(
    State(svc): State<Services>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TestCertificateForm>,
) -> Reply {
    let owned = applications::owned(&svc, &me.user, &id).await?;
    let (ai, pi) = (form.role_ai.is_some(), form.role_pi.is_some());
    let roles: Vec<String> = [(ai, "PSP_AI"), (pi, "PSP_PI")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, r)| r.to_string())
        .collect();
    let issued = test_qtsp::issue(
        &svc,
        &owned,
        &me.page.client_address,
        &roles,
        &form.passphrase,
        Some(&form.passphrase_confirmation),
    )
    .await;
    let issued = match issued {
        Ok(issued) => issued,
        // The roles stay ticked; a passphrase is never sent back.
        Err(ServiceError::Invalid(errors)) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormView {
                    layout: me.page.layout,
                    app: owned.into_inner(),
                    ai,
                    pi,
                    errors,
                },
            );
        }
        Err(e) => return Err(e.into()),
    };
    let client_id = keys::find(&svc, &owned, crate::domain::catalogue::Environment::Sandbox)
        .await?
        .map(|k| k.client_id);
    render(&IssuedView {
        layout: me.page.layout,
        pkcs12_base64: STANDARD.encode(&issued.pkcs12),
        issued,
        tls_url: svc
            .tls_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string()),
        client_id,
        self_signed: svc.config.tls.cert.is_none(),
        app: owned.into_inner(),
    })
}
