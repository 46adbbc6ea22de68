//! "Download a copy of your data" on the profile page: everything the portal
//! holds about the developer as one JSON file (see `services::data_export`).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Reply;
use super::session::SignedIn;
use crate::domain::qwac::Registered;
use crate::services::Services;
use crate::services::data_export::{self, ApplicationData, DeveloperData};

fn when(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map(Value::String).unwrap_or(Value::Null)
}

fn maybe(t: Option<OffsetDateTime>) -> Value {
    t.map(when).unwrap_or(Value::Null)
}

fn certificate(c: &Registered) -> Value {
    let q = &c.qwac;
    json!({
        "organization_id": q.organization_id, "organization_name": q.organization_name, "country": q.country,
        "roles": q.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "serial": q.serial, "issuer": q.issuer, "subject": q.subject, "fingerprint_sha256": q.fingerprint,
        "not_before": when(q.not_before), "not_after": when(q.not_after),
        "active": c.active, "registered_at": when(c.registered_at), "ended_at": maybe(c.ended_at),
    })
}

fn application(a: &ApplicationData) -> Value {
    let app = &a.application;
    json!({
        "id": app.id, "name": app.name, "description": app.description, "callback_url": app.callback_url, "redirect_uris": app.redirect_uri_list(),
        "created_at": when(app.created_at), "updated_at": when(app.updated_at),
        "subscriptions": a.subscriptions.iter().map(|s| json!({
            "api": s.api_slug, "name": s.api_name, "version": s.api_version,
            "environment": s.environment.as_str(), "status": s.status, "created_at": when(s.created_at),
        })).collect::<Vec<_>>(),
        "keys": a.keys.iter().map(|k| json!({
            "environment": k.environment.as_str(), "client_id": k.client_id,
            "created_at": when(k.created_at), "secret_changed_at": when(k.secret_changed_at),
        })).collect::<Vec<_>>(),
        "certificates": a.certificates.iter().map(certificate).collect::<Vec<_>>(),
    })
}

fn document(d: &DeveloperData, exported_at: OffsetDateTime) -> Value {
    let u = &d.user;
    json!({
        "exported_at": when(exported_at),
        "account": {
            "id": u.id, "email": u.email, "first_name": u.first_name, "last_name": u.last_name,
            "organization": u.organization, "country": u.country, "phone": u.phone,
            "created_at": when(u.created_at), "email_verified_at": maybe(u.email_verified_at),
            "disabled_at": maybe(u.disabled_at),
            "approved": {
                "privacy_policy_version": u.privacy_version, "terms_of_use_version": u.terms_version,
                "at": when(u.legal_accepted_at),
            },
        },
        "applications": d.applications.iter().map(application).collect::<Vec<_>>(),
        "personal_access_tokens": d.personal_access_tokens.iter().map(|t| json!({
            "id": t.id, "name": t.name, "created_at": when(t.created_at),
            "last_used_at": maybe(t.last_used_at), "expires_at": when(t.expires_at),
        })).collect::<Vec<_>>(),
        "requests_to_the_bank": d.requests.iter().map(|r| json!({
            "id": r.id, "category": r.category, "message": r.message, "status": r.status, "reason": r.reason,
            "requested": serde_json::from_str::<Value>(&r.requested).unwrap_or(Value::Null),
            "created_at": when(r.created_at), "updated_at": when(r.updated_at),
        })).collect::<Vec<_>>(),
        "audit_trail": d.audit_trail.iter().map(|r| json!({
            "at": when(r.at), "event": r.event, "actor_email": r.actor_email, "client_address": r.client_addr,
            "target_kind": r.target_kind, "target_id": r.target_id, "detail": r.detail,
        })).collect::<Vec<_>>(),
    })
}

pub async fn download(State(svc): State<Services>, me: SignedIn) -> Reply {
    let data = data_export::collect(&svc, &me.user).await?;
    let body = serde_json::to_vec_pretty(&document(&data, svc.now()))
        .map_err(|e| crate::error::AppError::Internal(e.into()))?;
    let name = format!("devportal-data-{}.json", svc.now().date());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
