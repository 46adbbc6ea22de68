//! A developer's way from a new account to production, as the dashboard's
//! checklist shows it: each step is done or not from what the account
//! really has, and the first one not done is the next.

/// What an account has, counted in one read (see `storage::journey`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub applications: i64,
    /// The oldest application, for the steps that need one.
    pub first_application: Option<String>,
    /// An application with a sandbox subscription.
    pub subscribed_application: Option<String>,
    /// An application with sandbox keys.
    pub keyed_application: Option<String>,
    /// Sandbox calls the gateway served (let through, not rate-limited).
    pub served_calls: i64,
    /// Applications with a registered certificate.
    pub certificates: i64,
    pub production_keys: i64,
    pub production_subscriptions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable, for tests and anchors: `verified`, `application`, …
    pub id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    pub done: bool,
    /// Where to go to do it (or to see it).
    pub link: String,
    pub action: &'static str,
}

impl Progress {
    pub fn steps(&self) -> Vec<Step> {
        let app = self.first_application.as_deref();
        let app_page = |tab: &str| match app {
            Some(id) => format!("/applications/{id}?tab={tab}"),
            None => "/applications/new".to_string(),
        };
        let keys_app = self.subscribed_application.as_deref().or(app);
        let console = match &self.keyed_application {
            Some(id) => format!("/apis/accounts-sandbox/console?application={id}"),
            None => "/apis/accounts-sandbox/console".to_string(),
        };
        vec![
            Step {
                id: "verified",
                title: "Verify your e-mail address",
                why: "Done when you followed the link in the mail we sent.",
                done: true,
                link: "/profile".into(),
                action: "See your profile",
            },
            Step {
                id: "application",
                title: "Create an application",
                why: "Keys, subscriptions and certificates belong to an application.",
                done: self.applications > 0,
                link: "/applications/new".into(),
                action: "Create an application",
            },
            Step {
                id: "subscription",
                title: "Subscribe it to a sandbox API",
                why: "Accounts (AIS) or Payments (PIS), with test data.",
                done: self.subscribed_application.is_some(),
                link: "/apis?env=sandbox".into(),
                action: "Open the API store",
            },
            Step {
                id: "keys",
                title: "Get sandbox keys",
                why: "A client id and secret for the token endpoint.",
                done: self.keyed_application.is_some(),
                link: match keys_app {
                    Some(id) => format!("/applications/{id}?tab=keys"),
                    None => "/applications/new".into(),
                },
                action: "Get sandbox keys",
            },
            Step {
                id: "first_call",
                title: "Make a first sandbox call",
                why: "In the API console, or with curl and your keys.",
                done: self.served_calls > 0,
                link: console,
                action: "Open the API console",
            },
            Step {
                id: "certificate",
                title: "Register your eIDAS certificate",
                why: "A QWAC from a qualified trust service provider; the portal reads your organization ID from it.",
                done: self.certificates > 0,
                link: app_page("production"),
                action: "Register a certificate",
            },
            Step {
                id: "production",
                title: "Go to production",
                why: "Production keys and a production subscription; calls over mutual TLS.",
                done: self.production_keys > 0 && self.production_subscriptions > 0,
                link: app_page("production"),
                action: "Set up production",
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_account_has_only_verified_done_and_links_follow_what_exists() {
        let steps = Progress::default().steps();
        assert_eq!(
            steps.iter().filter(|s| s.done).map(|s| s.id).collect::<Vec<_>>(),
            ["verified"]
        );
        assert_eq!(steps[3].link, "/applications/new");
        let p = Progress {
            applications: 1,
            first_application: Some("a1".into()),
            subscribed_application: Some("a1".into()),
            keyed_application: Some("a1".into()),
            ..Progress::default()
        };
        let steps = p.steps();
        assert_eq!(
            steps.iter().position(|s| !s.done).map(|i| steps[i].id),
            Some("first_call")
        );
        assert_eq!(steps[4].link, "/apis/accounts-sandbox/console?application=a1");
    }
}
