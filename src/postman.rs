//! A Postman collection (v2.1) and environment made from an API's OpenAPI
//! document, for the developer who opens Postman first: the token request
//! comes first and keeps the token for the others, every request carries a
//! fresh `X-Request-ID` and the document's examples, and identifiers the
//! server hands out (`paymentId`, `basketId`) are kept in collection
//! variables for the requests that name them. Works on the served JSON so
//! that it sees exactly what a tool importing the document sees.

use serde_json::{Map, Value, json};

const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// Runs after every request: the request must succeed, and any `…Id` the
/// answer carries is kept for later requests.
const AFTER_EACH: &[&str] = &[
    "pm.test(pm.info.requestName + ' answers 2xx', function () { pm.response.to.be.success; });",
    "let body = null;",
    "try { body = pm.response.json(); } catch (e) { body = null; }",
    "if (body && typeof body === 'object' && !Array.isArray(body)) {",
    "  Object.keys(body).forEach(function (k) {",
    "    if (/Id$/.test(k) && typeof body[k] === 'string') { pm.collectionVariables.set(k, body[k]); }",
    "  });",
    "}",
];

const KEEP_TOKEN: &[&str] = &[
    "pm.test('the token endpoint issues a token', function () { pm.response.to.have.status(200); });",
    "pm.collectionVariables.set('accessToken', pm.response.json().access_token);",
];

/// The collection for the document `doc` (OpenAPI 3.1 as served).
pub fn collection(doc: &Value) -> Value {
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let version = doc["info"]["version"].as_str().unwrap_or("");
    let base_url = doc["servers"][0]["url"].as_str().unwrap_or("");
    let token_url = client_credentials(doc)["tokenUrl"].as_str().unwrap_or("");
    let mtls = mutual_tls(doc);
    let mut items = vec![token_request(mtls)];
    for tag in tags(doc) {
        let mut ops: Vec<(usize, &str, &str, &Value)> = operations(doc)
            .filter(|(_, _, op)| op["tags"][0].as_str() == Some(tag.as_str()))
            .map(|(path, method, op)| (method_order(method), path, method, op))
            .collect();
        ops.sort_by_key(|(order, path, _, _)| (*order, *path));
        let requests: Vec<Value> = ops
            .into_iter()
            .map(|(_, path, method, op)| request(doc, path, method, op))
            .collect();
        items.push(json!({ "name": tag, "item": requests }));
    }
    json!({
        "info": {
            "name": format!("{title} {version}"),
            "description": if mtls {
                format!(
                    "Generated from the OpenAPI document of {title} {version}. Add the application's certificate \
                     for this host in Postman (Settings, Certificates: the PKCS#12 file and its passphrase, or the \
                     PEM certificate and key), choose the environment, fill in clientId (the production client id) \
                     and run the collection: the first request gets the access token over mutual TLS.")
            } else {
                format!(
                    "Generated from the OpenAPI document of {title} {version}. Choose the environment, fill in \
                     clientId and clientSecret (your sandbox keys), and run the collection: the first request \
                     gets the access token.")
            },
            "schema": SCHEMA,
        },
        "auth": { "type": "bearer", "bearer": [{ "key": "token", "value": "{{accessToken}}", "type": "string" }] },
        "event": [script("test", AFTER_EACH)],
        "variable": [
            { "key": "baseUrl", "value": base_url },
            { "key": "tokenUrl", "value": token_url },
            { "key": "accessToken", "value": "" },
        ],
        "item": items,
    })
}

/// The environment that goes with it: the keys (to fill in) and the scope,
/// which names the test customer (the document's first).
pub fn environment(doc: &Value) -> Value {
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let scope = operations(doc)
        .find_map(|(_, _, op)| op["security"].as_array()?.iter().find_map(|s| s["oauth2"][0].as_str()))
        .unwrap_or_default();
    let mut values = vec![json!({ "key": "clientId", "value": "", "type": "default", "enabled": true })];
    if !mutual_tls(doc) {
        values.push(json!({ "key": "clientSecret", "value": "", "type": "secret", "enabled": true }));
    }
    values.push(json!({ "key": "scope", "value": scope, "type": "default", "enabled": true }));
    json!({
        "name": format!("{title} ({} keys)", if mutual_tls(doc) { "production" } else { "sandbox" }),
        "values": values,
        "_postman_variable_scope": "environment",
    })
}

/// Whether the document asks for a client certificate (production): then
/// the client authenticates with it, not with a secret.
fn mutual_tls(doc: &Value) -> bool {
    doc["components"]["securitySchemes"]["mutualTLS"].is_object()
}

fn client_credentials(doc: &Value) -> &Value {
    &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
}

fn token_request(mtls: bool) -> Value {
    let mut body = vec![
        json!({ "key": "grant_type", "value": "client_credentials" }),
        json!({ "key": "scope", "value": "{{scope}}" }),
    ];
    let (auth, description) = if mtls {
        body.push(json!({ "key": "client_id", "value": "{{clientId}}" }));
        (
            json!({ "type": "noauth" }),
            "Client credentials with tls_client_auth: the production client id, and the certificate Postman sends \
             for this host; the token is bound to it.",
        )
    } else {
        (
            json!({ "type": "basic", "basic": [
                { "key": "username", "value": "{{clientId}}", "type": "string" },
                { "key": "password", "value": "{{clientSecret}}", "type": "string" },
            ]}),
            "Client credentials with your sandbox keys (HTTP Basic); the scope names the test customer.",
        )
    };
    json!({
        "name": "Get an access token",
        "event": [script("test", KEEP_TOKEN)],
        "request": {
            "method": "POST",
            "description": description,
            "auth": auth,
            "header": [{ "key": "Content-Type", "value": "application/x-www-form-urlencoded" }],
            "body": { "mode": "urlencoded", "urlencoded": body },
            "url": { "raw": "{{tokenUrl}}", "host": ["{{tokenUrl}}"] },
        },
    })
}

