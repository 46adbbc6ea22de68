//! The documents a developer approves at sign-up. Bump a version when the
//! text changes; accounts keep the versions they accepted.

pub const PRIVACY_POLICY_VERSION: &str = "2026-11-01";
pub const TERMS_OF_USE_VERSION: &str = "2026-11-01";
