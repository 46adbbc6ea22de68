//! A small SMTP server for the tests, so lettre really talks SMTP: it
//! accepts every message and keeps it for the test to read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and MIME body).
    pub data: String,
}

impl ReceivedMail {
    pub fn subject(&self) -> String {
        header(&self.data, "Subject").unwrap_or_default()
    }

    /// The decoded body of the first part with this content type.
    pub fn part(&self, content_type: &str) -> Option<String> {
        let lower = self.data.to_ascii_lowercase();
        let at = lower.find(&format!("content-type: {content_type}"))?;
        let rest = &self.data[at..];
        let (headers, body) = rest.split_once("\r\n\r\n")?;
        // The part ends at the MIME boundary, not at any line that starts
        // with "--": a quoted-printable soft break can put a token's "--"
        // (base64url) at the start of a line.
        let end = match boundary(&self.data) {
            Some(b) => format!("\r\n--{b}"),
            None => "\r\n--".to_string(),
        };
        let body = body.split(end.as_str()).next().unwrap_or(body);
        let encoding = header(headers, "Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        Some(match encoding.as_str() {
            "base64" => {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8_lossy(
                    &base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .unwrap_or_default(),
                )
                .into_owned()
            }
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.to_string(),
        })
    }

    pub fn text(&self) -> String {
        self.part("text/plain").expect("the mail has a text/plain part")
    }

    pub fn html(&self) -> String {
        self.part("text/html").expect("the mail has a text/html part")
    }

    /// Every http(s) link of the text part.
    pub fn links(&self) -> Vec<String> {
        self.text()
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(str::to_string)
            .collect()
    }

    /// The first link whose path starts with `path`.
    pub fn link_to(&self, path: &str) -> String {
        self.links()
            .into_iter()
            .find(|l| url::Url::parse(l).map(|u| u.path() == path).unwrap_or(false))
            .unwrap_or_else(|| panic!("no link to {path} in:\n{}", self.text()))
    }
}

fn header(block: &str, name: &str) -> Option<String> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    // A long header is folded over several lines (RFC 5322 §2.2.3).
    let unfolded = block.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_string())
}

/// The multipart boundary the mail declares.
fn boundary(data: &str) -> Option<String> {
    let at = data.find("boundary=")? + "boundary=".len();
    let rest = &data[at..];
    let value = rest.strip_prefix('"').map_or_else(
        || rest.split([';', '\r', '\n']).next().unwrap_or(""),
        |quoted| quoted.split('"').next().unwrap_or(""),
    );
    (!value.is_empty()).then(|| value.to_string())
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Clone, Default)]
struct Inbox {
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    arrived: Arc<Notify>,
}

pub struct SmtpServer {
    pub port: u16,
    inbox: Inbox,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the test SMTP server");
        let port = listener.local_addr().unwrap().port();
        let inbox = Inbox::default();
        let task_inbox = inbox.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, task_inbox.clone()));
            }
        });
        SmtpServer { port, inbox, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.inbox.mails.lock().unwrap().clone()
    }

    pub fn received_by(&self, to: &str) -> Vec<ReceivedMail> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .collect()
    }

    /// Waits (up to 10 s) until `to` has received `n` mails; returns them.
    pub async fn wait_for_n(&self, to: &str, n: usize) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.inbox.arrived.notified();
            let mails = self.received_by(to);
            if mails.len() >= n {
                return mails;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("{to} received {} mails, expected {n}", self.received_by(to).len());
            }
        }
    }

    /// The newest mail to `to`, waiting for the first one if needed.
    pub async fn wait_for(&self, to: &str) -> ReceivedMail {
        self.wait_for_n(to, 1).await.pop().unwrap()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(stream: TcpStream, inbox: Inbox) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut to = Vec::new();
    if write.write_all(b"220 test-smtp ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250-test-smtp\r\n250 8BITMIME\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string();
            if addr.to_lowercase().starts_with("bounce") {
                // A mailbox that does not exist: a permanent refusal.
                b"550 5.1.1 No such user here\r\n"
            } else {
                to.push(addr.to_lowercase());
                b"250 OK\r\n"
            }
        } else if command == "DATA" {
            if write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            // For a "slowack" mailbox the first mail is taken but its "250"
            // comes too late for the client: as when the sender crashes or
            // loses the connection right after the server accepted a mail.
            let first_slow =
                to.iter().any(|t| t.starts_with("slowack")) && !inbox.mails.lock().unwrap().iter().any(|m| m.to == to);
            inbox.mails.lock().unwrap().push(ReceivedMail { to: to.clone(), data });
            inbox.arrived.notify_waiters();
            if first_slow {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 Bye\r\n").await;
            return;
        } else if command.starts_with("RSET") || command.starts_with("NOOP") {
            b"250 OK\r\n"
        } else {
            b"502 Command not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
