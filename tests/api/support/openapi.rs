//! Checks a JSON value against the schema an OpenAPI 3.1 document gives for
//! a response: the subset of JSON Schema that utoipa writes ($ref, type,
//! required, properties, items, oneOf/anyOf/allOf). Properties the schema
//! does not name are errors, so the documents cannot drift from the code.

use serde_json::Value;

/// The schema of `method path` answering `status` with JSON.
pub fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not in the document");
    let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} documents no JSON for {status}");
    schema
}

pub fn validate(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    check(doc, schema, value, "$", true)
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn check(doc: &Value, schema: &Value, v: &Value, at: &str, strict: bool) -> Result<(), String> {
    let s = resolve(doc, schema);
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(doc, sub, v, at, false)?;
        }
        if strict {
            let known: Vec<String> = all
                .iter()
                .filter_map(|sub| resolve(doc, sub).get("properties").and_then(Value::as_object))
                .flat_map(|p| p.keys().cloned())
                .collect();
            unknown_properties(v, &known, at)?;
        }
        return Ok(());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = s.get(key).and_then(Value::as_array) {
            return if options.iter().any(|o| check(doc, o, v, at, strict).is_ok()) {
                Ok(())
            } else {
                Err(format!("{at}: {v} matches none of {key}"))
            };
        }
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => return Err(format!("{at}: expected {t}, got {v}")),
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)) => {
            return Err(format!("{at}: expected one of {ts:?}, got {v}"));
        }
        _ => {}
    }
    if let Some(required) = s.get("required").and_then(Value::as_array) {
        for r in required.iter().filter_map(Value::as_str) {
            if v.get(r).is_none() {
                return Err(format!("{at}: missing required {r}"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (s.get("properties").and_then(Value::as_object), v.as_object()) {
        for (k, sub) in props {
            if let Some(val) = obj.get(k) {
                check(doc, sub, val, &format!("{at}.{k}"), true)?;
            }
        }
        if strict && s.get("additionalProperties").is_none() {
            unknown_properties(v, &props.keys().cloned().collect::<Vec<_>>(), at)?;
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), true)?;
        }
    }
    Ok(())
}

fn unknown_properties(v: &Value, known: &[String], at: &str) -> Result<(), String> {
    if let Some(obj) = v.as_object() {
        if let Some(extra) = obj.keys().find(|k| !known.contains(k)) {
            return Err(format!("{at}: {extra:?} is not in the schema"));
        }
    }
    Ok(())
}

/// What linters ask: every operation has a description, and every tag an
/// operation uses is declared.
pub fn assert_described(doc: &Value) {
    let declared: Vec<&str> = doc["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let description = op["description"].as_str().unwrap_or("");
            assert!(!description.is_empty(), "{method} {path} has no description");
            for tag in op["tags"].as_array().into_iter().flatten() {
                assert!(
                    declared.contains(&tag.as_str().unwrap()),
                    "{method} {path}: tag {tag} is not declared"
                );
            }
        }
    }
}
