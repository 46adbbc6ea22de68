//! argon2id hashing on the blocking pool, so a sign-in never stalls the
//! async runtime. A dummy hash stands in for unknown accounts so that timing
//! does not tell whether an account exists.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::config::HashCost;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(cost: HashCost) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let dummy = hash_with(&params, "a password nobody has, to spend the same time")?;
        Ok(PasswordHasher {
            params,
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let params = self.params.clone();
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_with(&params, &password))
            .await
            .context("password hashing task")?
    }

    /// Checks `password` against `hash`, or against the dummy hash when there
    /// is no account, so both take the same time. False on any error.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        ok && known
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_with_the_given_cost() -> anyhow::Result<()> {
        let h = PasswordHasher::new(HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })?;
        let hash = h.hash("correct horse battery").await?;
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(h.verify("correct horse battery", Some(hash.clone())).await);
        assert!(!h.verify("wrong horse battery", Some(hash)).await);
        assert!(!h.verify("anything", None).await);
        Ok(())
    }

    #[test]
    fn production_cost_is_owasp() {
        let c = HashCost::OWASP;
        assert_eq!((c.memory_kib, c.iterations, c.parallelism), (19_456, 2, 1));
    }
}
