//! PreSignUp and PostConfirmation events, read leniently on top of `aws_lambda_events`, and
//! answered by writing `response` into the very event Cognito sent.
//!
//! Why not deserialize the crate's event types directly: `aws_lambda_events` 1.2.1 rejects real
//! events. `CognitoEventUserPoolsPreSignup` requires all three booleans in `response`, but
//! Cognito tooling (cognito-local, hand-made test events) sends `"response": {}` or none; the
//! header requires `callerContext`; and a round trip through the crate's structs would drop any
//! field they do not know (the `catch-all-fields` feature would keep them, but not in
//! `response`). Copying the crate's types would fork them. Instead we read the envelope
//! (`triggerSource`, `userName`) from the JSON value, let the crate's own types parse `request`
//! (after dropping `null` map entries, which they reject), its trigger-source enums name the
//! flow, and its response type spell the response fields. The answer edits the original
//! `serde_json::Value`, so everything Cognito sent goes back unchanged.

pub use aws_lambda_events::cognito::{
    CognitoEventUserPoolsPostConfirmationRequest as PostConfirmationRequest,
    CognitoEventUserPoolsPostConfirmationTriggerSource as PostConfirmationSource,
    CognitoEventUserPoolsPreSignupRequest as PreSignUpRequest,
    CognitoEventUserPoolsPreSignupResponse as PreSignUpResponse,
    CognitoEventUserPoolsPreSignupTriggerSource as PreSignUpSource,
};

use super::{trigger_source, EventError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A pre-sign-up event, as far as the handler reads it.
#[derive(Debug, Clone)]
pub struct PreSignUpEvent {
    pub trigger_source: PreSignUpSource,
    /// The Cognito `userName` (for email sign-in pools, a generated id; for federated users,
    /// `Provider_id`).
    pub user_name: Option<String>,
    /// The pool the sign-up is for (`userPoolId`): where pre-sign-up asks after a holder.
    pub user_pool_id: Option<String>,
    pub request: PreSignUpRequest,
}

impl PreSignUpEvent {
    /// Reads a `PreSignUp_*` event; unknown fields are ignored and `null`, `{}` or missing
    /// optional objects are accepted.
    pub fn parse(event: &Value) -> Result<Self, EventError> {
        let envelope = Envelope::read(event)?;
        Ok(Self {
            trigger_source: envelope.source()?,
            user_name: envelope.user_name()?,
            user_pool_id: envelope.text("userPoolId")?,
            request: envelope.request(&["userAttributes", "validationData", "clientMetadata"])?,
        })
    }

    /// A user attribute Cognito sent, if any.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.request.user_attributes.get(name).map(String::as_str)
    }
}

/// A post-confirmation event, as far as the handler reads it.
#[derive(Debug, Clone)]
pub struct PostConfirmationEvent {
    pub trigger_source: PostConfirmationSource,
    pub user_name: Option<String>,
    pub request: PostConfirmationRequest,
}

impl PostConfirmationEvent {
    /// Reads a `PostConfirmation_*` event, as leniently as [`PreSignUpEvent::parse`].
    pub fn parse(event: &Value) -> Result<Self, EventError> {
        let envelope = Envelope::read(event)?;
        Ok(Self {
            trigger_source: envelope.source()?,
            user_name: envelope.user_name()?,
            request: envelope.request(&["userAttributes", "clientMetadata"])?,
        })
    }

    /// A user attribute Cognito sent, if any.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.request.user_attributes.get(name).map(String::as_str)
    }
}

/// Writes the pre-sign-up answer into `event.response`, keeping any other keys found there.
pub fn write_pre_sign_up_response(
    event: &mut Value,
    response: &PreSignUpResponse,
) -> Result<(), EventError> {
    let fields = match serde_json::to_value(response) {
        Ok(Value::Object(fields)) => fields,
        _ => {
            return Err(EventError::Malformed(
                "the response could not be written".into(),
            ))
        }
    };
    response_object(event)?.extend(fields);
    Ok(())
}

/// Makes sure `event.response` is an object (post-confirmation answers with nothing in it),
/// keeping the one Cognito sent.
pub fn write_empty_response(event: &mut Value) -> Result<(), EventError> {
    response_object(event).map(|_| ())
}

fn response_object(event: &mut Value) -> Result<&mut Map<String, Value>, EventError> {
    let object = event.as_object_mut().ok_or(EventError::NotAnObject)?;
    let slot = object.entry("response").or_insert(Value::Null);
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => Ok(map),
        _ => Err(EventError::Malformed("response is not an object".into())),
    }
}

/// The common part of a Cognito event, read without the crate's strict header type.
struct Envelope<'e> {
    object: &'e Map<String, Value>,
    source: &'e str,
}

impl<'e> Envelope<'e> {
    fn read(event: &'e Value) -> Result<Self, EventError> {
        let source = trigger_source(event)?;
        let object = event.as_object().ok_or(EventError::NotAnObject)?;
        Ok(Self { object, source })
    }

    /// The trigger source as the crate's enum for this trigger; another trigger's source is
    /// unsupported here.
    fn source<T: DeserializeOwned>(&self) -> Result<T, EventError> {
        serde_json::from_value(Value::String(self.source.to_string()))
            .map_err(|_| EventError::unsupported(self.source))
    }

    fn user_name(&self) -> Result<Option<String>, EventError> {
        self.text("userName")
    }

    /// A top-level string field; empty, `null` or absent is none.
    fn text(&self, field: &str) -> Result<Option<String>, EventError> {
        match self.object.get(field) {
            Some(Value::String(text)) if !text.is_empty() => Ok(Some(text.clone())),
            Some(Value::String(_)) | Some(Value::Null) | None => Ok(None),
            Some(_) => Err(EventError::Malformed(format!("{field} is not a string"))),
        }
    }

