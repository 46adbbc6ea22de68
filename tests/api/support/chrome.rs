//! Headless Chromium driven over WebDriver (chromedriver), with a fresh
//! profile per session. Asked on a machine without Chromium it fails loudly.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// axe-core's script: from AXE_CORE_JS, or where .ci/run installs it.
fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed at {} ({e}): npm install --prefix target/axe axe-core@4",
            path.display()
        )
    })
}

/// A chromedriver process and a headless Chromium session with a fresh profile.
pub struct Chrome {
    pub client: Client,
    /// Where the browser saves downloads.
    pub downloads: std::path::PathBuf,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    pub async fn start() -> Chrome {
        let chromium = [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Chromium is not installed (apt-get install chromium chromium-driver)");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1200,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Chrome {
                        client,
                        downloads,
                        driver,
                        _profile: profile,
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a Chromium session: {last_error}");
    }

    pub async fn fill(&self, name: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(&format!("[name='{name}']")))
            .await
            .unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// One step of a journey: follow a link or press a button, wait for
    /// the page that answers, and check it with axe-core.
    pub async fn step(&self, css: &str, expected: &str, page: &str) {
        self.click(css).await;
        self.wait_for_text(expected).await;
        self.axe(page).await;
    }

    /// Waits (up to 10 s) until the page shows `expected`; returns its text.
    pub async fn wait_for_text(&self, expected: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            // The page may be mid-navigation: a failed read just means "not yet".
            if let Ok(body) = self.client.find(Locator::Css("body")).await {
                text = body.text().await.unwrap_or_default();
                if text.contains(expected) {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {expected:?}; it shows:\n{text}");
    }

    /// Signs in through the sign-in page (the account exists and is verified).
    pub async fn sign_in(&self, base: &str, email: &str) {
        self.sign_in_with(base, email, super::PASSWORD).await;
    }

    pub async fn sign_in_with(&self, base: &str, email: &str, password: &str) {
        self.client.goto(&format!("{base}/signin")).await.unwrap();
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click("form[action='/signin'] button[type='submit']").await;
        self.wait_for_text("You are signed in.").await;
    }

    /// Waits (up to 10 s) for the browser to finish saving `name`; its bytes.
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path = self.downloads.join(name);
        for _ in 0..100 {
            if let Ok(bytes) = std::fs::read(&path) {
                if !bytes.is_empty() {
                    return bytes;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let saved: Vec<_> = std::fs::read_dir(&self.downloads)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        panic!("{name} was never downloaded; the folder holds {saved:?}");
    }

    /// Saves a PNG of the page under target/browser/.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// The path of the page the browser shows.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// Runs axe-core (npm `axe-core`, installed by .ci/run into target/axe)
    /// on the page and fails on any WCAG 2.1 A or AA violation.
    pub async fn axe(&self, page: &str) {
        let source = axe_source();
        let script = format!(
            "const done = arguments[arguments.length - 1];\n{source}\n\
             axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})\n\
             .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\n\
             .catch(e => done(['axe failed: ' + e]));"
        );
        let found = self.client.execute_async(&script, vec![]).await.unwrap();
        let violations: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(
            violations.is_empty(),
            "{page}: WCAG 2.1 A/AA violations:\n{}",
            violations.join("\n")
        );
    }

    /// Screenshots of the page at 1280 and at 390 px wide (a phone), under
    /// target/browser/NAME-1280.png and NAME-390.png.
    pub async fn screenshots(&self, name: &str) {
        for width in [1280u32, 390] {
            self.client.set_window_size(width, 1000).await.unwrap();
            self.screenshot(&format!("{name}-{width}")).await;
        }
        self.client.set_window_size(1280, 1000).await.unwrap();
    }

    /// The id (or else the class) of the element that has the focus.
    pub async fn focused(&self) -> String {
        let v = self
            .client
            .execute(
                "const e = document.activeElement; return e.id || e.className || e.tagName;",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
