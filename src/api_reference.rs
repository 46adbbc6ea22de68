//! The reference part of an API's documentation page, read from the API's
//! own OpenAPI document: each operation with its parameters, an example
//! request (code in five languages, see [`crate::code_samples`]) and an
//! example response built from the document's schemas. What the page shows
//! is what the document says, so the two cannot disagree.

use serde_json::{Map, Value, json};

use crate::code_samples::{self, Call, Sample};

pub struct Operation {
    /// The anchor on the page: `op-<operationId>`.
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    pub body_example: Option<String>,
    pub responses: Vec<Response>,
    pub samples: Vec<Sample>,
}

pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub kind: String,
    pub description: String,
    pub example: String,
}

pub struct Response {
    pub status: String,
    pub description: String,
    /// For a success: an example body from the schema.
    pub example: Option<String>,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation of the document, path by path.
pub fn operations(doc: &Value, today: &str) -> Vec<Operation> {
    let server = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim_end_matches('/');
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let walker = Examples {
        schemas: &schemas,
        today,
    };
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push(operation(&walker, server, path, method, op));
            }
        }
    }
    out
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").trim().to_string()
}

fn operation(walker: &Examples<'_>, server: &str, path: &str, method: &str, op: &Value) -> Operation {
    let parameters: Vec<Parameter> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let schema = p.get("schema").cloned().unwrap_or(Value::Null);
            let example = p.get("example").cloned().or_else(|| walker.known(&schema));
            Parameter {
                name: text(p, "name"),
                location: text(p, "in"),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                kind: walker.kind(&schema),
                description: text(p, "description"),
                example: example.map(|e| plain(&e)).unwrap_or_default(),
            }
        })
        .collect();
    // The example call: path parameters filled in where the document has a
    // value (else left as `{name}` to replace), query parameters with one.
    let mut url_path = path.to_string();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for p in &parameters {
        match p.location.as_str() {
            "path" if !p.example.is_empty() => url_path = url_path.replace(&format!("{{{}}}", p.name), &p.example),
            "query" if !p.example.is_empty() => query.push(format!("{}={}", p.name, p.example)),
            "header" if !p.example.is_empty() && !p.name.eq_ignore_ascii_case("x-request-id") => {
                headers.push((p.name.clone(), p.example.clone()))
            }
            _ => {}
        }
    }
    let mut url = format!("{server}{url_path}");
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let body_example = op
        .pointer("/requestBody/content/application~1json")
        .and_then(|c| {
            c.get("example")
                .cloned()
                .or_else(|| c.get("schema").map(|s| walker.example(s, 0)))
        })
        .map(|b| pretty(&b));
    let mut responses = Vec::new();
    if let Some(map) = op.get("responses").and_then(Value::as_object) {
        for (status, r) in map {
            let success = status.starts_with('2');
            let example = success
                .then(|| r.pointer("/content/application~1json"))
                .flatten()
                .and_then(|c| {
                    c.get("example")
                        .cloned()
                        .or_else(|| c.get("schema").map(|s| walker.example(s, 0)))
                })
                .map(|b| pretty(&b));
            responses.push(Response {
                status: status.clone(),
                description: text(r, "description"),
                example,
            });
        }
    }
    let call = Call {
        method: method.to_uppercase(),
        url,
        headers,
        body: body_example.clone(),
    };
    let id = text(op, "operationId");
    Operation {
        anchor: format!("op-{}", if id.is_empty() { format!("{method}-{path}") } else { id }),
        method: method.to_uppercase(),
        path: path.to_string(),
        summary: text(op, "summary"),
        description: text(op, "description"),
        parameters,
        body_example,
        responses,
        samples: code_samples::all(&call),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A parameter's value as it goes into a URL or header.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Example values made from schemas: the document's own `example`s first,
/// then the first of an enum, then a value of the type and format.
struct Examples<'a> {
    schemas: &'a Value,
    today: &'a str,
}

