//! Who may call the APIs: checking access tokens on every call (the token
//! endpoint that issues them is [`super::token_endpoint`]). Checks (and
//! client ids at the token endpoint) are answered from memory;
//! an entry is reloaded from the database after `access_cache_ttl`, and is
//! dropped at once on this instance when a secret is regenerated, keys are
//! revoked, a subscription changes or the application is deleted.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::Services;
use crate::domain::catalogue::Environment;
use crate::domain::secret::access_token_key;
use crate::storage::{access_tokens, subscriptions};

/// What a valid access token lets its holder do.
#[derive(Debug, Clone)]
pub struct Access {
    pub application_id: Arc<str>,
    pub environment: Environment,
    /// The customer (12-digit personnummer) the token acts for.
    pub ssn: Arc<str>,
    pub expires_at: i64,
    /// Slugs of the APIs the application subscribes to.
    pub apis: Arc<HashSet<String>>,
    /// Slugs of subscribed APIs a bank admin has blocked.
    pub blocked: Arc<HashSet<String>>,
    /// The x5t#S256 of the client certificate the token is bound to (RFC
    /// 8705): every call must come with that certificate.
    pub bound_to: Option<Arc<str>>,
    /// A production token's scope (`accounts`, `payments`).
    pub scope: Option<Arc<str>>,
    /// Production: the organization ID of the application's registered QWAC.
    pub organization_id: Option<Arc<str>>,
}

impl Access {
    /// The consent an AIS token reads with (`AIS:<consentId>`).
    pub fn consent_id(&self) -> Option<&str> {
        let scope = self.scope.as_deref()?;
        scope
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("AIS:"))
            .map(|_| &scope[4..])
    }

    /// The one payment a PIS token acts on (`PIS:<paymentId>`).
    pub fn payment_id(&self) -> Option<&str> {
        let scope = self.scope.as_deref()?;
        scope
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("PIS:"))
            .map(|_| &scope[4..])
    }
}

struct Cached {
    access: Access,
    loaded: Instant,
}

/// A client id's application, environment and secret hash.
#[derive(Clone)]
pub(super) struct Client {
    pub(super) application_id: String,
    pub(super) environment: Environment,
    pub(super) secret_hash: String,
    pub(super) loaded: Instant,
}

pub struct AccessCache {
    entries: RwLock<HashMap<String, Cached>>,
    clients: RwLock<HashMap<String, Client>>,
    ttl: Duration,
    /// Counts evictions: what was read from the database before one may be
    /// stale (a request in flight while keys were replaced), and is not kept.
    generation: AtomicU64,
}

impl AccessCache {
    pub fn new(ttl: Duration) -> Self {
        AccessCache {
            entries: RwLock::new(HashMap::new()),
            clients: RwLock::new(HashMap::new()),
            ttl,
            generation: AtomicU64::new(0),
        }
    }

    /// Read before loading from the database; hand it to the `put`.
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn evicting(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self, hash: &str) -> Option<Access> {
        let entries = self.entries.read().ok()?;
        entries
            .get(hash)
            .filter(|c| c.loaded.elapsed() < self.ttl)
            .map(|c| c.access.clone())
    }

    fn put(&self, hash: String, access: Access, generation: u64) {
        if let Ok(mut entries) = self.entries.write() {
            if self.generation() != generation {
                return;
            }
            entries.insert(
                hash,
                Cached {
                    access,
                    loaded: Instant::now(),
                },
            );
        }
    }

    /// Forgets everything about an application on this instance.
    pub fn evict_application(&self, application_id: &str) {
        self.evicting();
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| &*c.access.application_id != application_id);
        }
        if let Ok(mut clients) = self.clients.write() {
            clients.retain(|_, c| c.application_id != application_id);
        }
    }

    pub(super) fn client(&self, client_id: &str) -> Option<Client> {
        let clients = self.clients.read().ok()?;
        clients
            .get(client_id)
            .filter(|c| c.loaded.elapsed() < self.ttl)
            .cloned()
    }

    pub(super) fn put_client(&self, client_id: &str, c: Client, generation: u64) {
        if let Ok(mut clients) = self.clients.write() {
            if self.generation() != generation {
                return;
            }
            if clients.len() > 100_000 {
                clients.clear();
            }
            clients.insert(client_id.to_string(), c);
        }
    }

    /// Forgets a client id on this instance.
    pub fn forget_client(&self, client_id: &str) {
        self.evicting();
        if let Ok(mut clients) = self.clients.write() {
            clients.remove(client_id);
        }
    }

    /// Forgets one token on this instance (revoked by its client).
    pub fn evict_token(&self, hash: &str) {
        self.evicting();
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(hash);
        }
    }

    /// Forgets everything (the instance may have missed a change).
    pub fn clear(&self) {
        self.evicting();
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
        if let Ok(mut clients) = self.clients.write() {
            clients.clear();
        }
    }

    /// Applies what another instance announced (see [`announce`]).
    pub fn heard(&self, payload: &str) {
        match payload.split_once(':') {
            Some(("application", id)) => self.evict_application(id),
            Some(("tokens", hashes)) => hashes.split(',').for_each(|h| self.evict_token(h)),
            Some(("sandbox", _)) => {}
            _ => self.clear(),
        }
    }

    /// Drops tokens that have expired.
    pub fn prune(&self, now: i64) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| c.access.expires_at > now);
        }
    }
}