fn script(listen: &str, lines: &[&str]) -> Value {
    json!({ "listen": listen, "script": { "type": "text/javascript", "exec": lines } })
}

fn tags(doc: &Value) -> Vec<String> {
    let mut names: Vec<String> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    for (_, _, op) in operations(doc) {
        if let Some(tag) = op["tags"][0].as_str() {
            if !names.iter().any(|n| n == tag) {
                names.push(tag.to_string());
            }
        }
    }
    names
}

const METHODS: [&str; 5] = ["post", "get", "put", "patch", "delete"];

/// Creations first and deletions last, so that a run can chain them.
fn method_order(method: &str) -> usize {
    METHODS.iter().position(|m| *m == method).unwrap_or(METHODS.len())
}

fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    doc["paths"].as_object().into_iter().flatten().flat_map(|(path, item)| {
        METHODS
            .iter()
            .filter_map(move |m| item.get(*m).map(|op| (path.as_str(), *m, op)))
    })
}

/// A parameter's example: its own, its schema's, or its schema's first
/// allowed value (following a reference to a component).
fn example(doc: &Value, parameter: &Value) -> Option<String> {
    let schema = resolve(doc, &parameter["schema"]);
    let value = [&parameter["example"], &schema["example"], &schema["enum"][0]]
        .into_iter()
        .find(|v| !v.is_null())?;
    Some(match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

fn request(doc: &Value, path: &str, method: &str, op: &Value) -> Value {
    let parameters = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
    let of = |place: &'static str| parameters.iter().filter(move |p| p["in"] == place);
    let described = |p: &Value, value: String, enabled: bool| {
        let mut entry = json!({ "key": p["name"], "value": value, "description": p["description"] });
        if !enabled {
            entry["disabled"] = json!(true);
        }
        entry
    };
    let variables: Vec<Value> = of("path")
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default();
            described(p, example(doc, p).unwrap_or_else(|| format!("{{{{{name}}}}}")), true)
        })
        .collect();
    let query: Vec<Value> = of("query")
        .map(|p| {
            let value = example(doc, p);
            let enabled = value.is_some();
            described(p, value.unwrap_or_default(), enabled)
        })
        .collect();
    let mut headers: Vec<Value> = of("header")
        .map(|p| {
            if resolve(doc, &p["schema"])["format"] == "uuid" {
                return described(p, "{{$guid}}".into(), true);
            }
            let value = example(doc, p);
            let enabled = value.is_some();
            described(p, value.unwrap_or_default(), enabled)
        })
        .collect();
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => format!(":{name}"),
            None => s.to_string(),
        })
        .collect();
    let query_string: Vec<String> = query
        .iter()
        .filter(|q| q.get("disabled").is_none())
        .filter_map(|q| Some(format!("{}={}", q["key"].as_str()?, q["value"].as_str()?)))
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}/{}", segments.join("/"));
    if !query_string.is_empty() {
        raw = format!("{raw}?{}", query_string.join("&"));
    }
    let mut request = Map::new();
    request.insert("method".into(), json!(method.to_uppercase()));
    request.insert("description".into(), op["description"].clone());
    if let Some(body) = op["requestBody"]["content"]["application/json"]["example"].as_object() {
        headers.push(json!({ "key": "Content-Type", "value": "application/json" }));
        let body = chained(&Value::Object(body.clone()));
        request.insert(
            "body".into(),
            json!({ "mode": "raw", "raw": serde_json::to_string_pretty(&body).unwrap_or_default(),
                    "options": { "raw": { "language": "json" } } }),
        );
    }
    request.insert("header".into(), json!(headers));
    request.insert(
        "url".into(),
        json!({ "raw": raw, "host": ["{{baseUrl}}"], "path": segments, "query": query, "variable": variables }),
    );
    let name = match op["summary"].as_str() {
        Some(summary) => summary.trim_end_matches('.').to_string(),
        None => format!("{} {path}", method.to_uppercase()),
    };
    json!({ "name": name, "request": request })
}

/// Identifiers in a body example become the collection variables that hold
/// the ones the server handed out earlier in the run.
fn chained(body: &Value) -> Value {
    match body {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(_) if k.ends_with("Id") => json!(format!("{{{{{k}}}}}")),
                        Value::Array(items) if k.ends_with("Ids") && !items.is_empty() => {
                            json!([format!("{{{{{}}}}}", k.trim_end_matches('s'))])
                        }
                        other => chained(other),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_bodies_become_the_variables_earlier_answers_filled() {
        let body = json!({"paymentIds": ["3f0c"], "debtorAccount": {"bban": "12345678910"}, "basketId": "b"});
        assert_eq!(
            chained(&body),
            json!({"paymentIds": ["{{paymentId}}"], "debtorAccount": {"bban": "12345678910"}, "basketId": "{{basketId}}"})
        );
    }

    #[test]
    fn creations_run_before_reads_and_deletions_last() {
        let mut methods = ["delete", "get", "put", "post"];
        methods.sort_by_key(|m| method_order(m));
        assert_eq!(methods, ["post", "get", "put", "delete"]);
    }
}
