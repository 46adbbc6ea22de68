//! The bank's own backend for an API family: the call is forwarded as it
//! came (method, the rest of the path, query, body, `X-Request-ID`,
//! `PSU-IP-Address`) with who is calling added (`X-TPP-Organization-ID`,
//! `X-Application-ID`) and, for a customer's token, what they authorised
//! (`X-Consent-ID`, `X-PSU-ID`: their personnummer); the answer's status
//! and body come back as they are.

use std::time::Duration;

use url::Url;

use super::{BankError, BankRequest, BankResponse, ProductionBank};

pub struct Upstream {
    base: Url,
    http: reqwest::Client,
}

impl Upstream {
    pub fn new(base: Url, timeout: Duration) -> anyhow::Result<Upstream> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Upstream { base, http })
    }

    fn url(&self, req: &BankRequest) -> String {
        let mut url = format!("{}{}", self.base.as_str().trim_end_matches('/'), req.path);
        if let Some(q) = &req.query {
            url.push('?');
            url.push_str(q);
        }
        url
    }
}

#[async_trait::async_trait]
impl ProductionBank for Upstream {
    async fn call(&self, req: BankRequest) -> Result<BankResponse, BankError> {
        let mut call = self
            .http
            .request(req.method.clone(), self.url(&req))
            .header("x-request-id", &req.request_id)
            .header("x-tpp-organization-id", &req.organization_id)
            .header("x-application-id", &req.application_id);
        if let Some(id) = &req.consent_id {
            call = call.header("x-consent-id", id);
        }
        if let Some(psu) = &req.psu_id {
            call = call.header("x-psu-id", psu);
        }
        if let Some(ip) = &req.psu_ip_address {
            call = call.header("psu-ip-address", ip);
        }
        if let Some(ct) = &req.content_type {
            call = call.header("content-type", ct);
        }
        if !req.body.is_empty() {
            call = call.body(req.body.clone());
        }
        let res = call.send().await.map_err(unanswered)?;
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = res.bytes().await.map_err(unanswered)?;
        Ok(BankResponse {
            status,
            content_type,
            body,
            simulated: false,
        })
    }
}

/// Why the backend gave no answer: too slow, or not there.
fn unanswered(e: reqwest::Error) -> BankError {
    if e.is_timeout() {
        BankError::Timeout
    } else {
        BankError::Unreachable(e.to_string())
    }
}
