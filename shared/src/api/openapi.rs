//! The HTTP API's OpenAPI 3.1 document (`openapi.json` beside this file), served at
//! `GET /v1/openapi.json` by the deployed API and by `usernames serve`; the tests hold every
//! answer of the API to it.

use serde_json::Value;

/// The document's source, compiled in.
pub const SOURCE: &str = include_str!("openapi.json");

/// The document as JSON (`null` if the source were not JSON, which a test rules out).
pub fn document() -> Value {
    serde_json::from_str(SOURCE).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use crate::messages::{messages_of, Locale};
    use serde_json::Value;

    fn strings(value: &Value) -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn the_document_is_openapi_3_1_with_every_route() {
        let document = super::document();
        assert_eq!(document["openapi"], "3.1.0");
        let paths = &document["paths"];
        assert!(paths["/v1/usernames/{name}"]["get"].is_object());
        assert!(paths["/v1/me/username"]["put"].is_object());
        assert!(paths["/v1/me/username"]["delete"].is_object());
        assert!(paths[crate::api::router::OPENAPI]["get"].is_object());
    }

    #[test]
    fn the_codes_are_the_catalogues() {
        let document = super::document();
        let schemas = &document["components"]["schemas"];
        let catalogue: Vec<String> = messages_of(Locale::En)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        // The policy's codes are the catalogue's first group (docs/policy.md), in its order.
        let policy = strings(&schemas["PolicyCode"]["enum"]);
        assert_eq!(policy, catalogue[..policy.len()]);
        assert_eq!(
            policy.last().map(String::as_str),
            Some("unstable_normalization")
        );
        // Every code the API answers with has a sentence; the triggers' own codes are not in it.
        let errors = strings(&schemas["ErrorCode"]["enum"]);
        for code in &errors {
            assert!(catalogue.contains(code), "{code} has no sentence");
        }
        for code in ["name_required", "registry_timeout", "registry_corrupt"] {
            assert!(!errors.iter().any(|c| c == code), "{code}");
        }
        assert_eq!(catalogue.len(), errors.len() + 3);
        assert_eq!(
            strings(&schemas["Locale"]["enum"]),
            Locale::ALL.map(|l| l.tag().to_owned())
        );
    }
}
