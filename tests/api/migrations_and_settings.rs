use std::process::Command;

use devportal::storage::migrate;

#[test]
fn both_migration_folders_list_the_same_versions() {
    let sqlite = migrate::versions(&migrate::SQLITE);
    let postgres = migrate::versions(&migrate::POSTGRES);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must match");
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "DEVPORTAL_DATABASE_URL",
        "DEVPORTAL_BIND",
        "DEVPORTAL_PUBLIC_URL",
        "DEVPORTAL_SMTP_URL",
        "DEVPORTAL_MAIL_FROM",
        "DEVPORTAL_SESSION_IDLE_MINUTES",
        "DEVPORTAL_SESSION_MAX_HOURS",
        "DEVPORTAL_VERIFY_LINK_HOURS",
        "DEVPORTAL_RESET_LINK_MINUTES",
        "DEVPORTAL_SIGNIN_ATTEMPTS_PER_MINUTE",
        "DEVPORTAL_TRUST_FORWARDED_FOR",
        "DEVPORTAL_LOG",
        "DEVPORTAL_SANDBOX_RATE",
        "DEVPORTAL_SANDBOX_BURST",
        "DEVPORTAL_TOKEN_RATE",
        "DEVPORTAL_ACCESS_CACHE_SECONDS",
        "DEVPORTAL_DEV_MAILBOX",
        "DEVPORTAL_SHUTDOWN_SECONDS",
        "DEVPORTAL_SECRET_KEY",
    ] {
        assert!(help.contains(var), "--help does not mention {var}");
        let readme = include_str!("../../README.md");
        assert!(readme.contains(var), "README does not mention {var}");
    }
    assert!(help.contains("migrate") && help.contains("serve"));
}

#[test]
fn the_migrate_command_creates_a_fresh_sqlite_database_in_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/portal.db", dir.path().display());
    let out = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .arg("migrate")
        .env("DEVPORTAL_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("nested/portal.db").exists());
    // Running it again is harmless.
    let again = Command::new(env!("CARGO_BIN_EXE_devportal"))
        .arg("migrate")
        .env("DEVPORTAL_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(again.status.success());
}