/// What changed about access, for every instance's cache.
pub enum Change<'a> {
    /// Keys, secret, subscriptions, blocks, certificate, the application or
    /// its developer's account.
    Application(&'a str),
    /// These tokens (by hash) ended.
    Tokens(&'a [String]),
    /// The application's sandbox payments changed (see [`super::sandbox_state`]).
    Sandbox(&'a str),
}

/// Announces a change in the transaction that makes it: every instance
/// (PostgreSQL NOTIFY, delivered at commit) forgets what it knew. The caller
/// also evicts on this instance after the commit, which needs no round trip.
pub async fn announce(ex: crate::storage::Exec<'_>, change: Change<'_>) -> crate::storage::Result<()> {
    let payload = match change {
        Change::Application(id) => format!("application:{id}"),
        Change::Tokens(hashes) => format!("tokens:{}", hashes.join(",")),
        Change::Sandbox(id) => format!("sandbox:{id}"),
    };
    crate::storage::notify::send(ex, &payload).await
}

#[derive(Debug)]
pub enum AccessDenied {
    /// Unknown, revoked or expired: the bank answers "access token expired".
    Expired,
    Internal(anyhow::Error),
}

/// Checks a bearer token.
pub async fn check(svc: &Services, token: &str) -> Result<Access, AccessDenied> {
    let hash = access_token_key(token);
    let access = match svc.access.get(&hash) {
        Some(a) => {
            svc.metrics.access_cache_hit.inc();
            a
        }
        None => {
            svc.metrics.access_cache_miss.inc();
            let generation = svc.access.generation();
            let loaded = load(svc, &hash).await.map_err(AccessDenied::Internal)?;
            let Some(access) = loaded else {
                return Err(AccessDenied::Expired);
            };
            svc.access.put(hash, access.clone(), generation);
            access
        }
    };
    if access.expires_at <= svc.now().unix_timestamp() {
        return Err(AccessDenied::Expired);
    }
    Ok(access)
}

async fn load(svc: &Services, hash: &str) -> anyhow::Result<Option<Access>> {
    let mut conn = svc.db.conn().await?;
    let Some(grant) = access_tokens::find(conn.exec(), hash).await? else {
        return Ok(None);
    };
    let (blocked, active): (Vec<_>, Vec<_>) = subscriptions::api_slugs(conn.exec(), &grant.application_id)
        .await?
        .into_iter()
        .partition(|(_, status)| status == "blocked");
    let organization_id = match grant.environment {
        Environment::Production => crate::storage::certificates::active(conn.exec(), &grant.application_id)
            .await?
            .map(|c| c.qwac.organization_id.into()),
        Environment::Sandbox => None,
    };
    Ok(Some(Access {
        organization_id,
        application_id: grant.application_id.into(),
        environment: grant.environment,
        ssn: grant.ssn.into(),
        expires_at: grant.expires_at,
        apis: Arc::new(active.into_iter().map(|(slug, _)| slug).collect()),
        blocked: Arc::new(blocked.into_iter().map(|(slug, _)| slug).collect()),
        bound_to: grant.cnf_x5t_s256.map(Into::into),
        scope: grant.scope.map(Into::into),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            application_id: "app".into(),
            environment: Environment::Sandbox,
            secret_hash: "old".into(),
            loaded: Instant::now(),
        }
    }

    #[test]
    fn keys_read_before_a_change_are_not_kept_after_it() {
        let cache = AccessCache::new(Duration::from_secs(60));
        let generation = cache.generation();
        cache.put_client("id", client(), generation);
        assert!(cache.client("id").is_some(), "an undisturbed load is kept");

        // A request read the old secret's hash; the secret was replaced (and
        // the cache told) before it came back: what it read is not kept.
        let generation = cache.generation();
        cache.evict_application("app");
        cache.put_client("id", client(), generation);
        assert!(
            cache.client("id").is_none(),
            "the replaced secret would work for a cache lifetime"
        );
    }
}
