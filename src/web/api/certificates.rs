//! The application's production certificate through the JSON API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::{ApiError, rfc3339};
use crate::domain::qwac::Registered;
use crate::services::{Services, applications, certificates};

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleDto {
    /// PSP_AI, PSP_PI, PSP_AS or PSP_IC.
    pub code: Option<String>,
    pub oid: String,
    pub name: String,
    pub meaning: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CertificateDto {
    #[schema(example = "PSDSE-FINA-900001")]
    pub organization_id: String,
    pub organization_name: String,
    pub country: String,
    pub nca_name: String,
    pub nca_id: String,
    pub roles: Vec<RoleDto>,
    pub serial: String,
    pub issuer: String,
    #[schema(format = DateTime)]
    pub not_before: String,
    #[schema(format = DateTime)]
    pub not_after: String,
    /// SHA-256 of the DER.
    pub fingerprint: String,
    #[schema(format = DateTime)]
    pub registered_at: String,
    /// Whether the developer proved they hold the key (see `challenge`).
    /// Until then the registration keeps nobody else from registering it.
    pub confirmed: bool,
    /// Sign this with the certificate's key and POST the signature to
    /// `…/certificate/confirm`:
    /// `printf '%s' "$CHALLENGE" | openssl dgst -sha256 -sign qwac.key | openssl base64 -A`.
    pub challenge: String,
    /// Certificates after the leaf in an uploaded chain, which were not used (PUT only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored_in_chain: Option<usize>,
}

impl From<Registered> for CertificateDto {
    fn from(c: Registered) -> Self {
        let q = c.qwac;
        CertificateDto {
            roles: q
                .roles
                .iter()
                .map(|r| RoleDto {
                    code: r.code().map(str::to_string),
                    oid: r.oid.clone(),
                    name: r.name.clone(),
                    meaning: r.meaning().into(),
                })
                .collect(),
            organization_id: q.organization_id,
            organization_name: q.organization_name,
            country: q.country,
            nca_name: q.nca_name,
            nca_id: q.nca_id,
            serial: q.serial,
            issuer: q.issuer,
            not_before: rfc3339(q.not_before),
            not_after: rfc3339(q.not_after),
            fingerprint: q.fingerprint,
            registered_at: rfc3339(c.registered_at),
            confirmed: c.confirmed_at.is_some(),
            challenge: c.challenge,
            ignored_in_chain: None,
        }
    }
}

/// A certificate as raw bytes: DER, or PEM as bytes (documented as binary so
/// that generated clients offer a file upload).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
// Never built: it only names the body in the document.
pub struct CertificateFile(#[allow(dead_code)] Vec<u8>);

/// Registers (or replaces) the application's QWAC: the PEM or DER as the body.
#[utoipa::path(put, path = "/api/v1/applications/{id}/certificate", operation_id = "registerCertificate", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body(description = "The certificate: PEM as text (application/x-pem-file or text/plain), or DER \
        (application/pkix-cert or application/octet-stream)",
        content((CertificateFile = "application/octet-stream"), (String = "application/x-pem-file"),
                (String = "text/plain"))),
    responses((status = 200, body = CertificateDto), (status = 404, body = ErrorBody),
              (status = 409, description = "Registered under another developer account", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, description = "Refused, with a code per reason: not_a_certificate, private_key_not_accepted, \
                 csr_not_accepted, not_x509_v3, expired, not_yet_valid, not_qualified, not_qwac, no_psd2_roles, \
                 no_organization_identifier, bad_organization_identifier", body = ErrorBody)))]
pub async fn put(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CertificateDto>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accepted = [
        "application/x-pem-file",
        "text/plain",
        "application/pkix-cert",
        "application/x-x509-ca-cert",
        "application/octet-stream",
    ];
    if !accepted.iter().any(|t| content_type.starts_with(t)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the certificate with Content-Type application/x-pem-file or text/plain (PEM), or \
             application/pkix-cert (DER).",
        ));
    }
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The certificate is larger than 64 KiB.",
            )
        } else {
            ApiError::new(r.status(), "invalid_body", r.body_text())
        }
    })?;
    let r = certificates::register(
        &svc,
        &applications::owned(&svc, &me.user, &id).await?,
        &me.client_address,
        &body,
    )
    .await?;
    let mut dto = CertificateDto::from(r.certificate);
    dto.ignored_in_chain = Some(r.ignored_in_chain);
    Ok(Json(dto))
}

/// The application's registered certificate.
#[utoipa::path(get, path = "/api/v1/applications/{id}/certificate", operation_id = "getCertificate", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = CertificateDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CertificateDto>, ApiError> {
    let history = certificates::history(&svc, &applications::owned(&svc, &user, &id).await?).await?;
    let active = history.into_iter().find(|c| c.active).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_certificate",
            "This application has no registered certificate.",
        )
    })?;
    Ok(Json(active.into()))
}

/// Deletes the registered certificate (it stays in the history).
#[utoipa::path(delete, path = "/api/v1/applications/{id}/certificate", operation_id = "deleteCertificate", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(State(svc): State<Services>, me: ApiUser, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    certificates::delete(
        &svc,
        &applications::owned(&svc, &me.user, &id).await?,
        &me.client_address,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ConfirmRequest {
    /// The challenge signed with the certificate's private key, base64.
    pub signature: String,
}

/// Proves the developer holds the registered certificate's private key.
#[utoipa::path(post, path = "/api/v1/applications/{id}/certificate/confirm", operation_id = "confirmCertificate", tag = "applications",
    security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = ConfirmRequest,
    responses((status = 200, body = CertificateDto), (status = 404, body = ErrorBody),
              (status = 409, description = "No certificate, already confirmed, or confirmed under another account",
               body = ErrorBody),
              (status = 422, description = "signature_invalid or signature_unreadable", body = ErrorBody)))]
pub async fn confirm(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
    body: Result<Json<ConfirmRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CertificateDto>, ApiError> {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let Json(request) = body?;
    let confirmed = certificates::confirm(&svc, &app, &me.client_address, &request.signature).await?;
    Ok(Json(confirmed.into()))
}
