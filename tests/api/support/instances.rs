//! Portal processes (the real binary) for tests of what several instances
//! share: each on its own port, all on one database, and Redis when asked.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::web_client::{Browser, as_pairs, between, signup_fields};

pub struct Instance {
    pub base: String,
    child: Child,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with these settings (and a free port, no TLS); waits until it answers.
pub async fn start(settings: &[(&str, String)]) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_devportal"));
    cmd.env("DEVPORTAL_BIND", format!("127.0.0.1:{port}"))
        .env("DEVPORTAL_TLS_BIND", "off")
        .env("DEVPORTAL_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in settings {
        cmd.env(k, v);
    }
    // Owned by the Instance from the start: its Drop kills and reaps it.
    let instance = Instance {
        base: format!("http://127.0.0.1:{port}"),
        child: cmd.spawn().expect("start the devportal binary"),
    };
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{}/readyz", instance.base)).await {
            if r.status() == 200 {
                return instance;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the instance at {} never became ready", instance.base);
}

/// Signs `email` up through `browser`'s instance, verifies it from the dev
/// mailbox (any instance may have delivered it) and signs in.
pub async fn signed_up(browser: &Browser, email: &str) {
    let fields = signup_fields(email);
    let res = browser.post_form("/signup", &as_pairs(&fields)).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let mut link = None;
    for _ in 0..100 {
        let mailbox = browser.get_html("/dev/mailbox").await;
        if let Some(id) = between(&mailbox, "/dev/mailbox/", "\"") {
            let mail = browser.get_html(&format!("/dev/mailbox/{id}")).await;
            link = between(&mail, "/verify-email?token=", "\"");
            if link.is_some() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = link.expect("the verification mail");
    browser.get(&format!("/verify-email?token={token}")).await;
    assert_eq!(browser.sign_in(email, super::PASSWORD).await.status(), 303);
}
