//! Shared by the OpenAPI documents (the JSON API's and the sandbox APIs'):
//! refusals that many operations can answer are documented once, by rule,
//! so a generated client or a contract test never meets an undocumented
//! status.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// Every operation of the document.
pub fn operations(doc: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        let PathItem {
            get,
            put,
            post,
            delete,
            patch,
            ..
        } = item;
        [get, put, post, delete, patch].into_iter().flatten()
    })
}

/// Adds to every operation the (status, description) pairs `refusals`
/// gives for it, with the `schema` component as their JSON body, unless the
/// operation documents that status itself.
pub fn document_refusals(
    doc: &mut OpenApi,
    schema: &str,
    refusals: impl Fn(&Operation) -> Vec<(&'static str, &'static str)>,
) {
    for op in operations(doc) {
        for (status, description) in refusals(op) {
            op.responses.responses.entry(status.into()).or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("application/json", Content::new(Some(Ref::from_schema_name(schema))))
                        .build(),
                )
            });
        }
    }
}

/// Whether the operation names this security scheme.
pub fn secured_by(op: &Operation, scheme: &str) -> bool {
    op.security
        .iter()
        .flatten()
        .any(|s| serde_json::to_value(s).is_ok_and(|v| v.get(scheme).is_some()))
}

/// Whether the operation reads a JSON body.
pub fn reads_json(op: &Operation) -> bool {
    op.request_body
        .as_ref()
        .is_some_and(|b| b.content.contains_key("application/json"))
}

/// The portal's contact page and terms in `info`, and the server it is
/// reached at (linters and generated clients want both).
pub fn describe_publisher(doc: &mut OpenApi, base_url: &str, server_url: &str) {
    use utoipa::openapi::ServerBuilder;
    use utoipa::openapi::info::{ContactBuilder, LicenseBuilder};
    let base = base_url.trim_end_matches('/');
    doc.info.contact = Some(
        ContactBuilder::new()
            .name(Some("Developer support"))
            .url(Some(format!("{base}/contact")))
            .build(),
    );
    doc.info.license = Some(
        LicenseBuilder::new()
            .name("Terms of use")
            .url(Some(format!("{base}/legal/terms")))
            .build(),
    );
    doc.servers = Some(vec![ServerBuilder::new().url(server_url).build()]);
}

/// Declares `name` (a UUID the server echoes) on every response.
pub fn document_echoed_header(doc: &mut OpenApi, name: &str, description: &str) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    for op in operations(doc) {
        for response in op.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                let schema = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .build();
                response.headers.insert(
                    name.to_string(),
                    HeaderBuilder::new()
                        .schema(schema)
                        .description(Some(description))
                        .build(),
                );
            }
        }
    }
}

/// What linters ask of every document: each operation has a description (its
/// summary, when the doc comment is one line) and each tag an operation uses
/// is declared at the top, with its description from `tag_descriptions` when
/// the document did not declare it itself.
pub fn complete_descriptions(doc: &mut OpenApi, tag_descriptions: &[(&str, &str)]) {
    use utoipa::openapi::tag::TagBuilder;
    let mut used: Vec<String> = Vec::new();
    for op in operations(doc) {
        if op.description.as_deref().is_none_or(str::is_empty) {
            op.description = op.summary.clone();
        }
        used.extend(op.tags.iter().flatten().cloned());
    }
    let tags = doc.tags.get_or_insert_with(Vec::new);
    for name in used {
        if !tags.iter().any(|t| t.name == name) {
            let description = tag_descriptions.iter().find(|(tag, _)| *tag == name).map(|(_, d)| *d);
            tags.push(TagBuilder::new().name(name).description(description).build());
        }
    }
}
