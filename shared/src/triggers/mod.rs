//! The Cognito trigger handlers: plain async functions over a `Registry`, shared by the Lambda
//! functions, the CLI and the tests. [`handle`] routes any trigger event by its `triggerSource`;
//! [`TriggerError`] is where every user-facing rejection sentence is chosen.

pub mod pool;
pub mod post_confirmation;
pub mod pre_sign_up;
pub mod pre_token_generation;

use crate::config::{ConfigError, EnvSource, NameSource, Settings};
use crate::events::token::TokenEventError;
use crate::events::{loggable_trigger_source, trigger_source, EventError};
use crate::messages::{with_code, Locale, Message};
use crate::policy::PolicyViolation;
use crate::registry::{
    Clock, ContactKey, Contacts, DynamoRegistry, Holder, Registry, RegistryError, SystemClock,
};
use pool::{CognitoUsers, NoPool, PoolUsers};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

/// Everything a handler needs, built once at init and shared by every invocation.
pub struct Triggers<R: Registry> {
    pub registry: R,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// The key of the contact hashes: the configured one, or the development key where the
    /// settings have none (the CLI's embedded store, tests).
    pub contact_key: ContactKey,
    /// The user pools the events come from, asked after a colliding reservation's holder.
    pub pool: Arc<dyn PoolUsers>,
    /// The operator's rules, read from the table at most once a minute.
    pub rules: Arc<crate::registry::word_rules::RuleCache>,
}

impl<R: Registry> Triggers<R> {
    /// Handlers on `registry` with the system clock and no pool to ask ([`NoPool`]: a
    /// collision is always answered as taken).
    pub fn new(registry: R, settings: Settings) -> Self {
        Self {
            registry,
            clock: Arc::new(SystemClock),
            contact_key: settings.contact_key_or_development(),
            rules: Arc::new(crate::registry::word_rules::RuleCache::new(
                settings.rules.clone(),
            )),
            settings,
            pool: Arc::new(NoPool),
        }
    }

    /// The same handlers, asking `pool` after holders.
    pub fn with_pool(mut self, pool: Arc<dyn PoolUsers>) -> Self {
        self.pool = pool;
        self
    }

    /// The Cognito `userName` of an event as the holder of a name: hashed under the contact key,
    /// compared as this deployment's pool compares user names.
    pub fn holder(&self, user_name: &str) -> Holder {
        Holder::new(
            user_name,
            self.settings.case_sensitive_user_names,
            &self.contact_key,
        )
    }

    /// Whether the same person may be recognised across sign-ups by email or phone. Not when the
    /// name is the Cognito username: a retry there reuses the same `userName`, so a contact
    /// would only let a stranger who knows it near someone else's reservation.
    fn recognises_retries(&self) -> bool {
        self.settings.name_source == NameSource::PreferredUsername
    }

    /// The contact hashes a pending reservation keeps: the email and phone the sign-up gave.
    pub fn reservation_contacts(&self, attributes: &HashMap<String, String>) -> Contacts {
        if !self.recognises_retries() {
            return Contacts::none();
        }
        Contacts {
            email: attributes
                .get("email")
                .and_then(|v| self.contact_key.email(v)),
            phone: attributes
                .get("phone_number")
                .and_then(|v| self.contact_key.phone(v)),
        }
    }

    /// The contact hashes that prove a commit's claim to the same person's other reservation: only
    /// contacts Cognito verified, and never one this deployment marks verified itself at sign-up
    /// (auto-verify proves nothing about who owns the address).
    pub fn verified_contacts(&self, attributes: &HashMap<String, String>) -> Contacts {
        if !self.recognises_retries() {
            return Contacts::none();
        }
        let verified = |flag: &str| attributes.get(flag).map(String::as_str) == Some("true");
        let sign_up = &self.settings.sign_up;
        Contacts {
            email: attributes
                .get("email")
                .filter(|_| verified("email_verified") && !sign_up.auto_verify_email)
                .and_then(|v| self.contact_key.email(v)),
            phone: attributes
                .get("phone_number")
                .filter(|_| verified("phone_number_verified") && !sign_up.auto_verify_phone)
                .and_then(|v| self.contact_key.phone(v)),
        }
    }
}

