//! Proof of possession of a QWAC's private key: the developer signs a
//! challenge the portal made with the key, as the page shows:
//! `printf '%s' '<challenge>' | openssl dgst -sha256 -sign qwac.key | openssl base64 -A`.
//! RSA (PKCS#1 v1.5) and ECDSA (P-256, P-384) keys, SHA-256.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::prelude::{FromDer, X509Certificate};

const RSA: &str = "1.2.840.113549.1.1.1";
const EC: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";

/// The text a developer signs for application `application_id`.
pub fn challenge(application_id: &str, nonce: &str) -> String {
    format!("devportal-proof-of-possession:{application_id}:{nonce}")
}

/// Whether `signature` (base64, as openssl prints it) is `challenge` signed
/// with the key of the certificate `der`; or why it cannot be checked.
pub fn verify(der: &[u8], challenge: &str, signature: &str) -> Result<bool, String> {
    let compact: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    let signature = STANDARD
        .decode(compact)
        .map_err(|_| "The signature is not base64: paste what openssl printed.".to_string())?;
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|_| "The registered certificate cannot be read.".to_string())?;
    let spki = cert.public_key();
    let algorithm: &'static dyn VerificationAlgorithm = match spki.algorithm.algorithm.to_id_string().as_str() {
        RSA => &signature::RSA_PKCS1_2048_8192_SHA256,
        EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some(P256) => &signature::ECDSA_P256_SHA256_ASN1,
                Some(P384) => &signature::ECDSA_P384_SHA256_ASN1,
                _ => {
                    return Err(
                        "The certificate's key is on a curve the portal does not check (use P-256 or P-384).".into(),
                    );
                }
            }
        }
        _ => return Err("The certificate's key type is not RSA or EC.".into()),
    };
    let key = UnparsedPublicKey::new(algorithm, spki.subject_public_key.data.as_ref());
    Ok(key.verify(challenge.as_bytes(), &signature).is_ok())
}
