//! `GET /mtls/check`: what the portal sees of the caller's client
//! certificate, so a TPP can test its mTLS setup (curl, Postman, a proxy)
//! before it asks for a token. It shows only the certificate the caller
//! itself presented.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::client_certificate::{Channel, ClientCertificate};
use crate::domain::qwac;
use crate::services::Services;

#[derive(Serialize)]
pub struct Check {
    /// `tls` (the TLS listener's handshake) or `proxy` (the trusted proxy's header).
    channel: &'static str,
    /// Whether a client certificate came with the request.
    presented: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<Seen>,
    message: String,
}

#[derive(Serialize)]
struct Seen {
    /// SHA-256 of the DER, as the portal shows registered certificates.
    fingerprint: String,
    /// As a QWAC: the organization ID and roles, or why it is not one.
    qwac: Verdict,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Verdict {
    Qwac {
        organization_id: String,
        roles: Vec<&'static str>,
        subject: String,
        issuer: String,
        not_after: String,
    },
    Refused {
        refused: &'static str,
        message: String,
    },
}

pub struct Presented(Channel, Option<Vec<u8>>);

impl FromRequestParts<Services> for Presented {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let (channel, cert) = ClientCertificate::of(parts, svc);
        Ok(Presented(channel, cert))
    }
}

pub async fn check(State(svc): State<Services>, Presented(channel, cert): Presented) -> Json<Check> {
    let channel_name = match channel {
        Channel::Tls => "tls",
        Channel::Plain => "proxy",
    };
    let Some(der) = cert else {
        let message = match (channel, svc.config.tls.client_cert_header.is_some()) {
            (Channel::Tls, _) => "No client certificate in the TLS handshake: send one (curl --cert … --key …).",
            (Channel::Plain, true) => {
                "No client certificate from the proxy: call the TLS endpoint through it with one."
            }
            (Channel::Plain, false) => {
                "This is the plain HTTP listener: call the TLS listener with a client certificate."
            }
        };
        return Json(Check {
            channel: channel_name,
            presented: false,
            certificate: None,
            message: message.into(),
        });
    };
    let fingerprint = qwac::fingerprint(&der);
    let qwac = match qwac::from_pem_or_der(&der, svc.now()) {
        Ok(q) => Verdict::Qwac {
            organization_id: q.organization_id,
            roles: q.roles.iter().filter_map(|r| r.code()).collect(),
            subject: q.subject,
            issuer: q.issuer,
            not_after: q.not_after.format(&Rfc3339).unwrap_or_default(),
        },
        Err(r) => Verdict::Refused {
            refused: r.code,
            message: r.message,
        },
    };
    Json(Check {
        channel: channel_name,
        presented: true,
        certificate: Some(Seen { fingerprint, qwac }),
        message: "The portal sees this client certificate.".into(),
    })
}
