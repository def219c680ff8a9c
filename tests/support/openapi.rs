//! Holds an answer of the HTTP API to its OpenAPI document (`shared::api::openapi`): the
//! operation's response for that status, its body against the response's schema (JSON Schema
//! 2020-12, references resolved in the document) and its required headers.

use serde_json::{json, Value};
use shared::api::router::ApiResponse;

/// The document's path template a request path matches (`/v1/usernames/{name}`), if any; the
/// router also takes `/v1/me/username/` for `/v1/me/username`.
fn template_of<'a>(document: &'a Value, path: &str) -> Option<&'a str> {
    let path = path.split('?').next().unwrap_or_default();
    matching(document, path).or_else(|| {
        matching(document, path.strip_suffix('/')?).filter(|template| !template.contains('{'))
    })
}

fn matching<'a>(document: &'a Value, path: &str) -> Option<&'a str> {
    document["paths"].as_object()?.keys().find_map(|template| {
        let fixed: Vec<&str> = template.split('/').collect();
        let given: Vec<&str> = path.split('/').collect();
        let matches = fixed.len() == given.len()
            && fixed
                .iter()
                .zip(&given)
                .all(|(f, g)| f.starts_with('{') || f == g);
        matches.then_some(template.as_str())
    })
}

/// One token of a JSON pointer in a URI fragment: `~` and `/` escaped, braces percent-encoded.
fn escape(token: &str) -> String {
    token
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// Panics, saying why, unless `answer` to `method path` is one the document describes. An
/// answer to a path or method the document has no operation for must be the API's error
/// (`not_found`, `method_not_allowed`).
pub fn assert_conforms(method: &str, path: &str, answer: &ApiResponse) {
    let document = shared::api::openapi::document();
    // HEAD is GET without the body (RFC 9110); the API answers it as GET.
    let method = match method.to_ascii_lowercase() {
        head if head == "head" => "get".to_owned(),
        other => other,
    };
    let operation = template_of(&document, path)
        .map(|template| (template, &document["paths"][template][&method]))
        .filter(|(_, operation)| operation.is_object());
    let Some((template, operation)) = operation else {
        assert!(
            matches!(answer.status, 404 | 405),
            "{method} {path}: no operation, yet {answer:?}"
        );
        validate(&document, "#/components/schemas/Error", &answer.body, path);
        return;
    };
    let status = answer.status.to_string();
    let mut response = &operation["responses"][&status];
    let mut pointer = format!("#/paths/{}/{method}/responses/{status}", escape(template));
    if let Some(reference) = response["$ref"].as_str() {
        pointer = reference.to_owned();
        response = document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null);
    }
    assert!(
        response.is_object(),
        "{method} {path}: status {status} is not in the document: {answer:?}"
    );
    if response["content"].is_object() {
        validate(
            &document,
            &format!("{pointer}/content/application~1json/schema"),
            &answer.body,
            path,
        );
    }
    for (name, header) in response["headers"].as_object().into_iter().flatten() {
        let header = match header["$ref"].as_str() {
            Some(reference) => document
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
            None => header,
        };
        let value = answer
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        if header["required"] == json!(true) {
            assert!(
                value.is_some(),
                "{method} {path}: no {}: {answer:?}",
                name.to_ascii_lowercase()
            );
        }
        if let (Some(value), Some(schema)) = (value, header.get("schema")) {
            let value = match schema["type"].as_str() {
                Some("integer") => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(json!(value)),
                _ => json!(value),
            };
            let mut root = document.clone();
            root["$ref"] = json!("#/__header");
            root["__header"] = schema.clone();
            check(&root, &value, &format!("{method} {path}: header {name}"));
        }
    }
}

/// `value` against the schema at `pointer`, with the whole document as the root its
/// references resolve in.
fn validate(document: &Value, pointer: &str, value: &Value, context: &str) {
    let mut root = document.clone();
    root["$ref"] = json!(pointer);
    check(&root, value, context);
}

fn check(root: &Value, value: &Value, context: &str) {
    let validator = jsonschema::draft202012::new(root)
        .unwrap_or_else(|e| panic!("the document's schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{context}: {value} does not conform: {errors:?}"
    );
}
