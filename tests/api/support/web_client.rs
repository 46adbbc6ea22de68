//! The portal through its pages, as a browser without JavaScript: a client
//! that keeps cookies, sends the CSRF token and does not follow redirects,
//! with the steps most tests share (sign up, create an application…).

use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;

use super::app::PASSWORD;

/// One browser: a client that keeps cookies and does not follow redirects.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A browser whose requests say they come from `address` (through a load
    /// balancer: the portal must be set to trust `X-Forwarded-For`).
    pub fn from_address(base: &str, address: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        Browser::with_headers(base, headers)
    }

    fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser {
            base: base.to_string(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// The CSRF token of this browser's session (from the page's meta tag).
    pub async fn csrf(&self) -> String {
        // A page with a form: it makes a token for an anonymous visitor too.
        let html = self.get_html("/password/forgot").await;
        attr_after(&html, r#"name="csrf-token" content=""#).expect("a csrf-token meta tag")
    }

    /// Submits a form as the page would, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form_raw(path, &all).await
    }

    /// Submits exactly `fields`, without adding a CSRF token.
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Submits the new-password form of a reset link.
    pub async fn reset_password(&self, token: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/password/reset",
            &[
                ("token", token),
                ("password", password),
                ("password_confirmation", password),
            ],
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signin", &[("email", email), ("password", password)])
            .await
    }

    /// True when /profile shows the account rather than sending to sign-in.
    pub async fn is_signed_in(&self) -> bool {
        self.get("/profile").await.status() == 200
    }
}

/// The value that follows `prefix` up to the next double quote.
pub fn attr_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub fn signup_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", "Anna".into()),
        ("last_name", "Svensson".into()),
        ("email", email.into()),
        ("organization", "Example Payments AB".into()),
        ("country", "SE".into()),
        ("phone", "+46 8 123 456 78".into()),
        ("password", PASSWORD.into()),
        ("password_confirmation", PASSWORD.into()),
        ("accept_privacy", "yes".into()),
        ("accept_terms", "yes".into()),
    ]
}

pub fn as_pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

impl Browser {
    /// Creates an application through the form; returns its id.
    pub async fn create_application(&self, name: &str) -> String {
        let res = self
            .post_form("/applications", &[("name", name), ("description", "made by a test")])
            .await;
        assert_eq!(res.status(), 303, "creating {name}");
        location(&res).trim_start_matches("/applications/").to_string()
    }

    /// Subscribes an application through the API page; returns the subscription id.
    pub async fn subscribe(&self, application_id: &str, api: &str) -> String {
        let res = self
            .post_form(&format!("/apis/{api}/subscribe"), &[("application_id", application_id)])
            .await;
        let to = location(&res);
        assert!(to.starts_with("/subscriptions/"), "subscribing went to {to}");
        to.trim_start_matches("/subscriptions/").to_string()
    }

    /// Generates sandbox keys through the page; returns (client id, secret).
    pub async fn generate_keys(&self, application_id: &str) -> (String, String) {
        let res = self
            .post_form(&format!("/applications/{application_id}/sandbox-keys"), &[])
            .await;
        assert_eq!(res.status(), 303, "Post/Redirect/Get");
        let html = self.get_html(&location(&res)).await;
        let id = between(&html, r#"<code id="client-id">"#, "</code>").unwrap();
        let secret = between(&html, r#"<code id="client-secret" class="secret">"#, "</code>").unwrap();
        (id, secret)
    }
}

impl Browser {
    /// Deletes an application through its confirmation form (typing `name`).
    pub async fn delete_application(&self, application_id: &str, name: &str) -> reqwest::Response {
        self.post_form(
            &format!("/applications/{application_id}/delete"),
            &[("confirm_name", name)],
        )
        .await
    }

    /// Regenerates the sandbox secret through the page; returns (page, new secret).
    pub async fn regenerate_secret(&self, application_id: &str) -> (String, String) {
        let res = self
            .post_form(&format!("/applications/{application_id}/sandbox-keys/secret"), &[])
            .await;
        let html = self.get_html(&location(&res)).await;
        let secret = between(&html, r#"<code id="client-secret" class="secret">"#, "</code>").unwrap();
        (html, secret)
    }
}

/// The text between `start` and the next `end`.
pub fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let from = s.find(start)? + start.len();
    let to = s[from..].find(end)? + from;
    Some(s[from..to].to_string())
}

/// The `token` query parameter of a link.
pub fn token_in(link: &str) -> String {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned()
}

/// Sends a profile change to the bank through the contact form.
pub async fn send_profile_change(dev: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut all = vec![("category", "profile")];
    all.extend_from_slice(fields);
    dev.post_form("/contact", &all).await
}

pub fn request_id(inbox: &str) -> String {
    between(inbox, r#"<a href="/admin/requests/"#, r#"">Handle"#).unwrap()
}

impl Browser {
    /// Uploads a file on the Production tab (multipart, the CSRF token a field of the form).
    pub async fn upload_certificate(&self, application_id: &str, file: &str, bytes: Vec<u8>) -> reqwest::Response {
        let token = self.csrf().await;
        let form = Form::new()
            .text("csrf_token", token)
            .part("certificate", Part::bytes(bytes).file_name(file.to_string()))
            .text("pem", "");
        self.client
            .post(self.url(&format!("/applications/{application_id}/certificate")))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

pub fn developer_id(list: &str) -> String {
    between(list, r#"<a href="/admin/developers/"#, r#"">"#).unwrap()
}
