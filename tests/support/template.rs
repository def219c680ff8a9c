//! `template.yaml` as JSON: CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!If`, `!Sub`...)
//! become their long forms (`{"Ref": …}`, `{"Fn::GetAtt": [resource, attribute]}`...), so tests
//! compare the template with plain `serde_json::json!` values; SAM's `Globals` are merged into each
//! function's properties as SAM does.

use serde_json::{Map, Value};
use serde_yaml_ng::Value as Yaml;

/// The three functions: logical ID in the template (the name `usernames serve` also accepts) and
/// the Cargo package, whose binary has the same name.
pub const FUNCTIONS: [(&str, &str); 3] = [
    ("PreSignUpFunction", "pre-sign-up"),
    ("PostConfirmationFunction", "post-confirmation"),
    ("PreTokenGenerationFunction", "pre-token-generation"),
];

/// The HTTP API's function (logical ID, Cargo package): not a trigger, so no pool invokes it.
pub const API_FUNCTION: (&str, &str) = ("UsernameApiFunction", "username-api");

/// The optional scheduled reconcile (logical ID, Cargo package): created only when the
/// `ScheduledReconcile` parameter is `true`, started by EventBridge Scheduler, never by a pool.
pub const RECONCILE_FUNCTION: (&str, &str) = ("ReconcileFunction", "reconcile");

/// Every function of the template that is always created: the triggers and the HTTP API's.
pub const ALL_FUNCTIONS: [(&str, &str); 4] =
    [FUNCTIONS[0], FUNCTIONS[1], FUNCTIONS[2], API_FUNCTION];

/// The repository's `template.yaml`, parsed.
pub fn load() -> Value {
    let path = crate::moto::workspace_root().join("template.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse(&text)
}

/// Parses a CloudFormation YAML template into JSON with long-form intrinsic functions.
pub fn parse(text: &str) -> Value {
    let yaml: Yaml =
        serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("template.yaml is not YAML: {e}"));
    to_json(yaml)
}

fn to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().map(Value::from).unwrap_or(Value::Null)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match to_json(key) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                object.insert(key, to_json(value));
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!').to_string();
            let value = to_json(tagged.value);
            intrinsic(&name, value)
        }
    }
}

/// The long form of `!name value`.
fn intrinsic(name: &str, value: Value) -> Value {
    let (key, value) = match name {
        "Ref" | "Condition" => (name.to_string(), value),
        // `!GetAtt Resource.Attribute` is the list `[Resource, Attribute]` in long form.
        "GetAtt" => match value {
            Value::String(s) => {
                let (resource, attribute) = s
                    .split_once('.')
                    .unwrap_or_else(|| panic!("!GetAtt {s} has no attribute"));
                (
                    "Fn::GetAtt".to_string(),
                    serde_json::json!([resource, attribute]),
                )
            }
            other => ("Fn::GetAtt".to_string(), other),
        },
        _ => (format!("Fn::{name}"), value),
    };
    let mut object = Map::new();
    object.insert(key, value);
    Value::Object(object)
}

/// A resource by logical ID; panics naming it when it is missing.
pub fn resource<'t>(template: &'t Value, logical_id: &str) -> &'t Value {
    let resource = &template["Resources"][logical_id];
    assert!(
        resource.is_object(),
        "template.yaml has no resource {logical_id}"
    );
    resource
}

/// A function's properties with `Globals.Function` applied: global keys the function does not
/// set are added, and `Environment.Variables` are merged (the function's own win), as SAM does.
pub fn function_properties(template: &Value, logical_id: &str) -> Map<String, Value> {
    let own = resource(template, logical_id)["Properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let globals = template["Globals"]["Function"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut merged = globals.clone();
    for (key, value) in own {
        merged.insert(key, value);
    }
    let mut variables = globals
        .get("Environment")
        .and_then(|e| e["Variables"].as_object())
        .cloned()
        .unwrap_or_default();
    if let Some(own_variables) =
        resource(template, logical_id)["Properties"]["Environment"]["Variables"].as_object()
    {
        for (key, value) in own_variables {
            variables.insert(key.clone(), value.clone());
        }
    }
    merged.insert(
        "Environment".to_string(),
        serde_json::json!({ "Variables": variables }),
    );
    merged
}

/// `{"Ref": name}`.
pub fn reference(name: &str) -> Value {
    serde_json::json!({ "Ref": name })
}

/// `{"Fn::GetAtt": [resource, attribute]}`.
pub fn get_att(resource: &str, attribute: &str) -> Value {
    serde_json::json!({ "Fn::GetAtt": [resource, attribute] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_become_long_forms() {
        let parsed = parse(
            "a: !Ref X\nb: !GetAtt T.Arn\nc: !If [C, !Ref AWS::NoValue, [email]]\nd: !Sub x-${Y}\n",
        );
        assert_eq!(
            parsed,
            json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["T", "Arn"]},
                "c": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, ["email"]]},
                "d": {"Fn::Sub": "x-${Y}"},
            })
        );
    }

    #[test]
    fn globals_apply_unless_the_function_sets_its_own() {
        let template = parse(
            "Globals:\n  Function:\n    Timeout: 5\n    Runtime: r\n    Environment:\n      Variables:\n        A: 1\n        B: 2\n\
             Resources:\n  F:\n    Properties:\n      Timeout: 3\n      Environment:\n        Variables:\n          B: 3\n",
        );
        let merged = function_properties(&template, "F");
        assert_eq!(merged["Timeout"], json!(3));
        assert_eq!(merged["Runtime"], json!("r"));
        assert_eq!(
            merged["Environment"],
            json!({"Variables": {"A": 1, "B": 3}})
        );
    }
}