impl Triggers<DynamoRegistry> {
    /// What a Lambda function builds at init: the settings (`USERNAMES_TABLE` and
    /// `USERNAMES_CONTACT_HASH_KEY` required), the registry of [`DynamoRegistry::for_lambda`]
    /// (one client with the registry's explicit time limits, its connection already open), and
    /// Cognito on the same configuration (its client built at the first lookup).
    pub async fn dynamodb_from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let settings = Settings::from_env(env)?;
        let table = settings.required_table()?.to_string();
        settings.required_contact_key()?;
        let config = crate::registry::sdk::lambda_sdk_config(
            env,
            &crate::registry::sdk::Timeouts::default(),
        )?;
        let registry = DynamoRegistry::for_lambda_with(&config, env, table).await?;
        let pool = CognitoUsers::new(config, env);
        Ok(Self::new(registry, settings).with_pool(Arc::new(pool)))
    }
}

/// Why a trigger said no. `Display` is the English sentence the user sees (the catalogue's, see
/// `crate::messages`): never an SDK error, a serde error or an internal name. `code()` is the
/// stable name for logs, the CLI and apps; [`TriggerError::lambda_error`] says both in the
/// user's language.
#[derive(Debug, Error)]
pub enum TriggerError {
    /// The name breaks the username policy; the policy words the sentence.
    #[error("{0}")]
    Policy(#[from] PolicyViolation),
    #[error("{}", self.sentence(Locale::En))]
    NameTaken,
    #[error("{}", self.sentence(Locale::En))]
    NameRequired,
    /// The registry failed or was too slow: fail closed, never risk a duplicate.
    #[error("{}", self.sentence(Locale::En))]
    Registry(#[source] RegistryError),
    /// An event that is not what Cognito sends: a developer's error, said in English.
    #[error("{0}")]
    Event(#[from] EventError),
    #[error("{0}")]
    TokenEvent(#[from] TokenEventError),
}

impl TriggerError {
    /// Stable snake_case code: the policy's own code for a policy violation.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Policy(violation) => violation.code(),
            Self::NameTaken => "name_taken",
            Self::NameRequired => "name_required",
            Self::Registry(e) => registry_error_code(e),
            Self::Event(e) => e.code(),
            Self::TokenEvent(e) => e.code(),
        }
    }

    /// The sentence a user sees, in `locale`: the catalogue's message of the code (the policy's
    /// with its values); an event error stays in English.
    pub fn sentence(&self, locale: Locale) -> String {
        match self {
            Self::Policy(violation) => violation.sentence(locale),
            Self::NameTaken | Self::NameRequired | Self::Registry(_) => {
                Message::new(self.code()).render(locale)
            }
            Self::Event(e) => e.to_string(),
            Self::TokenEvent(e) => e.to_string(),
        }
    }

    /// The error as Lambda reports a handler error (the functions, `usernames invoke` and
    /// `serve`), in the user's language, with the code in the message (Cognito drops
    /// `errorType` and shows only `PreSignUp failed with error <errorMessage>.`), the one place
    /// every trigger rejection passes. See [`crate::messages::with_code`].
    pub fn lambda_error(&self, locale: Locale) -> LambdaError {
        LambdaError {
            error_type: self.code().to_string(),
            error_message: with_code(&self.sentence(locale), self.code()),
        }
    }
}

impl From<RegistryError> for TriggerError {
    fn from(e: RegistryError) -> Self {
        Self::Registry(e)
    }
}

/// Stable code of a registry failure, for outcomes that are logged rather than returned.
pub fn registry_error_code(e: &RegistryError) -> &'static str {
    match e {
        RegistryError::Timeout => "registry_timeout",
        RegistryError::Unavailable(_) => "registry_unavailable",
        RegistryError::Corrupt(_) => "registry_corrupt",
    }
}

/// The body Lambda returns for a handler error (`{"errorType":…,"errorMessage":…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaError {
    pub error_type: String,
    pub error_message: String,
}

