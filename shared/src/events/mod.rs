//! Lenient Cognito event types: wrap `aws_lambda_events` where real events break it.
//! Sign-up events (`sign_up`) by H, token events (`token`) by T. This file reads what every
//! trigger event shares, the `triggerSource` that routes it, and names what can be wrong with one.
pub mod sign_up;
pub mod token;

use serde_json::Value;
use thiserror::Error;

/// An event the handlers cannot read. `Display` is the sentence Lambda reports: it names fields,
/// never their values (which may be attributes, i.e. personal data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    #[error("The request is not a Cognito user pool trigger event: it is not a JSON object.")]
    NotAnObject,
    #[error("The request is not a Cognito user pool trigger event: it has no triggerSource.")]
    MissingTriggerSource,
    #[error("This function does not handle the Cognito trigger source {0}.")]
    UnsupportedTriggerSource(String),
    #[error("The Cognito event is malformed: {0}.")]
    Malformed(String),
    #[error("The Cognito event has no userName to hold the username for.")]
    MissingUserName,
}

impl EventError {
    /// Stable snake_case code for logs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAnObject => "not_a_cognito_event",
            Self::MissingTriggerSource => "missing_trigger_source",
            Self::UnsupportedTriggerSource(_) => "unsupported_trigger_source",
            Self::Malformed(_) => "malformed_event",
            Self::MissingUserName => "missing_user_name",
        }
    }

    /// An unknown trigger source, quoted only when it looks like one (letters, digits, `_`), so
    /// that arbitrary input never reaches a message or a log line.
    pub fn unsupported(source: &str) -> Self {
        Self::UnsupportedTriggerSource(
            loggable_trigger_source(source)
                .unwrap_or("(unreadable)")
                .to_string(),
        )
    }
}

/// The event's `triggerSource`, which says which trigger (and flow) Cognito is calling.
pub fn trigger_source(event: &Value) -> Result<&str, EventError> {
    let object = event.as_object().ok_or(EventError::NotAnObject)?;
    match object.get("triggerSource") {
        Some(Value::String(source)) if !source.is_empty() => Ok(source),
        Some(Value::Null) | None => Err(EventError::MissingTriggerSource),
        Some(Value::String(_)) => Err(EventError::MissingTriggerSource),
        Some(_) => Err(EventError::Malformed(
            "triggerSource is not a string".into(),
        )),
    }
}

/// `source` if it has the shape of a trigger source (1 to 64 ASCII letters, digits and `_`).
pub fn loggable_trigger_source(source: &str) -> Option<&str> {
    let shaped = (1..=64).contains(&source.len())
        && source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    shaped.then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trigger_source_or_a_clear_error() {
        assert_eq!(
            trigger_source(&json!({"triggerSource": "PreSignUp_SignUp"})),
            Ok("PreSignUp_SignUp")
        );
        assert_eq!(trigger_source(&json!([1, 2])), Err(EventError::NotAnObject));
        assert_eq!(
            trigger_source(&json!("PreSignUp_SignUp")),
            Err(EventError::NotAnObject)
        );
        assert_eq!(
            trigger_source(&json!({"httpMethod": "GET"})),
            Err(EventError::MissingTriggerSource)
        );
        assert_eq!(
            trigger_source(&json!({"triggerSource": null})),
            Err(EventError::MissingTriggerSource)
        );
        assert_eq!(
            trigger_source(&json!({"triggerSource": ""})),
            Err(EventError::MissingTriggerSource)
        );
        assert_eq!(
            trigger_source(&json!({"triggerSource": 3}))
                .unwrap_err()
                .code(),
            "malformed_event"
        );
    }

    #[test]
    fn unknown_sources_are_quoted_only_when_they_look_like_one() {
        assert_eq!(
            EventError::unsupported("CustomMessage_SignUp").to_string(),
            "This function does not handle the Cognito trigger source CustomMessage_SignUp."
        );
        let odd = EventError::unsupported("<script>alert(1)</script>").to_string();
        assert!(!odd.contains("script"), "{odd}");
    }
}
