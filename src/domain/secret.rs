//! Random secrets handed to a user once (links, keys, tokens). Only the
//! SHA-256 hash is stored; `Debug` never prints the secret.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub struct SecretToken(String);

impl SecretToken {
    /// 256 random bits from the operating system, base64url without padding.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// An access token: 16 hex digits that grow with every token this
    /// process issues (microseconds since the epoch, or one more than the
    /// last), a dot, then 256 random bits. Its key ([`access_token_key`])
    /// starts with the same digits, so a new row lands at the end of the
    /// tokens' index instead of on a random page: a random key dirtied one
    /// index page per token, and SQLite wrote each to its log
    /// (BENCHMARKS.md, "The token endpoint"). The digits say only when the
    /// token was issued, which its `expires_in` says already.
    pub fn generate_ordered() -> Self {
        static LAST: AtomicU64 = AtomicU64::new(0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        let mut order = now;
        // Never fails: the closure always answers Some.
        let _ = LAST.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            order = now.max(last + 1);
            Some(order)
        });
        SecretToken(format!("{order:016x}.{}", Self::generate().0))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hash_secret(&self.0)
    }
}

/// Hex SHA-256 of a presented secret, for lookup by hash.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What an access token is stored and looked up by: its order digits (see
/// [`SecretToken::generate_ordered`]) and the hex SHA-256 of the whole
/// token. A token without them (issued before they existed) is looked up
/// by its hash alone, as it was stored. The digits are the presenter's to
/// choose, but the hash covers them: a changed digit finds nothing.
pub fn access_token_key(presented: &str) -> String {
    let hash = hash_secret(presented);
    match presented.as_bytes().get(..17) {
        Some([digits @ .., b'.']) if digits.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            format!("{}{hash}", &presented[..16])
        }
        _ => hash,
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hashed() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.hash(), hash_secret(a.expose()));
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn access_tokens_are_keyed_in_the_order_they_were_issued() {
        let tokens: Vec<_> = (0..1000).map(|_| SecretToken::generate_ordered()).collect();
        let keys: Vec<_> = tokens.iter().map(|t| access_token_key(t.expose())).collect();
        assert!(keys.windows(2).all(|k| k[0] < k[1]), "keys grow with each token");
        let t = tokens[0].expose();
        assert_eq!(t.len(), 16 + 1 + 43);
        assert_eq!(keys[0], format!("{}{}", &t[..16], hash_secret(t)));
        // A changed order digit is another token, with another hash.
        let Ok(order) = u64::from_str_radix(&t[..16], 16) else {
            panic!("{t} starts with 16 hex digits")
        };
        let forged = format!("{:016x}{}", order + 1, &t[16..]);
        assert_ne!(access_token_key(&forged)[16..], keys[0][16..]);
        // Tokens from before the digits keep the key they were stored with.
        let old = SecretToken::generate();
        assert_eq!(access_token_key(old.expose()), old.hash());
        assert_eq!(
            access_token_key("0123456789ABCDEF.x"),
            hash_secret("0123456789ABCDEF.x")
        );
    }
}
