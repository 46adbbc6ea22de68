//! "Register certificate production": upload or paste the application's QWAC,
//! see the organization ID it carries, replace or delete it.

use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::session::{self, FlashKind, SignedIn};
use crate::services::certificates::{self, MAX_BYTES};
use crate::services::{ServiceError, Services, applications};
use crate::web::Reply;

/// The file field `certificate`, or else the pasted `pem`.
async fn upload(mut form: Multipart) -> Result<Vec<u8>, (StatusCode, String)> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is larger than 64 KiB; a certificate is a few KiB.".to_string(),
        )
    };
    let (mut file, mut pasted) = (Vec::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(|_| too_large())?;
        match name.as_str() {
            "certificate" => file = bytes.to_vec(),
            "pem" => pasted = bytes.to_vec(),
            _ => {}
        }
    }
    let chosen = if file.is_empty() { pasted } else { file };
    if chosen.len() > MAX_BYTES {
        return Err(too_large());
    }
    Ok(chosen)
}

pub async fn register(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>, form: Multipart) -> Reply {
    let owned = applications::owned(&svc, &me.user, &id).await?;
    let (status, refusal) = match upload(form).await {
        Err(refused) => refused,
        Ok(bytes) => match certificates::register(&svc, &owned, &me.page.client_address, &bytes).await {
            Ok(r) => {
                let mut message = format!(
                    "{} certificate registered: organization ID {} ({}).",
                    if r.replaced { "New" } else { "The" },
                    r.certificate.qwac.organization_id,
                    r.certificate.qwac.organization_name
                );
                if r.replaced {
                    message.push_str(" The previous certificate is kept in the history below.");
                }
                if r.ignored_in_chain > 0 {
                    message.push_str(&format!(
                        " The upload was a chain: the first certificate is the one registered; the {} after it {} ignored.",
                        r.ignored_in_chain,
                        if r.ignored_in_chain == 1 { "was" } else { "were" }
                    ));
                }
                return session::redirect_with(
                    &me.page.session,
                    FlashKind::Success,
                    message,
                    &format!("/applications/{}?tab=production", owned.id),
                )
                .await;
            }
            Err(ServiceError::Refused {
                code: "too_large",
                message,
            }) => (StatusCode::PAYLOAD_TOO_LARGE, message),
            Err(ServiceError::Refused { message, .. }) => (StatusCode::UNPROCESSABLE_ENTITY, message),
            Err(ServiceError::Conflict { message, .. }) => (StatusCode::CONFLICT, message),
            Err(e) => return Err(e.into()),
        },
    };
    // The form again with the refusal beside it. What was uploaded is never
    // echoed back: it may be a private key.
    super::applications::refused_certificate(&svc, me.page.layout, owned, status, refusal).await
}

pub async fn delete(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let (kind, message) = match certificates::delete(&svc, &app, &me.page.client_address).await {
        Ok(()) => (
            FlashKind::Success,
            "The certificate is deleted; it stays in the history.".to_string(),
        ),
        Err(ServiceError::NotFound) => (
            FlashKind::Info,
            "This application has no registered certificate.".to_string(),
        ),
        Err(e) => return Err(e.into()),
    };
    session::redirect_with(
        &me.page.session,
        kind,
        message,
        &format!("/applications/{}?tab=production", app.id),
    )
    .await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    signature: String,
}

/// The developer's signature over the certificate's challenge.
pub async fn confirm(
    State(svc): State<Services>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let outcome = certificates::confirm(&svc, &app, &me.page.client_address, &form.signature)
        .await
        .map(|c| {
            format!(
                "Confirmed: you hold the key of the certificate of {}. No other account can register it now.",
                c.qwac.organization_id
            )
        });
    session::redirect_after(
        &me.page.session,
        outcome,
        &format!("/applications/{}?tab=production", app.id),
    )
    .await
}
