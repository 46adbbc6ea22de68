//! Applications: create, list, view, edit and delete (with everything that
//! hangs on them). Every function takes the developer, and an id of another
//! developer's application is "not found".

use serde::Deserialize;

use super::{ServiceError, Services, audit};
use crate::domain::application::{
    Application, ApplicationName, DeletionPreview, parse_callback_url, parse_description, parse_redirect_uris,
};
use crate::domain::audit::{Actor, Entry, Event, Target};
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::storage;
use crate::storage::applications::{self, NewApplication};

/// What the form and the JSON API send.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ApplicationInput {
    /// 1–70 characters: letters, digits, space, `_`, `-`, `.`; unique per developer.
    #[serde(default)]
    #[schema(example = "psd2_sandbox")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Deprecated: the first redirect URI. Taken as the list when
    /// `redirect_uris` is not sent.
    #[serde(default)]
    pub callback_url: String,
    /// Where the authorization endpoint may send the customer back to
    /// (https; `http://localhost` for the sandbox); up to 10.
    #[serde(default)]
    #[schema(example = json!(["https://tpp.example/callback"]))]
    pub redirect_uris: Option<Vec<String>>,
}

struct Valid {
    name: ApplicationName,
    name_key: String,
    description: String,
    callback_url: Option<String>,
    redirect_uris: String,
}

impl Valid {
    /// The values as the storage writes them for application `id`.
    fn stored<'a>(&'a self, id: &'a str, dev: &User) -> NewApplication<'a> {
        NewApplication {
            id,
            developer_id: dev.id,
            name: self.name.as_str(),
            name_key: &self.name_key,
            description: &self.description,
            callback_url: self.callback_url.as_deref(),
            redirect_uris: &self.redirect_uris,
        }
    }
}

fn validate(input: &ApplicationInput) -> Result<Valid, ServiceError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", ApplicationName::parse(&input.name));
    let description = errors.check("description", parse_description(&input.description));
    let callback_url = errors.check("callback_url", parse_callback_url(&input.callback_url));
    let redirect_uris = match &input.redirect_uris {
        Some(list) => errors.check("redirect_uris", parse_redirect_uris(&list.join("\n"))),
        None => callback_url.clone().map(|c| c.into_iter().collect()),
    };
    match (name, description, callback_url, redirect_uris) {
        (Some(name), Some(description), Some(callback_url), Some(redirect_uris)) => Ok(Valid {
            name_key: name.key(),
            name,
            description,
            callback_url: callback_url.or_else(|| redirect_uris.first().cloned()),
            redirect_uris: redirect_uris.join("\n"),
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

fn name_taken(name: &ApplicationName) -> ServiceError {
    ServiceError::invalid(
        "name",
        format!(
            "You already have an application called {:?}. Choose another name.",
            name.as_str()
        ),
    )
}

pub async fn create(svc: &Services, dev: &User, input: &ApplicationInput) -> Result<Application, ServiceError> {
    let v = validate(input)?;
    let id = Services::new_id();
    let mut conn = svc.db.conn().await?;
    match applications::insert(conn.exec(), &v.stored(&id, dev), svc.now()).await {
        Ok(app) => {
            tracing::info!(user_id = dev.id, application_id = %app.id, "application created");
            Ok(app)
        }
        Err(storage::Error::Duplicate { .. }) => Err(name_taken(&v.name)),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(svc: &Services, dev: &User) -> Result<Vec<Application>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(applications::list(conn.exec(), dev.id).await?)
}

/// One of the developer's applications, looked up once per request. The use
/// cases that act on an application (keys, subscriptions, certificates,
/// sandbox, console) take this type, and only [`owned`] makes one: none of
/// them can be handed an application its caller does not own.
#[derive(Debug, Clone)]
pub struct Owned {
    app: Application,
    owner: User,
}

impl Owned {
    pub fn owner(&self) -> &User {
        &self.owner
    }

    pub fn into_inner(self) -> Application {
        self.app
    }
}

impl std::ops::Deref for Owned {
    type Target = Application;
    fn deref(&self) -> &Application {
        &self.app
    }
}

/// Every application of the developer, each as its owner's (one query).
pub async fn owned_all(svc: &Services, dev: &User) -> Result<Vec<Owned>, ServiceError> {
    Ok(list(svc, dev)
        .await?
        .into_iter()
        .map(|app| Owned {
            app,
            owner: dev.clone(),
        })
        .collect())
}

/// The developer's application `id`; another developer's id is "not found".
pub async fn owned(svc: &Services, dev: &User, id: &str) -> Result<Owned, ServiceError> {
    let mut conn = svc.db.conn().await?;
    let app = applications::find(conn.exec(), dev.id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Owned {
        app,
        owner: dev.clone(),
    })
}

pub async fn update(
    svc: &Services,
    dev: &User,
    id: &str,
    input: &ApplicationInput,
) -> Result<Application, ServiceError> {
    let v = validate(input)?;
    {
        let mut conn = svc.db.conn().await?;
        match applications::update(conn.exec(), dev.id, &v.stored(id, dev), svc.now()).await {
            Ok(true) => {}
            Ok(false) => return Err(ServiceError::NotFound),
            Err(storage::Error::Duplicate { .. }) => return Err(name_taken(&v.name)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(owned(svc, dev, id).await?.into_inner())
}

/// What deleting the application would take with it.
pub async fn deletion_preview(svc: &Services, app: &Owned) -> Result<DeletionPreview, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(applications::deletion_preview(conn.exec(), &app.id).await?)
}

/// Deletes the application and, in the same transaction, its subscriptions,
/// keys, access tokens, sandbox payments and usage counts (the database cascades).
#[tracing::instrument(name = "applications.delete", skip_all, fields(application_id = %app.id))]
pub async fn delete(svc: &Services, app: &Owned, client_address: &str) -> Result<(), ServiceError> {
    let (dev, id) = (app.owner(), app.id.as_str());
    let mut tx = svc.db.begin().await?;
    if !applications::delete(tx.exec(), dev.id, id).await? {
        return Err(ServiceError::NotFound);
    }
    let entry = Entry::new(
        Event::ApplicationDeleted,
        &Actor::of(dev, client_address),
        Target::application(id),
        &app.name,
    );
    audit::append(svc, tx.exec(), &entry).await?;
    super::access::announce(tx.exec(), super::access::Change::Application(id)).await?;
    tx.commit().await?;
    svc.access.evict_application(id);
    svc.sandbox_state.evict_application(id);
    tracing::info!(user_id = dev.id, application_id = %id, "application deleted");
    Ok(())
}
