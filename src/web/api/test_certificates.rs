//! Test certificates from the portal's test QTSP, for rehearsing mutual TLS
//! in the sandbox: `POST` issues one (its key in this response only),
//! `GET` lists the application's.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::{ApiError, rfc3339};
use crate::domain::test_qtsp::TestCertificate;
use crate::services::{Services, applications, test_qtsp};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TestCertificateRequest {
    /// PSP_AI (the Accounts API) and/or PSP_PI (the Payments API).
    #[schema(example = json!(["PSP_AI", "PSP_PI"]))]
    pub roles: Vec<String>,
    /// Protects the key in the PKCS#12 file; at least 8 characters.
    #[schema(example = "a long passphrase")]
    pub passphrase: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TestCertificateDto {
    pub id: String,
    /// `PSDSE-TEST-…`: stable for your account.
    pub organization_id: String,
    pub roles: Vec<String>,
    pub serial: String,
    pub subject: String,
    /// SHA-256 of the certificate, as the portal shows it.
    pub fingerprint: String,
    #[schema(format = DateTime)]
    pub not_before: String,
    #[schema(format = DateTime)]
    pub not_after: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<TestCertificate> for TestCertificateDto {
    fn from(c: TestCertificate) -> Self {
        TestCertificateDto {
            id: c.id,
            organization_id: c.organization_id,
            roles: c.roles,
            serial: c.serial,
            subject: c.subject,
            fingerprint: c.fingerprint,
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
            created_at: rfc3339(c.created_at),
        }
    }
}

/// A new test certificate with its key: shown in this response only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedTestCertificateDto {
    #[serde(flatten)]
    pub certificate: TestCertificateDto,
    /// The certificate (PEM), for `curl --cert`.
    pub certificate_pem: String,
    /// Its private key (PKCS#8 PEM), for `curl --key`. Not kept by the portal.
    pub private_key_pem: String,
    /// Key, certificate and CA as PKCS#12 under your passphrase, base64
    /// (`curl --cert-type P12`, Postman).
    pub pkcs12_base64: String,
}

/// Issues a test certificate for the sandbox (its key in this response only).
#[utoipa::path(post, path = "/api/v1/applications/{id}/test-certificates", operation_id = "createTestCertificate", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = TestCertificateRequest,
    responses((status = 201, body = IssuedTestCertificateDto), (status = 400, description = "Roles or passphrase not valid; see `fields`", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn create(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
    body: Result<Json<TestCertificateRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<IssuedTestCertificateDto>), ApiError> {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let Json(request) = body?;
    let issued = test_qtsp::issue(
        &svc,
        &app,
        &me.client_address,
        &request.roles,
        &request.passphrase,
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTestCertificateDto {
            certificate: issued.certificate.into(),
            certificate_pem: issued.certificate_pem,
            private_key_pem: issued.private_key_pem,
            pkcs12_base64: STANDARD.encode(&issued.pkcs12),
        }),
    ))
}

/// The application's test certificates, newest first (without keys).
#[utoipa::path(get, path = "/api/v1/applications/{id}/test-certificates", operation_id = "listTestCertificates", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = [TestCertificateDto]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<TestCertificateDto>>, ApiError> {
    let app = applications::owned(&svc, &me.user, &id).await?;
    Ok(Json(
        test_qtsp::of_application(&svc, &app)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
