//! Mail bodies waiting in the outbox hold live links (verification,
//! password reset): they are kept sealed (ChaCha20-Poly1305) with a key
//! that is not in the database, so a database reader gets no working link.
//! The key is `DEVPORTAL_SECRET_KEY` (32 bytes, base64; the same on every
//! instance), or with SQLite and no setting a key file beside the database,
//! made on first start.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

const PREFIX: &str = "sealed:v1:";

pub struct Sealer {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([key])")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> anyhow::Result<Sealer> {
        let key = UnboundKey::new(&CHACHA20_POLY1305, key).map_err(|_| anyhow::anyhow!("an unusable key"))?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
            rng: SystemRandom::new(),
        })
    }

    /// The key from the setting, or (SQLite only) from `key_file`, made if missing.
    pub fn from_setting_or_file(setting: Option<&str>, key_file: Option<&Path>) -> anyhow::Result<Sealer> {
        if let Some(b64) = setting {
            let bytes = STANDARD
                .decode(b64.trim())
                .context("DEVPORTAL_SECRET_KEY is not base64")?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| {
                anyhow::anyhow!("DEVPORTAL_SECRET_KEY must be 32 bytes (e.g. `openssl rand -base64 32`)")
            })?;
            return Sealer::new(&key);
        }
        let Some(file) = key_file else {
            anyhow::bail!(
                "set DEVPORTAL_SECRET_KEY (32 bytes, base64, e.g. `openssl rand -base64 32`) to the same value on \
                 every instance: it seals the mail waiting in the outbox"
            );
        };
        if !file.exists() {
            let mut key = [0u8; 32];
            SystemRandom::new()
                .fill(&mut key)
                .map_err(|_| anyhow::anyhow!("no randomness"))?;
            crate::files::write_private(file, STANDARD.encode(key).as_bytes())
                .with_context(|| format!("writing the key file {}", file.display()))?;
            tracing::info!(file = %file.display(), "made a key for sealing mail in the outbox");
        }
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        Sealer::from_setting_or_file(Some(&text), None)
    }

    pub fn seal(&self, text: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| anyhow::anyhow!("no randomness"))?;
        let mut data = text.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    /// The text of a sealed body (a body stored before sealing existed is returned as it is).
    pub fn open(&self, stored: &str) -> anyhow::Result<String> {
        let Some(b64) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = STANDARD.decode(b64).context("a sealed body that is not base64")?;
        if bytes.len() < NONCE_LEN {
            anyhow::bail!("a sealed body too short");
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow::anyhow!("a bad nonce"))?;
        let mut data = sealed.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::empty(), &mut data).map_err(|_| {
            anyhow::anyhow!("a sealed body that this key does not open (another DEVPORTAL_SECRET_KEY?)")
        })?;
        String::from_utf8(plain.to_vec()).context("a sealed body that is not text")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_body_opens_only_with_its_key_and_hides_the_text() -> anyhow::Result<()> {
        let a = Sealer::new(&[7; 32])?;
        let b = Sealer::new(&[8; 32])?;
        let sealed = a.seal("https://portal/verify-email?token=secret")?;
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("secret"));
        assert_eq!(a.open(&sealed)?, "https://portal/verify-email?token=secret");
        assert!(b.open(&sealed).is_err());
        assert_ne!(a.seal("x")?, a.seal("x")?, "a new nonce each time");
        assert_eq!(a.open("plain, from before")?, "plain, from before");
        Ok(())
    }
}
