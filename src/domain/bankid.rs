//! BankID as a relying party sees it (RP API v6), for the simulated BankID:
//! an order and its animated QR code, and what `collect` answers as time
//! passes. Pure: the caller brings the time and the randomness.
//!
//! The QR code shows `bankid.<qrStartToken>.<t>.<qrAuthCode>`, where `t` is
//! the whole seconds since the order started and `qrAuthCode` is the
//! lower-case hex HMAC-SHA256 keyed with `qrStartSecret` over `t` written in
//! decimal. It is recomputed every second on the server, so the secret never
//! leaves it.

use ring::hmac;
use time::{Duration, OffsetDateTime};

/// An order lives this long, then `collect` answers failed/expiredTransaction.
pub const ORDER_LIFETIME: Duration = Duration::minutes(3);
/// A QR code may be scanned during this long after the order started.
pub const QR_SCAN_WINDOW: Duration = Duration::seconds(30);

/// The QR code's data at `seconds` after the order started.
pub fn qr_data(qr_start_token: &str, qr_start_secret: &str, seconds: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, qr_start_secret.as_bytes());
    let tag = hmac::sign(&key, seconds.to_string().as_bytes());
    format!("bankid.{qr_start_token}.{seconds}.{}", hex::encode(tag.as_ref()))
}

/// The link that opens the BankID app on the same device.
pub fn autostart_link(auto_start_token: &str, redirect: Option<&str>) -> String {
    let mut link = format!("bankid:///?autostarttoken={auto_start_token}");
    if let Some(r) = redirect {
        link.push_str("&redirect=");
        link.extend(url::form_urlencoded::byte_serialize(r.as_bytes()));
    }
    link
}

/// What the customer has done with the order in the app so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Nobody has opened it yet.
    Waiting,
    /// The app has it (scanned or opened); the customer is about to sign.
    Started,
    /// The customer identified as this personnummer.
    Approved {
        personal_number: String,
    },
    Cancelled,
}

/// What `collect` answers (status and hintCode, as BankID words them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collect {
    Pending(&'static str),
    Failed(&'static str),
    Complete { personal_number: String },
}

/// The order's state at `now`.
pub fn collect(started_at: OffsetDateTime, progress: &Progress, now: OffsetDateTime) -> Collect {
    match progress {
        Progress::Approved { personal_number } => Collect::Complete {
            personal_number: personal_number.clone(),
        },
        Progress::Cancelled => Collect::Failed("userCancel"),
        _ if now - started_at >= ORDER_LIFETIME => Collect::Failed("expiredTransaction"),
        // Nobody scanned the QR code in its window: it is no use any more.
        Progress::Waiting if now - started_at >= QR_SCAN_WINDOW => Collect::Failed("startFailed"),
        Progress::Waiting => Collect::Pending("outstandingTransaction"),
        Progress::Started => Collect::Pending("userSign"),
    }
}

/// The customer's words for a `collect` answer.
pub fn in_words(c: &Collect) -> &'static str {
    match c {
        Collect::Pending("outstandingTransaction") => "Start the BankID app and scan the QR code.",
        Collect::Pending(_) => "Sign in the BankID app.",
        Collect::Failed("userCancel") => "Cancelled in the BankID app.",
        Collect::Failed("expiredTransaction") => "The BankID order expired. Start again.",
        Collect::Failed("startFailed") => "The QR code was not scanned in time. Start again.",
        Collect::Failed(_) => "BankID could not identify you. Start again.",
        Collect::Complete { .. } => "Identified with BankID.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BankID's own example (developers.bankid.com, "QR codes"): these
    /// qrStartToken and qrStartSecret give these codes at 0, 1 and 2 s.
    #[test]
    fn the_qr_code_follows_bankids_published_example() {
        let token = "67df3917-fa0d-44e5-b327-edcc928297f8";
        let secret = "d28db9a7-4cde-429e-a983-359be676944c";
        assert_eq!(
            qr_data(token, secret, 0),
            "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
        );
        assert!(
            qr_data(token, secret, 1).ends_with(".1.949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2")
        );
        assert!(
            qr_data(token, secret, 2).ends_with(".2.a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3")
        );
    }

    #[test]
    fn an_order_is_pending_then_expires_unless_the_customer_acts() {
        let start = OffsetDateTime::UNIX_EPOCH;
        let at = |s: i64| start + Duration::seconds(s);
        assert_eq!(
            collect(start, &Progress::Waiting, at(5)),
            Collect::Pending("outstandingTransaction")
        );
        assert_eq!(
            collect(start, &Progress::Waiting, at(30)),
            Collect::Failed("startFailed")
        );
        assert_eq!(collect(start, &Progress::Started, at(60)), Collect::Pending("userSign"));
        assert_eq!(
            collect(start, &Progress::Started, at(180)),
            Collect::Failed("expiredTransaction")
        );
        assert_eq!(
            collect(start, &Progress::Cancelled, at(1)),
            Collect::Failed("userCancel")
        );
        let done = Progress::Approved {
            personal_number: "195505063676".into(),
        };
        assert_eq!(
            collect(start, &done, at(400)),
            Collect::Complete {
                personal_number: "195505063676".into()
            },
            "an answer given stays given"
        );
    }

    #[test]
    fn the_autostart_link_carries_the_token_and_an_encoded_redirect() {
        assert_eq!(
            autostart_link("abc", Some("https://tpp.example/back?x=1")),
            "bankid:///?autostarttoken=abc&redirect=https%3A%2F%2Ftpp.example%2Fback%3Fx%3D1"
        );
        assert_eq!(autostart_link("abc", None), "bankid:///?autostarttoken=abc");
    }
}
