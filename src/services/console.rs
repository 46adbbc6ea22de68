//! The API console: one real HTTP call to this portal's sandbox gateway, made
//! for a signed-in developer, shown with its curl form and response. Only the
//! operations of the catalogue can be called, on this portal's own address,
//! so the console is no proxy to anywhere else.

use std::collections::HashMap;
use std::time::Duration;

use super::token_endpoint::OAuthError;
use super::{ServiceError, Services, applications, catalogue};
use crate::domain::catalogue::{self as cat, Environment};
use crate::domain::user::User;

/// What the console form sends.
#[derive(Debug, Default, Clone)]
pub struct ConsoleRequest {
    pub slug: String,
    pub op: usize,
    /// Values by field name: `p_<path param>`, `q_<query param>`, `body`,
    /// `application_id`, `ssn`, `token`, `psu_ip`, `request_id`.
    pub fields: HashMap<String, String>,
}

impl ConsoleRequest {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(|s| s.trim()).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct ConsoleResult {
    pub curl: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub async fn execute(svc: &Services, dev: &User, req: &ConsoleRequest) -> Result<ConsoleResult, ServiceError> {
    let api = catalogue::get(svc, &req.slug).await?;
    if api.environment != Environment::Sandbox || !api.is_subscribable() {
        return Err(ServiceError::conflict(
            "console_unavailable",
            "The console calls the live sandbox APIs only.",
        ));
    }
    let endpoint = cat::endpoints(&api.family).get(req.op).ok_or(ServiceError::NotFound)?;

    // The URL: this portal's own address, the API's base path, the template.
    let mut url = svc.self_url.clone();
    url.set_path(&api.base_path);
    {
        let mut segments = url
            .path_segments_mut()
            .map_err(|_| ServiceError::conflict("console_url", "Bad base URL."))?;
        for part in endpoint.path.split('/').filter(|s| !s.is_empty()) {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    let value = req.field(&format!("p_{name}"));
                    if value.is_empty() {
                        return Err(ServiceError::invalid(name, format!("Fill in {name}.")));
                    }
                    segments.push(value);
                }
                None => {
                    segments.push(part);
                }
            }
        }
    }
    for (name, _) in endpoint.query {
        let value = req.field(&format!("q_{name}"));
        if !value.is_empty() {
            url.query_pairs_mut().append_pair(name, value);
        }
    }

    // What goes into a header must be one: a CR/LF or other control
    // character would otherwise fail the call (or split the header).
    for (field, name) in [
        ("token", "The access token"),
        ("request_id", "X-Request-ID"),
        ("psu_ip", "PSU-IP-Address"),
    ] {
        if !req.field(field).bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(ServiceError::invalid(
                field,
                format!("{name} can hold only printable ASCII characters, without line breaks."),
            ));
        }
    }
    let token = match req.field("token") {
        "" => {
            let app_id = req.field("application_id");
            let app = applications::owned(svc, dev, app_id).await.map_err(|_| {
                ServiceError::invalid(
                    "application_id",
                    "Choose one of your applications, or paste an access token.",
                )
            })?;
            match super::token_endpoint::issue_for_application(svc, &app.id, req.field("ssn")).await {
                Ok(t) => t.access_token,
                Err(OAuthError::InvalidScope(m)) => return Err(ServiceError::invalid("ssn", m)),
                Err(OAuthError::Internal(e)) => return Err(ServiceError::Internal(e)),
                Err(other) => return Err(ServiceError::Internal(anyhow::anyhow!("console token: {other:?}"))),
            }
        }
        pasted => pasted.to_string(),
    };
    let request_id = match req.field("request_id") {
        "" => uuid::Uuid::new_v4().to_string(),
        id => id.to_string(),
    };
    let psu_ip = req.field("psu_ip");
    let body = req.field("body");
    let has_body = endpoint.body.is_some() && !body.is_empty();

    let mut curl = format!("curl -X {} {}", endpoint.method, shell_quote(url.as_str()));
    curl.push_str(&format!(
        " \\\n  -H {}",
        shell_quote(&format!("Authorization: Bearer {token}"))
    ));
    curl.push_str(&format!(
        " \\\n  -H {}",
        shell_quote(&format!("X-Request-ID: {request_id}"))
    ));
    if !psu_ip.is_empty() {
        curl.push_str(&format!(
            " \\\n  -H {}",
            shell_quote(&format!("PSU-IP-Address: {psu_ip}"))
        ));
    }
    if has_body {
        curl.push_str(&format!(
            " \\\n  -H 'Content-Type: application/json' \\\n  -d {}",
            shell_quote(body)
        ));
    }

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let method =
        reqwest::Method::from_bytes(endpoint.method.as_bytes()).map_err(|e| ServiceError::Internal(e.into()))?;
    let mut call = client
        .request(method, url.as_str())
        .bearer_auth(&token)
        .header("X-Request-ID", &request_id);
    if !psu_ip.is_empty() {
        call = call.header("PSU-IP-Address", psu_ip);
    }
    if has_body {
        call = call.header("Content-Type", "application/json").body(body.to_string());
    }
    let res = call
        .send()
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("console call: {e}")))?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .filter(|(k, _)| ["content-type", "x-request-id", "retry-after", "www-authenticate"].contains(&k.as_str()))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(text);
    Ok(ConsoleResult {
        curl,
        status,
        headers,
        body,
    })
}
