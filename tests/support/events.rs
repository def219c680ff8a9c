//! Cognito trigger events for one user, as Cognito sends them: the sequences of the ownership
//! tests are written with these (sign-up, confirmation, sign-in of the same person).

use serde_json::{json, Map, Value};

/// A Cognito user as the events carry them.
#[derive(Debug, Clone, Copy)]
pub struct User<'a> {
    /// The Cognito `userName` (in email pools, a generated id).
    pub user_name: &'a str,
    /// The `sub`; absent before confirmation (pre-sign-up events carry none).
    pub sub: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

impl<'a> User<'a> {
    pub const fn new(user_name: &'a str, sub: &'a str) -> Self {
        Self {
            user_name,
            sub,
            email: None,
            phone: None,
        }
    }

    pub const fn email(mut self, email: &'a str) -> Self {
        self.email = Some(email);
        self
    }

    pub const fn phone(mut self, phone: &'a str) -> Self {
        self.phone = Some(phone);
        self
    }

    fn attributes(&self, name: Option<&str>) -> Map<String, Value> {
        let mut attributes = Map::new();
        if let Some(email) = self.email {
            attributes.insert("email".into(), json!(email));
        }
        if let Some(phone) = self.phone {
            attributes.insert("phone_number".into(), json!(phone));
        }
        if let Some(name) = name {
            attributes.insert("preferred_username".into(), json!(name));
        }
        attributes
    }

    fn event(&self, source: &str, attributes: Map<String, Value>, response: Value) -> Value {
        json!({
            "version": "1",
            "triggerSource": source,
            "region": "eu-west-1",
            "userPoolId": "eu-west-1_Xy7Kp2Lm9",
            "userName": self.user_name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client-1"},
            "request": {"userAttributes": attributes},
            "response": response
        })
    }

    /// `PreSignUp_<kind>` (`SignUp`, `AdminCreateUser`, `ExternalProvider`) asking for `name`.
    pub fn sign_up(&self, kind: &str, name: Option<&str>) -> Value {
        self.event(
            &format!("PreSignUp_{kind}"),
            self.attributes(name),
            json!({}),
        )
    }

    /// `PostConfirmation_ConfirmSignUp` with the contacts Cognito has verified.
    pub fn confirm(&self, name: Option<&str>, email_verified: bool, phone_verified: bool) -> Value {
        let mut attributes = self.attributes(name);
        attributes.insert("sub".into(), json!(self.sub));
        attributes.insert("cognito:user_status".into(), json!("CONFIRMED"));
        if self.email.is_some() {
            attributes.insert("email_verified".into(), json!(email_verified.to_string()));
        }
        if self.phone.is_some() {
            attributes.insert(
                "phone_number_verified".into(),
                json!(phone_verified.to_string()),
            );
        }
        self.event("PostConfirmation_ConfirmSignUp", attributes, json!({}))
    }

    /// A V1 `TokenGeneration_<kind>` (`Authentication`, `NewPasswordChallenge`...) with the
    /// `preferred_username` attribute as the user pool holds it now.
    pub fn sign_in(&self, kind: &str, attribute: Option<&str>) -> Value {
        let mut attributes = self.attributes(attribute);
        attributes.insert("sub".into(), json!(self.sub));
        attributes.insert("cognito:user_status".into(), json!("CONFIRMED"));
        let mut event = self.event(
            &format!("TokenGeneration_{kind}"),
            attributes,
            json!({"claimsOverrideDetails": null}),
        );
        event["request"]["groupConfiguration"] = json!({"groupsToOverride": ["editors"]});
        event
    }
}

/// What a V1 token answer puts in the ID token as `preferred_username`: `Some(name)` when it adds
/// one, `None` when it suppresses the claim, and `Some("<untouched>")` when it does neither.
pub fn token_name(answer: &Value) -> Option<String> {
    let details = &answer["response"]["claimsOverrideDetails"];
    if let Some(name) = details["claimsToAddOrOverride"]["preferred_username"].as_str() {
        return Some(name.to_owned());
    }
    let suppressed = details["claimsToSuppress"]
        .as_array()
        .is_some_and(|list| list.iter().any(|c| c == "preferred_username"));
    if suppressed {
        None
    } else {
        Some("<untouched>".to_owned())
    }
}
