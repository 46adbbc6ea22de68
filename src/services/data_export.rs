//! A copy of everything the portal holds about a developer (GDPR art. 15 and
//! 20): profile, the legal versions approved and when, applications with
//! their subscriptions, keys (never secrets) and certificates, personal
//! access tokens (never the tokens), requests to the bank, and their own
//! audit trail.

use super::{ServiceError, Services, applications, audit, certificates, contact, keys, personal_tokens, subscriptions};
use crate::domain::application::{Application, Keys, Subscription};
use crate::domain::audit::Record;
use crate::domain::catalogue::Environment;
use crate::domain::contact::ContactRequest;
use crate::domain::personal_token::PersonalAccessToken;
use crate::domain::qwac::Registered;
use crate::domain::user::User;

pub struct ApplicationData {
    pub application: Application,
    pub subscriptions: Vec<Subscription>,
    pub keys: Vec<Keys>,
    pub certificates: Vec<Registered>,
}

pub struct DeveloperData {
    pub user: User,
    pub applications: Vec<ApplicationData>,
    pub personal_access_tokens: Vec<PersonalAccessToken>,
    pub requests: Vec<ContactRequest>,
    pub audit_trail: Vec<Record>,
}

pub async fn collect(svc: &Services, dev: &User) -> Result<DeveloperData, ServiceError> {
    let mut apps = Vec::new();
    for owned in applications::owned_all(svc, dev).await? {
        let mut app_keys = Vec::new();
        for env in [Environment::Sandbox, Environment::Production] {
            app_keys.extend(keys::find(svc, &owned, env).await?);
        }
        apps.push(ApplicationData {
            subscriptions: subscriptions::for_application(svc, &owned).await?,
            keys: app_keys,
            certificates: certificates::history(svc, &owned).await?,
            application: owned.into_inner(),
        });
    }
    Ok(DeveloperData {
        user: dev.clone(),
        applications: apps,
        personal_access_tokens: personal_tokens::list(svc, dev).await?,
        requests: contact::for_developer(svc, dev).await?,
        audit_trail: audit::own_trail(svc, dev).await?,
    })
}
