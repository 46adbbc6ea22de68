//! Secrets the portal keeps in files (the SQLite sealing key, the
//! self-signed TLS key): written once, readable by the owner only.

use std::path::Path;

/// Creates `file` (and its folder) with `bytes`, mode 0600; refuses to
/// overwrite, so two processes starting at once cannot swap a key under
/// each other.
#[cfg(unix)]
pub fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?
        .write_all(bytes)
}

#[cfg(not(unix))]
pub fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(file, bytes)
}