/// One handled event: the trigger source (when it looks like one) and what came of it.
#[derive(Debug)]
pub struct Dispatched {
    pub trigger_source: Option<String>,
    /// The success outcome's code (`reserved`, `committed`, ...) or the error's.
    pub outcome: &'static str,
    pub result: Result<Value, TriggerError>,
    /// The language of the person the event is about (see [`event_locale`]).
    pub locale: Locale,
}

impl Dispatched {
    /// The result as Lambda reports it: the answered event, or the error in the person's
    /// language.
    pub fn lambda_result(self) -> Result<Value, LambdaError> {
        let locale = self.locale;
        self.result.map_err(|e| e.lambda_error(locale))
    }
}

/// The language to answer the person an event is about in: the sign-up's
/// `clientMetadata.locale` (Amplify's `signUp({options: {clientMetadata: {locale}}})`), else
/// their `locale` attribute, else `default`. A tag we have no sentences in is passed over.
pub fn event_locale(event: &Value, default: Locale) -> Locale {
    let request = &event["request"];
    [
        &request["clientMetadata"]["locale"],
        &request["userAttributes"]["locale"],
    ]
    .into_iter()
    .filter_map(Value::as_str)
    .find_map(Locale::from_tag)
    .unwrap_or(default)
}

/// Answers any Cognito trigger event this project handles: the whole event back with
/// `response` filled, or the rejection.
pub async fn handle<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, TriggerError> {
    dispatch(triggers, event).await.result
}

/// [`handle`], also saying which trigger ran and its outcome code (for the invocation log).
pub async fn dispatch<R: Registry>(triggers: &Triggers<R>, event: Value) -> Dispatched {
    let locale = event_locale(&event, triggers.settings.default_locale);
    let source = match trigger_source(&event) {
        Ok(source) => source.to_string(),
        Err(e) => return Dispatched::failed(None, e.into(), locale),
    };
    let answered = if source.starts_with("PreSignUp_") {
        pre_sign_up::answer(triggers, event)
            .await
            .map(|(event, outcome)| (event, outcome.code()))
    } else if source.starts_with("PostConfirmation_") {
        post_confirmation::answer(triggers, event)
            .await
            .map(|(event, outcome)| (event, outcome.code()))
    } else if source.starts_with("TokenGeneration_") {
        pre_token_generation::answer(triggers, event)
            .await
            .map(|(event, outcome)| (event, outcome.code()))
            .map_err(TriggerError::from)
    } else {
        Err(EventError::unsupported(&source).into())
    };
    let trigger_source = loggable_trigger_source(&source).map(str::to_string);
    match answered {
        Ok((event, outcome)) => Dispatched {
            trigger_source,
            outcome,
            result: Ok(event),
            locale,
        },
        Err(e) => Dispatched::failed(trigger_source, e, locale),
    }
}

impl Dispatched {
    fn failed(trigger_source: Option<String>, error: TriggerError, locale: Locale) -> Self {
        Self {
            trigger_source,
            outcome: error.code(),
            result: Err(error),
            locale,
        }
    }
}

/// Runs one registry call under `budget`, a safety net under the SDK's own timeouts: whatever
/// hangs (credentials, DNS, a stuck connection), the trigger still answers in time.
pub async fn within_budget<T>(
    budget: std::time::Duration,
    call: impl std::future::Future<Output = Result<T, RegistryError>>,
) -> Result<T, RegistryError> {
    tokio::time::timeout(budget, call)
        .await
        .unwrap_or(Err(RegistryError::Timeout))
}

