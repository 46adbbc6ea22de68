//! What the portal keeps in a session (the signed-in account, the CSRF token,
//! a flash message) and the extractors handlers use to read it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::domain::secret::SecretToken;
use crate::domain::user::{Role, User};
use crate::error::AppError;
use crate::services::{ServiceError, Services, sign_in};

const AUTH: &str = "auth";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

/// Who is signed in. `epoch` must match the account's session epoch, so a
/// password reset ends every session of the account at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AuthSession {
    user_id: i64,
    epoch: i64,
    signed_in_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    /// Something was refused; the message says why and what to do.
    Warning,
}

impl FlashKind {
    pub fn css(self) -> &'static str {
        match self {
            FlashKind::Success => "success",
            FlashKind::Info => "info",
            FlashKind::Warning => "warning",
        }
    }
}

/// What the base layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Display name of the signed-in account.
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// The dev mailbox exists (no SMTP server configured).
    pub dev_mailbox: bool,
    /// The bank's name, logo, footer links and support contact.
    pub brand: std::sync::Arc<crate::brand::Brand>,
}

/// A page request: the layout, the account if signed in, the session, and
/// the address the request comes from (for the audit log).
pub struct Page {
    pub layout: Layout,
    pub user: Option<User>,
    pub session: Session,
    pub client_address: String,
}

/// A page that requires a signed-in account; others are sent to sign in.
pub struct SignedIn {
    pub user: User,
    pub page: Page,
}

impl FromRequestParts<Services> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, svc)
            .await
            .map_err(|(_, m)| AppError::Internal(anyhow::anyhow!("session layer missing: {m}")))?;
        let user = signed_in_user(&session, svc).await?;
        if let (Some(u), Some(slot)) = (&user, parts.extensions.get::<super::middleware::AccountSlot>()) {
            let _ = slot.0.set(u.id);
        }
        // An anonymous visitor gets a CSRF token (and so a stored session)
        // only on a page with a form: see `Page::with_csrf`.
        let csrf = match user {
            Some(_) => csrf_token(&session).await?,
            None => session.get::<String>(CSRF).await?.unwrap_or_default(),
        };
        // `remove` would mark (and store) even an empty session.
        let flash = match session.get::<Flash>(FLASH).await? {
            Some(f) => session.remove::<Flash>(FLASH).await?.or(Some(f)),
            None => None,
        };
        let layout = Layout {
            user_name: user.as_ref().map(User::display_name),
            is_admin: user.as_ref().is_some_and(|u| u.role == Role::Admin),
            csrf,
            flash,
            dev_mailbox: svc.dev_mailbox,
            brand: svc.brand.clone(),
        };
        let Ok(ClientAddr(client_address)) = ClientAddr::from_request_parts(parts, svc).await;
        Ok(Page {
            layout,
            user,
            session,
            client_address,
        })
    }
}

impl Page {
    /// The page with its account, when someone is signed in.
    pub fn signed_in(mut self) -> Option<SignedIn> {
        let user = self.user.take()?;
        Some(SignedIn { user, page: self })
    }

    /// Makes sure the page has a CSRF token for its form.
    pub async fn with_csrf(mut self) -> Result<Self, AppError> {
        if self.layout.csrf.is_empty() {
            self.layout.csrf = csrf_token(&self.session).await?;
        }
        Ok(self)
    }
}

impl FromRequestParts<Services> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let page = Page::from_request_parts(parts, svc).await?;
        let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next_param = url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>();
        let me = page
            .signed_in()
            .ok_or_else(|| Redirect::to(&format!("/signin?next={next_param}")).into_response())?;
        // A new version of the legal texts is approved before the next page
        // (a form already on its way is not lost for it).
        if parts.method == axum::http::Method::GET
            && !parts.uri.path().starts_with("/legal/")
            && !crate::services::legal::pending(svc, &me.user).is_empty()
        {
            return Err(Redirect::to(&format!("/legal/approve?next={next_param}")).into_response());
        }
        Ok(me)
    }
}

/// The account of the session, if the session is still good for it: the
/// account exists and is enabled, its epoch matches, and the absolute
/// session lifetime has not run out. A stale session is signed out.
pub async fn signed_in_user(session: &Session, svc: &Services) -> Result<Option<User>, AppError> {
    let Some(auth) = session.get::<AuthSession>(AUTH).await? else {
        return Ok(None);
    };
    let expired = svc.now().unix_timestamp() - auth.signed_in_at > svc.config.session_max.whole_seconds();
    let user = sign_in::current_user(svc, auth.user_id).await?;
    match user {
        Some(u) if !expired && u.session_epoch == auth.epoch && u.disabled_at.is_none() => Ok(Some(u)),
        _ => {
            session.flush().await?;
            Ok(None)
        }
    }
}