    /// Parses `request` with the crate's type after dropping `null` entries from its string
    /// maps, which the crate's `HashMap<String, String>` rejects.
    fn request<T: DeserializeOwned + Default>(&self, maps: &[&str]) -> Result<T, EventError> {
        let mut request = match self.object.get("request") {
            None | Some(Value::Null) => return Ok(T::default()),
            Some(Value::Object(request)) => request.clone(),
            Some(_) => return Err(EventError::Malformed("request is not an object".into())),
        };
        for &name in maps {
            match request.get_mut(name) {
                None | Some(Value::Null) => {}
                Some(Value::Object(map)) => {
                    map.retain(|_, value| !value.is_null());
                    if map.values().any(|value| !value.is_string()) {
                        return Err(EventError::Malformed(format!(
                            "request.{name} holds a value that is not a string"
                        )));
                    }
                }
                Some(_) => {
                    return Err(EventError::Malformed(format!(
                        "request.{name} is not an object"
                    )))
                }
            }
        }
        serde_json::from_value(Value::Object(request))
            .map_err(|_| EventError::Malformed("request could not be read".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pre_sign_up(response: Value) -> Value {
        json!({
            "version": "1", "triggerSource": "PreSignUp_SignUp", "region": "eu-west-1",
            "userPoolId": "eu-west-1_Ab12Cd34E", "userName": "3f1c-uuid",
            "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0", "clientId": "client"},
            "request": {
                "userAttributes": {"email": "ann@example.com", "preferred_username": "Ann"},
                "validationData": null
            },
            "response": response
        })
    }

    #[test]
    fn the_crate_alone_rejects_an_empty_response_we_read_it() {
        let event = pre_sign_up(json!({}));
        let strict: Result<aws_lambda_events::cognito::CognitoEventUserPoolsPreSignup, _> =
            serde_json::from_value(event.clone());
        assert!(
            strict.is_err(),
            "the crate accepts it now; the wrapper may be simpler"
        );
        let parsed = PreSignUpEvent::parse(&event).unwrap();
        assert_eq!(parsed.trigger_source, PreSignUpSource::SignUp);
        assert_eq!(parsed.user_name.as_deref(), Some("3f1c-uuid"));
        assert_eq!(parsed.attribute("preferred_username"), Some("Ann"));
    }

    #[test]
    fn null_and_missing_parts_are_accepted() {
        for request in [
            Value::Null,
            json!({}),
            json!({"userAttributes": null, "clientMetadata": {}}),
            json!({"userAttributes": {"preferred_username": null}}),
        ] {
            let mut event = pre_sign_up(Value::Null);
            event["request"] = request.clone();
            let parsed = PreSignUpEvent::parse(&event).unwrap();
            assert_eq!(parsed.attribute("preferred_username"), None, "{request}");
        }
        let mut event = pre_sign_up(json!({}));
        event.as_object_mut().unwrap().remove("request");
        event.as_object_mut().unwrap().remove("callerContext");
        event.as_object_mut().unwrap().remove("userName");
        let parsed = PreSignUpEvent::parse(&event).unwrap();
        assert_eq!(parsed.user_name, None);
    }

    #[test]
    fn malformed_parts_say_where_not_what() {
        let mut event = pre_sign_up(json!({}));
        event["request"]["userAttributes"]["email"] = json!(42);
        let err = PreSignUpEvent::parse(&event).unwrap_err();
        assert_eq!(err.code(), "malformed_event");
        assert!(err.to_string().contains("request.userAttributes"), "{err}");
        assert!(!err.to_string().contains("42"), "{err}");
        event["request"] = json!([]);
        assert_eq!(
            PreSignUpEvent::parse(&event).unwrap_err().code(),
            "malformed_event"
        );
        event["userName"] = json!(7);
        assert_eq!(
            PreSignUpEvent::parse(&event).unwrap_err().code(),
            "malformed_event"
        );
    }

    #[test]
    fn another_triggers_event_is_unsupported_here() {
        let mut event = pre_sign_up(json!({}));
        event["triggerSource"] = json!("PostConfirmation_ConfirmSignUp");
        assert_eq!(
            PreSignUpEvent::parse(&event).unwrap_err(),
            EventError::UnsupportedTriggerSource("PostConfirmation_ConfirmSignUp".into())
        );
        assert!(PostConfirmationEvent::parse(&event).is_ok());
        event["triggerSource"] = json!("PreSignUp_Migrate");
        assert_eq!(
            PreSignUpEvent::parse(&event).unwrap_err().code(),
            "unsupported_trigger_source"
        );
    }

    #[test]
    fn the_response_goes_into_the_event_as_sent() {
        let mut event = pre_sign_up(json!({"autoConfirmUser": false, "futureField": "kept"}));
        event["unknownTopLevel"] = json!({"kept": true});
        let before = event.clone();
        let mut response = PreSignUpResponse::default();
        response.auto_confirm_user = true;
        write_pre_sign_up_response(&mut event, &response).unwrap();
        assert_eq!(
            event["response"],
            json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false, "futureField": "kept"})
        );
        let mut rest = event.clone();
        rest.as_object_mut().unwrap().remove("response");
        let mut before_rest = before;
        before_rest.as_object_mut().unwrap().remove("response");
        assert_eq!(rest, before_rest);

        for sent in [Value::Null, json!("x")] {
            let mut event = pre_sign_up(sent);
            write_empty_response(&mut event).unwrap();
            assert_eq!(event["response"], json!({}));
        }
        let mut event = pre_sign_up(json!({"kept": 1}));
        write_empty_response(&mut event).unwrap();
        assert_eq!(event["response"], json!({"kept": 1}));
    }
}
