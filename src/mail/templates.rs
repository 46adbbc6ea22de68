//! Every mail as a text and an HTML template (templates/email/).

use askama::Template;
use time::Duration;

use crate::domain::mail::OutgoingMail;
use crate::domain::user::User;

/// Declares the text and HTML template structs of one mail, with the same fields.
macro_rules! mail_parts {
    ($text:ident = $tpath:literal, $html:ident = $hpath:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $tpath)]
        struct $text<'a> { $($field: $ty,)* _p: std::marker::PhantomData<&'a ()> }

        #[derive(Template)]
        #[template(path = $hpath)]
        struct $html<'a> { $($field: $ty,)* _p: std::marker::PhantomData<&'a ()> }
    };
}

mail_parts!(VerifyText = "email/verify_email.txt", VerifyHtml = "email/verify_email.html", {
    name: &'a str, link: &'a str, hours: i64,
});
mail_parts!(ExistsText = "email/account_exists.txt", ExistsHtml = "email/account_exists.html", {
    name: &'a str, signin_link: &'a str, reset_link: &'a str,
});
mail_parts!(ResetText = "email/reset_password.txt", ResetHtml = "email/reset_password.html", {
    name: &'a str, link: &'a str, minutes: i64,
});
mail_parts!(ChangedText = "email/password_changed.txt", ChangedHtml = "email/password_changed.html", {
    name: &'a str,
});

mail_parts!(NewEmailText = "email/confirm_new_email.txt", NewEmailHtml = "email/confirm_new_email.html", {
    name: &'a str, new_email: &'a str, link: &'a str, hours: i64,
});
mail_parts!(AppliedText = "email/request_applied.txt", AppliedHtml = "email/request_applied.html", {
    name: &'a str, new_email: Option<&'a str>,
});
mail_parts!(RejectedText = "email/request_rejected.txt", RejectedHtml = "email/request_rejected.html", {
    name: &'a str, reason: &'a str,
});
mail_parts!(BlockedText = "email/subscription_blocked.txt", BlockedHtml = "email/subscription_blocked.html", {
    name: &'a str, application: &'a str, api: &'a str, blocked: bool,
});

fn mail(to: &str, subject: &str, text: String, html: String) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: subject.to_string(),
        body_text: text,
        body_html: html,
    }
}

const P: std::marker::PhantomData<&()> = std::marker::PhantomData;

pub fn verify_email(user: &User, link: &str, ttl: Duration) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    let hours = ttl.whole_hours();
    Ok(mail(
        &user.email,
        "Verify your e-mail address for the developer portal",
        VerifyText {
            name,
            link,
            hours,
            _p: P,
        }
        .render()?,
        VerifyHtml {
            name,
            link,
            hours,
            _p: P,
        }
        .render()?,
    ))
}

pub fn account_exists(user: &User, signin_link: &str, reset_link: &str) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    Ok(mail(
        &user.email,
        "Someone tried to sign up with your e-mail address",
        ExistsText {
            name,
            signin_link,
            reset_link,
            _p: P,
        }
        .render()?,
        ExistsHtml {
            name,
            signin_link,
            reset_link,
            _p: P,
        }
        .render()?,
    ))
}

pub fn reset_password(user: &User, link: &str, ttl: Duration) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    let minutes = ttl.whole_minutes();
    Ok(mail(
        &user.email,
        "Reset your developer portal password",
        ResetText {
            name,
            link,
            minutes,
            _p: P,
        }
        .render()?,
        ResetHtml {
            name,
            link,
            minutes,
            _p: P,
        }
        .render()?,
    ))
}

pub fn password_changed(user: &User) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    Ok(mail(
        &user.email,
        "Your developer portal password was changed",
        ChangedText { name, _p: P }.render()?,
        ChangedHtml { name, _p: P }.render()?,
    ))
}

/// Sent to the new address: the change takes effect when its owner follows the link.
pub fn confirm_new_email(user: &User, new_email: &str, link: &str, ttl: Duration) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    let hours = ttl.whole_hours();
    Ok(mail(
        new_email,
        "Confirm your new e-mail address for the developer portal",
        NewEmailText {
            name,
            new_email,
            link,
            hours,
            _p: P,
        }
        .render()?,
        NewEmailHtml {
            name,
            new_email,
            link,
            hours,
            _p: P,
        }
        .render()?,
    ))
}

pub fn request_applied(user: &User, new_email: Option<&str>) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    Ok(mail(
        &user.email,
        "Your profile change was applied",
        AppliedText { name, new_email, _p: P }.render()?,
        AppliedHtml { name, new_email, _p: P }.render()?,
    ))
}

pub fn request_rejected(user: &User, reason: &str) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    Ok(mail(
        &user.email,
        "Your request to the bank was not carried out",
        RejectedText { name, reason, _p: P }.render()?,
        RejectedHtml { name, reason, _p: P }.render()?,
    ))
}

/// A bank admin blocked (or unblocked) one of the developer's subscriptions.
pub fn subscription_blocked(user: &User, application: &str, api: &str, blocked: bool) -> askama::Result<OutgoingMail> {
    let name = &user.first_name;
    let subject = if blocked {
        format!("The bank blocked {application}'s subscription to {api}")
    } else {
        format!("{application}'s subscription to {api} works again")
    };
    Ok(mail(
        &user.email,
        &subject,
        BlockedText {
            name,
            application,
            api,
            blocked,
            _p: P,
        }
        .render()?,
        BlockedHtml {
            name,
            application,
            api,
            blocked,
            _p: P,
        }
        .render()?,
    ))
}