/// Starts a signed-in session under a new session id (no fixation) with a
/// new CSRF token.
pub async fn start(session: &Session, user: &User, svc: &Services) -> Result<(), AppError> {
    session.cycle_id().await?;
    let auth = AuthSession {
        user_id: user.id,
        epoch: user.session_epoch,
        signed_in_at: svc.now().unix_timestamp(),
    };
    session.insert(AUTH, auth).await?;
    session.insert(CSRF, SecretToken::generate().expose()).await?;
    Ok(())
}

pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

/// The session's CSRF token, made on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(CSRF).await? {
        return Ok(t);
    }
    let t = SecretToken::generate().expose().to_string();
    session.insert(CSRF, &t).await?;
    Ok(t)
}

/// The CSRF token the session holds, without making one.
pub async fn expected_csrf(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(CSRF).await?)
}

pub async fn flash(session: &Session, kind: FlashKind, message: impl Into<String>) -> Result<(), AppError> {
    session
        .insert(
            FLASH,
            Flash {
                kind,
                message: message.into(),
            },
        )
        .await?;
    Ok(())
}

/// True when the session says someone is signed in (no database look-up).
pub async fn has_auth(session: &Session) -> bool {
    matches!(session.get::<AuthSession>(AUTH).await, Ok(Some(_)))
}

pub use crate::client_address::ClientAddr;

/// Where to go after sign-in, from a `next` that anyone can put in a link:
/// only a path on this site, as the WHATWG URL rules (what browsers follow)
/// resolve it. A scheme, a host, `//`, a backslash or anything that resolves
/// elsewhere goes home instead; control characters (a tab that browsers drop,
/// CR/LF that would split the header) are refused with a 400.
pub fn local_path(next: Option<&str>) -> Result<String, AppError> {
    let Some(next) = next.filter(|n| !n.is_empty()) else {
        return Ok("/".into());
    };
    if next.chars().any(char::is_control) {
        return Err(AppError::Refused {
            status: axum::http::StatusCode::BAD_REQUEST,
            message: "The link you followed is damaged: the page it names holds control characters.".into(),
        });
    }
    if !next.starts_with('/') || next.starts_with("//") || next.contains('\\') {
        return Ok("/".into());
    }
    let Ok(base) = url::Url::parse("https://portal.invalid/") else {
        return Ok("/".into());
    };
    // Dot segments can leave `//host` after resolving: checked again.
    Ok(match base.join(next) {
        Ok(u) if u.origin() == base.origin() && !u.path().starts_with("//") => {
            u[url::Position::BeforePath..].to_string()
        }
        _ => "/".into(),
    })
}

/// Ends a form post: back to `to` with what happened. Done is a success; a
/// refusal the user can act on (a conflict, invalid input) is a warning with
/// the service's words; anything else is an error page.
pub async fn redirect_after(
    session: &Session,
    outcome: Result<String, ServiceError>,
    to: &str,
) -> Result<Response, AppError> {
    let (kind, message) = match outcome {
        Ok(done) => (FlashKind::Success, done),
        Err(ServiceError::Conflict { message, .. } | ServiceError::Refused { message, .. }) => {
            (FlashKind::Warning, message)
        }
        Err(ServiceError::Invalid(errors)) => (
            FlashKind::Warning,
            errors.iter().map(|(_, m)| m.to_string()).collect::<Vec<_>>().join(" "),
        ),
        Err(e) => return Err(e.into()),
    };
    redirect_with(session, kind, message, to).await
}

/// Redirects to `to` with a flash message.
pub async fn redirect_with(
    session: &Session,
    kind: FlashKind,
    message: impl Into<String>,
    to: &str,
) -> Result<Response, AppError> {
    flash(session, kind, message).await?;
    Ok(Redirect::to(to).into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;
    use crate::error::AppError;

    fn goes(next: &str) -> Result<String, AppError> {
        local_path(Some(next))
    }

    #[test]
    fn next_stays_on_this_site() -> Result<(), AppError> {
        assert_eq!(goes("/applications/1?tab=keys")?, "/applications/1?tab=keys");
        assert_eq!(goes("/apis/a b")?, "/apis/a%20b");
        for away in [
            "//evil.example/x",
            "/\\evil.example/x",
            "\\\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            "/..//evil.example",
        ] {
            let to = goes(away)?;
            assert!(to.starts_with('/') && !to.starts_with("//"), "{away:?} went to {to:?}");
        }
        assert_eq!(local_path(None)?, "/");
        Ok(())
    }

    #[test]
    fn control_characters_in_next_are_refused() {
        for bad in ["/\t/evil.example/x", "/a\r\nSet-Cookie: x=1", "/a\0b"] {
            assert!(local_path(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
