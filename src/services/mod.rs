//! Use cases. The HTML pages and (later) the JSON API call the same
//! functions here, so no rule is written twice.

pub mod accounts;
pub mod passwords;
pub mod sign_in;
pub mod throttle;

use std::sync::Arc;

use url::Url;

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::MailQueue;
use crate::storage::Db;

/// What every use case may need: the database, the clock, settings, the
/// password hasher and the mail queue.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub hasher: passwords::PasswordHasher,
    pub mail: MailQueue,
    /// Where users reach the portal; links in e-mails start with it.
    pub base_url: Url,
}

impl Services {
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// An absolute link to `path` for an e-mail.
    pub fn url(&self, path: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.to_string()
    }

    /// An absolute link to `path?token=…` for an e-mail.
    pub fn link(&self, path: &str, token: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.query_pairs_mut().clear().append_pair("token", token);
        url.to_string()
    }
}