/// The raw name a user asks for, from where the pool keeps it; `None` when there is none.
///
/// With [`NameSource::Username`], a federated user's `userName` (`Provider_id`) was generated by
/// Cognito, not chosen, so it is no name. A value that is empty or only spaces counts as none,
/// as an optional form field left blank does.
pub fn requested_name<'e>(
    source: NameSource,
    user_name: Option<&'e str>,
    attributes: &'e HashMap<String, String>,
    federated: bool,
) -> Option<&'e str> {
    let raw = match source {
        NameSource::PreferredUsername => attributes.get("preferred_username").map(String::as_str),
        NameSource::Username if federated => None,
        NameSource::Username => user_name,
    };
    raw.filter(|name| !name.trim().is_empty())
}

/// Whether the attributes are a federated (external identity provider) user's.
pub fn is_federated(attributes: &HashMap<String, String>) -> bool {
    attributes.get("cognito:user_status").map(String::as_str) == Some("EXTERNAL_PROVIDER")
        || attributes.contains_key("identities")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_name_comes_from_the_configured_source() {
        let attrs = attributes(&[("preferred_username", "Ann")]);
        let pick = |source, federated| requested_name(source, Some("ann_1"), &attrs, federated);
        assert_eq!(pick(NameSource::PreferredUsername, false), Some("Ann"));
        assert_eq!(pick(NameSource::PreferredUsername, true), Some("Ann"));
        assert_eq!(pick(NameSource::Username, false), Some("ann_1"));
        assert_eq!(pick(NameSource::Username, true), None);
        let blank = attributes(&[("preferred_username", "  ")]);
        assert_eq!(
            requested_name(NameSource::PreferredUsername, None, &blank, false),
            None
        );
        assert_eq!(
            requested_name(NameSource::Username, None, &blank, false),
            None
        );
    }

    #[tokio::test]
    async fn a_lambda_without_the_contact_hash_key_stops_at_init() {
        use crate::registry::contact::ENV_CONTACT_HASH_KEY;
        let env = crate::env::env(&[(crate::config::ENV_TABLE, "usernames")]);
        match Triggers::dynamodb_from_env(&env).await {
            Err(e) => assert_eq!(e.var, ENV_CONTACT_HASH_KEY),
            Ok(_) => panic!("started without {ENV_CONTACT_HASH_KEY}"),
        }
        let no_table = crate::env::env(&[(ENV_CONTACT_HASH_KEY, &"k".repeat(40))]);
        match Triggers::dynamodb_from_env(&no_table).await {
            Err(e) => assert_eq!(e.var, crate::config::ENV_TABLE),
            Ok(_) => panic!("started without a table"),
        }
    }

    #[test]
    fn federated_users_are_recognised_by_status_or_identities() {
        assert!(is_federated(&attributes(&[(
            "cognito:user_status",
            "EXTERNAL_PROVIDER"
        )])));
        assert!(is_federated(&attributes(&[("identities", "[]")])));
        assert!(!is_federated(&attributes(&[(
            "cognito:user_status",
            "CONFIRMED"
        )])));
    }

    #[test]
    fn every_error_has_a_code_and_a_sentence() {
        let errors = [
            TriggerError::NameTaken,
            TriggerError::NameRequired,
            TriggerError::Registry(RegistryError::Timeout),
            TriggerError::Registry(RegistryError::Unavailable("connection refused".into())),
            TriggerError::Registry(RegistryError::Corrupt("bad item".into())),
            TriggerError::Event(EventError::MissingTriggerSource),
        ];
        let codes: Vec<_> = errors.iter().map(TriggerError::code).collect();
        assert_eq!(
            codes,
            [
                "name_taken",
                "name_required",
                "registry_timeout",
                "registry_unavailable",
                "registry_corrupt",
                "missing_trigger_source"
            ]
        );
        for e in &errors {
            let message = e.to_string();
            assert!(message.ends_with('.'), "{message}");
            assert!(
                !message.contains("refused") && !message.contains("bad item"),
                "{message}"
            );
        }
        let body = serde_json::to_value(TriggerError::NameTaken.lambda_error(Locale::En)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"errorType": "name_taken", "errorMessage": "That username is already taken. [name_taken]"})
        );
    }
}
