//! Every mail as a text and an HTML template (templates/email/).

use std::marker::PhantomData;

use askama::Template;
use time::Duration;

use crate::brand::Brand;
use crate::domain::mail::OutgoingMail;
use crate::domain::user::User;

/// Declares the text and HTML templates of one mail, with the same fields,
/// and a function that renders both from those fields.
macro_rules! mail_parts {
    ($render:ident: $text:ident = $tpath:literal, $html:ident = $hpath:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $tpath)]
        struct $text<'a> { brand: &'a Brand, $($field: $ty,)* _p: PhantomData<&'a ()> }

        #[derive(Template)]
        #[template(path = $hpath)]
        struct $html<'a> { brand: &'a Brand, $($field: $ty,)* _p: PhantomData<&'a ()> }

        fn $render<'a>(brand: &'a Brand, $($field: $ty),*) -> askama::Result<(String, String)> {
            Ok((
                $text { brand, $($field,)* _p: PhantomData }.render()?,
                $html { brand, $($field,)* _p: PhantomData }.render()?,
            ))
        }
    };
}

mail_parts!(verify_parts: VerifyText = "email/verify_email.txt", VerifyHtml = "email/verify_email.html", {
    name: &'a str, link: &'a str, hours: i64,
});
mail_parts!(exists_parts: ExistsText = "email/account_exists.txt", ExistsHtml = "email/account_exists.html", {
    name: &'a str, signin_link: &'a str, reset_link: &'a str,
});
mail_parts!(reset_parts: ResetText = "email/reset_password.txt", ResetHtml = "email/reset_password.html", {
    name: &'a str, link: &'a str, minutes: i64,
});
mail_parts!(changed_parts: ChangedText = "email/password_changed.txt", ChangedHtml = "email/password_changed.html", {
    name: &'a str,
});
mail_parts!(new_email_parts: NewEmailText = "email/confirm_new_email.txt", NewEmailHtml = "email/confirm_new_email.html", {
    name: &'a str, new_email: &'a str, link: &'a str, hours: i64,
});
mail_parts!(applied_parts: AppliedText = "email/request_applied.txt", AppliedHtml = "email/request_applied.html", {
    name: &'a str, new_email: Option<&'a str>,
});
mail_parts!(rejected_parts: RejectedText = "email/request_rejected.txt", RejectedHtml = "email/request_rejected.html", {
    name: &'a str, reason: &'a str,
});
mail_parts!(closed_parts: ClosedText = "email/account_closed.txt", ClosedHtml = "email/account_closed.html", {
    name: &'a str,
});
mail_parts!(blocked_parts: BlockedText = "email/subscription_blocked.txt", BlockedHtml = "email/subscription_blocked.html", {
    name: &'a str, application: &'a str, api: &'a str, blocked: bool,
});

/// Every mail's subject names the bank; its text ends with the bank's
/// name and support contact (the HTML layout shows the same).
fn mail(brand: &Brand, to: &str, subject: &str, (text, html): (String, String)) -> OutgoingMail {
    let mut signature = format!("\n\n-- \n{} developer portal", brand.name);
    for contact in [&brand.support.email, &brand.support.phone, &brand.support.url]
        .into_iter()
        .flatten()
    {
        signature.push_str(&format!("\n{contact}"));
    }
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("[{}] {subject}", brand.name),
        body_text: format!("{}{signature}\n", text.trim_end()),
        body_html: html,
    }
}

pub fn verify_email(brand: &Brand, user: &User, link: &str, ttl: Duration) -> askama::Result<OutgoingMail> {
    let parts = verify_parts(brand, &user.first_name, link, ttl.whole_hours())?;
    Ok(mail(
        brand,
        &user.email,
        "Verify your e-mail address for the developer portal",
        parts,
    ))
}

pub fn account_exists(brand: &Brand, user: &User, signin_link: &str, reset_link: &str) -> askama::Result<OutgoingMail> {
    let parts = exists_parts(brand, &user.first_name, signin_link, reset_link)?;
    Ok(mail(
        brand,
        &user.email,
        "Someone tried to sign up with your e-mail address",
        parts,
    ))
}

pub fn reset_password(brand: &Brand, user: &User, link: &str, ttl: Duration) -> askama::Result<OutgoingMail> {
    let parts = reset_parts(brand, &user.first_name, link, ttl.whole_minutes())?;
    Ok(mail(brand, &user.email, "Reset your developer portal password", parts))
}

pub fn password_changed(brand: &Brand, user: &User) -> askama::Result<OutgoingMail> {
    let parts = changed_parts(brand, &user.first_name)?;
    Ok(mail(
        brand,
        &user.email,
        "Your developer portal password was changed",
        parts,
    ))
}

/// Sent to the new address: the change takes effect when its owner follows the link.
pub fn confirm_new_email(
    brand: &Brand,
    user: &User,
    new_email: &str,
    link: &str,
    ttl: Duration,
) -> askama::Result<OutgoingMail> {
    let parts = new_email_parts(brand, &user.first_name, new_email, link, ttl.whole_hours())?;
    Ok(mail(
        brand,
        new_email,
        "Confirm your new e-mail address for the developer portal",
        parts,
    ))
}

pub fn request_applied(brand: &Brand, user: &User, new_email: Option<&str>) -> askama::Result<OutgoingMail> {
    let parts = applied_parts(brand, &user.first_name, new_email)?;
    Ok(mail(brand, &user.email, "Your profile change was applied", parts))
}

pub fn request_rejected(brand: &Brand, user: &User, reason: &str) -> askama::Result<OutgoingMail> {
    let parts = rejected_parts(brand, &user.first_name, reason)?;
    Ok(mail(
        brand,
        &user.email,
        "Your request to the bank was not carried out",
        parts,
    ))
}

/// A bank admin blocked (or unblocked) one of the developer's subscriptions.
pub fn subscription_blocked(
    brand: &Brand,
    user: &User,
    application: &str,
    api: &str,
    blocked: bool,
) -> askama::Result<OutgoingMail> {
    let subject = if blocked {
        format!("The bank blocked {application}'s subscription to {api}")
    } else {
        format!("{application}'s subscription to {api} works again")
    };
    let parts = blocked_parts(brand, &user.first_name, application, api, blocked)?;
    Ok(mail(brand, &user.email, &subject, parts))
}

/// The last mail of a closed account.
pub fn account_closed(brand: &Brand, user: &User) -> askama::Result<OutgoingMail> {
    let parts = closed_parts(brand, &user.first_name)?;
    Ok(mail(
        brand,
        &user.email,
        "Your developer portal account is closed",
        parts,
    ))
}