impl Examples<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.schemas.get(name))
                .unwrap_or(&Value::Null),
            None => schema,
        }
    }

    /// A value the document itself gives (an example or an enum's first), if any.
    fn known(&self, schema: &Value) -> Option<Value> {
        let s = self.resolve(schema);
        s.get("example")
            .cloned()
            .or_else(|| s.get("enum").and_then(|e| e.get(0)).cloned())
    }

    fn types(s: &Value) -> Vec<&str> {
        match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// "string (date)", "array", "boolean", the enum's values…
    fn kind(&self, schema: &Value) -> String {
        let s = self.resolve(schema);
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            return format!("one of {}", values.iter().map(plain).collect::<Vec<_>>().join(", "));
        }
        let t = Self::types(s).into_iter().find(|t| *t != "null").unwrap_or("string");
        match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        }
    }

    fn example(&self, schema: &Value, depth: usize) -> Value {
        let s = self.resolve(schema);
        if let Some(v) = self.known(s) {
            return v;
        }
        if depth > 8 {
            return Value::Null;
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(options) = s.get(key).and_then(Value::as_array) {
                let real = options.iter().find(|o| Self::types(self.resolve(o)) != ["null"]);
                if let Some(o) = real {
                    return self.example(o, depth + 1);
                }
            }
        }
        let types = Self::types(s);
        let t = types
            .iter()
            .find(|t| **t != "null")
            .copied()
            .unwrap_or(if s.get("properties").is_some() {
                "object"
            } else {
                "string"
            });
        match t {
            "object" => {
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut out = Map::new();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (name, p) in props {
                        // An optional field that may be null is left out, as the APIs do.
                        let nullable = Self::types(self.resolve(p)).contains(&"null")
                            || p.get("oneOf").is_some_and(|o| o.to_string().contains("\"null\""));
                        if required.contains(&name.as_str()) || !nullable {
                            out.insert(name.clone(), self.example(p, depth + 1));
                        }
                    }
                }
                Value::Object(out)
            }
            "array" => match s.get("items") {
                Some(items) => json!([self.example(items, depth + 1)]),
                None => json!([]),
            },
            "boolean" => json!(true),
            "integer" => json!(1),
            "number" => json!(1.0),
            _ => match s.get("format").and_then(Value::as_str) {
                Some("date") => json!(self.today),
                Some("date-time") => json!(format!("{}T10:00:00Z", self.today)),
                Some("uuid") => json!("3f0c2a9e-5d7b-4c1e-9a61-2b8f4d6e7c10"),
                Some("ipv4") => json!("192.0.2.10"),
                Some("uri") => json!("https://bank.example/"),
                _ => json!("string"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_take_parameters_examples_and_bodies_from_the_document() {
        let doc = json!({
            "servers": [{"url": "https://bank.example/sandbox/x/1"}],
            "paths": {"/Things/{kind}/{id}": {"get": {
                "operationId": "get_thing", "summary": "A thing",
                "parameters": [
                    {"name": "kind", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Kind"}},
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "withBalance", "in": "query", "example": true, "schema": {"type": "boolean"}},
                    {"name": "X-Request-ID", "in": "header", "required": true, "example": "u", "schema": {"type": "string", "format": "uuid"}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                              "404": {"description": "RESOURCE_UNKNOWN"}}
            }}},
            "components": {"schemas": {
                "Kind": {"type": "string", "enum": ["big", "small"]},
                "Thing": {"type": "object", "required": ["id", "on"], "properties": {
                    "id": {"type": "string", "example": "t-1"},
                    "on": {"type": "string", "format": "date"},
                    "gone": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": {"type": "string"}}
                }}
            }}
        });
        let ops = operations(&doc, "2026-12-04");
        assert_eq!(ops.len(), 1);
        let op = &ops[0];
        assert_eq!(op.anchor, "op-get_thing");
        assert_eq!(op.parameters[0].kind, "one of big, small");
        let curl = &op.samples[0].code;
        assert!(
            curl.contains("https://bank.example/sandbox/x/1/Things/big/{id}?withBalance=true"),
            "{curl}"
        );
        assert!(!curl.contains("X-Request-ID: u"), "a new request id, not the example's");
        let example = op.responses[0].example.clone().unwrap_or_default();
        let v: Value = serde_json::from_str(&example).unwrap_or_default();
        assert_eq!(v, json!({"id": "t-1", "on": "2026-12-04", "tags": ["string"]}));
        assert_eq!(op.responses[1].example, None);
    }
}
