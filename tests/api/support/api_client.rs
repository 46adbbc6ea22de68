//! The JSON API with a personal access token.

use super::app::{PASSWORD, TestApp};

/// A JSON API client with a personal access token.
pub struct Api {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        Api {
            base: base.to_string(),
            token: token.to_string(),
            client: reqwest::Client::new(),
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// `PUT …/certificate` with a PEM body, as a pipeline registers a QWAC.
    pub async fn put_certificate(
        &self,
        application_id: &str,
        pem: impl Into<reqwest::Body>,
    ) -> (u16, serde_json::Value) {
        let res = self
            .client
            .put(format!(
                "{}/api/v1/applications/{application_id}/certificate",
                self.base
            ))
            .bearer_auth(&self.token)
            .header("content-type", "application/x-pem-file")
            .body(pem)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }
}

impl TestApp {
    /// A personal access token for `email`, from the JSON API with HTTP Basic.
    pub async fn api_for(&self, email: &str) -> Api {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/personal-access-tokens", self.base))
            .basic_auth(email, Some(PASSWORD))
            .json(&serde_json::json!({"name": "tests"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: serde_json::Value = res.json().await.unwrap();
        Api::new(&self.base, body["token"].as_str().unwrap())
    }
}
