//! The HTTP API's handlers (docs/api.md): availability of a name, a signed-in user's rename and
//! release, as plain async functions over a `Registry` and an [`AttributeMirror`]. [`router`]
//! maps requests to them; [`ApiError`] is where every user-facing sentence of the API is chosen.

pub mod mirror;
pub mod openapi;
pub mod router;
pub mod settings;
pub mod suggest;

pub use mirror::{AttributeMirror, CognitoMirror, MirrorError, NoMirror};
pub use router::{route, ApiRequest, ApiResponse};
pub use settings::ApiSettings;

use crate::config::{ConfigError, EnvSource, NameSource, Settings};
use crate::messages::{Locale, Message};
use crate::policy::{Policy, PolicyViolation, Username};
use crate::registry::word_rules::{matching_rule, RuleCache};
use crate::registry::{
    adopt_first_version_names, Clock, DynamoRegistry, Holder, Registry, RegistryError, Rename,
    RenameOutcome, RenameUndo, SystemClock, UndoOutcome,
};
use crate::triggers::within_budget;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// How long one registry call may take before the request answers 503: API Gateway gives a
/// Lambda integration 30 s, but a sign-up form asking while the user types needs an answer now.
pub const REGISTRY_BUDGET: Duration = Duration::from_secs(3);
/// How long the attribute mirror may take; past it the rename stands and a retry finishes it.
pub const MIRROR_BUDGET: Duration = Duration::from_secs(3);

/// Who is calling: the verified claims of their token (never the request body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
    /// The Cognito `userName` (`username` in access tokens, `cognito:username` in ID tokens):
    /// how the mirror names the user. The edges always set it ([`Caller::of_user_token`]); the
    /// `sub` stands in for callers made with [`Caller::new`].
    pub username: Option<String>,
}

/// A verified token that is not a user's: a machine's (client credentials: its `sub` is the app
/// client, it names no user), a refresh token, or claims that name nobody. Such a token renames
/// no one, so both edges answer it 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the token is not a user's access or ID token")]
pub struct NotAUserToken;

impl NotAUserToken {
    pub fn code(&self) -> &'static str {
        "not_a_user_token"
    }
}

impl Caller {
    pub fn new(sub: impl Into<String>) -> Self {
        Self {
            sub: sub.into(),
            username: None,
        }
    }

    /// The caller a verified token names, from its claims (`claim(name)`: the claim's string
    /// value), when it is a user's token: `token_use` is `access` or `id`, and it carries the
    /// user's Cognito user name (`username` in an access token, `cognito:username` in an ID
    /// token) and `sub`, neither empty. The one place both edges decide it: API Gateway's JWT
    /// authorizer (`username-api`) and `usernames serve`'s verifier check issuer, audience and
    /// time, and would let a client-credentials token through, whose `sub` is a client id.
    pub fn of_user_token<'c>(
        claim: impl Fn(&str) -> Option<&'c str>,
    ) -> Result<Self, NotAUserToken> {
        let user_claim = match claim("token_use") {
            Some("access") => "username",
            Some("id") => "cognito:username",
            _ => return Err(NotAUserToken),
        };
        let present = |name| claim(name).filter(|value| !value.is_empty());
        match (present("sub"), present(user_claim)) {
            (Some(sub), Some(username)) => Ok(Self {
                sub: sub.to_owned(),
                username: Some(username.to_owned()),
            }),
            _ => Err(NotAUserToken),
        }
    }

    fn pool_user(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.sub)
    }
}

/// Why a request failed. `Display` is the English sentence (the catalogue's, see
/// `crate::messages`; [`ApiError::sentence`] in the caller's language): never an SDK error, a
/// serde error or an internal name. `code()` is the stable machine code, `status()` the HTTP
/// status.
#[derive(Debug, Error)]
#[error("{}", self.sentence(Locale::En))]
pub enum ApiError {
    /// The body is not `{"username": "…"}`.
    BadRequest,
    /// The name in the path is not percent-encoded UTF-8.
    BadNameEncoding,
    TooLarge,
    Unauthorized,
    Policy(#[from] PolicyViolation),
    /// `suggestions`: up to three names like it that were free when asked.
    NameTaken {
        suggestions: Vec<String>,
    },
    /// `USERNAMES_SOURCE=username`: the name is the Cognito `userName` the user signs in with.
    NameImmutable,
    Cooldown {
        retry_after: i64,
    },
    /// The registry failed or was too slow: nothing was decided, the same request may be retried.
    Registry(#[source] RegistryError),
    NotFound,
    MethodNotAllowed {
        allow: &'static str,
    },
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        Self::Registry(e)
    }
}

impl ApiError {
    /// Stable snake_case code: the policy's own code for a policy violation.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::BadNameEncoding => "bad_name_encoding",
            Self::TooLarge => "body_too_large",
            Self::Unauthorized => "unauthorized",
            Self::Policy(v) => v.code(),
            Self::NameTaken { .. } => "name_taken",
            Self::NameImmutable => "name_immutable",
            Self::Cooldown { .. } => "rename_cooldown",
            Self::Registry(_) => "registry_unavailable",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest | Self::BadNameEncoding => 400,
            Self::TooLarge => 413,
            Self::Unauthorized => 401,
            Self::Policy(_) => 422,
            Self::NameTaken { .. } => 409,
            Self::NameImmutable => 403,
            Self::Cooldown { .. } => 429,
            Self::Registry(_) => 503,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
        }
    }

    /// The catalogue's message: the code and its values.
    pub fn message(&self) -> Message {
        match self {
            Self::Policy(violation) => violation.message(),
            Self::Cooldown { retry_after } => {
                let (count, unit) = wait(*retry_after);
                Message::new(self.code())
                    .number("count", count)
                    .word("unit", unit)
            }
            Self::MethodNotAllowed { allow } => Message::new(self.code()).text("allow", *allow),
            _ => Message::new(self.code()),
        }
    }

    /// The sentence the caller sees, in `locale`.
    pub fn sentence(&self, locale: Locale) -> String {
        self.message().render(locale)
    }
}

/// A wait in the largest sensible unit, rounded up to it: `(3, "hour")`, `(45, "second")`; days
/// only from two of them on (so "24 hours", not "1 day").
fn wait(seconds: i64) -> (i64, &'static str) {
    let seconds = seconds.max(1);
    if seconds >= 86_400 * 2 {
        ((seconds + 86_399) / 86_400, "day")
    } else if seconds >= 3600 {
        ((seconds + 3599) / 3600, "hour")
    } else if seconds >= 60 {
        ((seconds + 59) / 60, "minute")
    } else {
        (seconds, "second")
    }
}

/// `GET /v1/usernames/{name}`: whether a sign-up or rename could take the name now. Advice only:
/// the decision is the conditional write at sign-up or rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    /// The name as accepted (the display form), or as asked when the policy refuses it.
    pub name: String,
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The sentence of `code`, in the caller's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `not_display_form`: the name as it must be written (it passes every rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// `name_taken`: up to three names like it that pass the policy and were free when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
}

/// `PUT /v1/me/username`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub username: String,
    pub previous: Option<String>,
}

/// `DELETE /v1/me/username`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Released {
    pub previous: Option<String>,
}

/// Everything the API needs, built once at init and shared by every request.
pub struct Api<R: Registry, M: AttributeMirror> {
    pub registry: R,
    pub mirror: M,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    pub settings: ApiSettings,
    /// The operator's rules, read from the table at most once a minute.
    pub rules: Arc<RuleCache>,
}

impl<R: Registry, M: AttributeMirror> Api<R, M> {
    /// The API on `registry` with the system clock.
    pub fn new(registry: R, mirror: M, policy: Policy, settings: ApiSettings) -> Self {
        Self {
            registry,
            mirror,
            clock: Arc::new(SystemClock),
            policy,
            rules: Arc::new(RuleCache::new(settings.rules.clone())),
            settings,
        }
    }

    /// Whether an operator's rule refuses `name` (`usernames block --contains`): a new name
    /// only, so existing owners keep theirs.
    async fn breaks_rule(&self, name: &Username, now: i64) -> Result<bool, ApiError> {
        let rules = within_budget(REGISTRY_BUDGET, self.rules.rules(&self.registry, now)).await?;
        Ok(matching_rule(name, &rules).is_some())
    }

    /// The language an `Accept-Language` header asks for, else `USERNAMES_DEFAULT_LOCALE`.
    pub fn locale(&self, accept_language: Option<&str>) -> Locale {
        accept_language
            .and_then(Locale::negotiate)
            .unwrap_or(self.settings.default_locale)
    }

    /// The policy, then one consistent read; for a taken name, one batched read of a few names
    /// like it ([`Api::suggestions`]). A name is free when nobody holds it or its pending
    /// reservation or quarantine has ended. Sentences are in `locale`.
    pub async fn availability(&self, raw: &str, locale: Locale) -> Result<Availability, ApiError> {
        let refused = |violation: PolicyViolation| Availability {
            name: raw.to_owned(),
            available: false,
            code: Some(violation.code()),
            message: Some(violation.sentence(locale)),
            suggestion: violation.suggestion().map(str::to_owned),
            suggestions: None,
        };
        let name = match self.policy.evaluate(raw) {
            Ok(name) => name,
            Err(violation) => return Ok(refused(violation)),
        };
        let now = self.clock.now();
        if self.breaks_rule(&name, now).await? {
            return Ok(refused(PolicyViolation::Reserved));
        }
        // An entry under an older key of the name, not moved by `usernames rekey` yet, holds it
        // as well (docs/registry.md#key-versions); names whose keys never changed read one item.
        let older = name.older_keys();
        let free = if older.is_empty() {
            let entry = within_budget(REGISTRY_BUDGET, self.registry.get(name.key())).await?;
            entry.is_none_or(|claim| !claim.is_live(now))
        } else {
            let keys: Vec<_> = std::iter::once(name.key().clone()).chain(older).collect();
            let entries = within_budget(REGISTRY_BUDGET, self.registry.get_many(&keys)).await?;
            let mut entries = entries.into_iter();
            entries
                .next()
                .flatten()
                .is_none_or(|claim| !claim.is_live(now))
                && entries.all(|entry| {
                    !crate::registry::rules::older_entry_blocks(entry.as_ref(), now, |_| false)
                })
        };
        if free {
            return Ok(Availability {
                name: name.display().to_owned(),
                available: true,
                code: None,
                message: None,
                suggestion: None,
                suggestions: None,
            });
        }
        let taken = ApiError::NameTaken {
            suggestions: self.suggestions(&name, now).await,
        };
        let ApiError::NameTaken { suggestions } = &taken else {
            unreachable!()
        };
        Ok(Availability {
            name: name.display().to_owned(),
            available: false,
            code: Some(taken.code()),
            message: Some(taken.sentence(locale)),
            suggestion: None,
            suggestions: Some(suggestions.clone()),
        })
    }

    /// Up to [`suggest::MAX_SUGGESTIONS`] names like `taken` that pass the policy and were free
    /// when asked: candidates made from its display form ([`suggest::candidates`]), each a key
    /// of its own (so none is a look-alike of a name someone holds: a look-alike would share
    /// that name's key, which is held), read in one batch. Advice, as availability is; a
    /// registry that fails or is slow gives none rather than failing the answer.
    pub async fn suggestions(&self, taken: &Username, now: i64) -> Vec<String> {
        let candidates = suggest::candidates(&self.policy, taken, now);
        let keys: Vec<_> = candidates.iter().map(|c| c.key().clone()).collect();
        let Ok(entries) = within_budget(REGISTRY_BUDGET, self.registry.get_many(&keys)).await
        else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .zip(entries)
            .filter(|(_, entry)| entry.as_ref().is_none_or(|claim| !claim.is_live(now)))
            .map(|(candidate, _)| candidate.display().to_owned())
            .take(suggest::MAX_SUGGESTIONS)
            .collect()
    }

    /// Moves the caller to `raw` in the registry (one transaction), then mirrors the attribute.
    ///
    /// Tokens follow the registry, so a mirror that fails for any reason but an alias conflict
    /// still answers 200: the rename happened, and the same request, retried, finds the name
    /// already the caller's (no cooldown, no write) and mirrors again. An alias conflict
    /// (`AliasExistsException`: pools where `preferred_username` is a sign-in alias) means the
    /// pool refuses the name: what this request wrote is undone (the registry as before it, the
    /// cooldown included), and the answer is 409.
    pub async fn rename(&self, caller: &Caller, raw: &str) -> Result<Renamed, ApiError> {
        self.names_are_mutable()?;
        let to = self.policy.evaluate(raw)?;
        let now = self.clock.now();
        if self.breaks_rule(&to, now).await? {
            return Err(PolicyViolation::Reserved.into());
        }
        self.adopt_first_version_names(caller, now).await?;
        let request = Rename {
            sub: caller.sub.clone(),
            to: to.clone(),
            quarantine_until: now.saturating_add(self.settings.quarantine_secs()),
            cooldown: Some(self.settings.cooldown_secs()),
        };
        let (outcome, undo) = within_budget(
            REGISTRY_BUDGET,
            self.registry.rename_with_undo(&request, now),
        )
        .await?;
        let previous = match outcome {
            RenameOutcome::Renamed { previous } => previous,
            RenameOutcome::Taken => {
                return Err(ApiError::NameTaken {
                    suggestions: self.suggestions(&to, now).await,
                })
            }
            RenameOutcome::Cooldown { until } => {
                return Err(ApiError::Cooldown {
                    retry_after: until.saturating_sub(now).max(1),
                })
            }
        };
        let mirrored = tokio::time::timeout(
            MIRROR_BUDGET,
            self.mirror.set_name(caller.pool_user(), to.display()),
        )
        .await
        .unwrap_or_else(|_| Err(MirrorError::Failed("timed out".into())));
        match mirrored {
            Ok(()) => {}
            Err(MirrorError::AliasExists) => {
                self.undo(undo.as_ref()).await?;
                return Err(ApiError::NameTaken {
                    suggestions: self.suggestions(&to, now).await,
                });
            }
            Err(MirrorError::Failed(reason)) => {
                tracing::warn!(
                    outcome = "mirror_failed",
                    reason,
                    "the rename stands; the attribute follows on a retry"
                );
            }
        }
        Ok(Renamed {
            username: to.display().to_owned(),
            previous,
        })
    }

    /// Undoes what a rename the pool refused wrote. `None`: this request wrote nothing (the
    /// caller already owned the name, from an earlier request that answered), so the registry
    /// is already as it was before it. Where the registry cannot answer, the error goes back to
    /// the caller, and the name stays theirs in the registry until an operator's rename.
    async fn undo(&self, undo: Option<&RenameUndo>) -> Result<(), ApiError> {
        let Some(undo) = undo else {
            tracing::warn!(
                outcome = "alias_of_another_user",
                "the pool refuses a name the registry already gave this user"
            );
            return Ok(());
        };
        let undone = within_budget(REGISTRY_BUDGET, self.registry.undo_rename(undo)).await?;
        if undone == UndoOutcome::Changed {
            // Another rename or release of the caller's, or an operator, changed the registry
            // in between: that change stands.
            tracing::warn!(
                outcome = "undo_refused",
                "the registry changed since the rename"
            );
        }
        Ok(())
    }

    /// Refuses renames and releases where names are the Cognito usernames users sign in with
    /// (`USERNAMES_SOURCE=username`): Cognito never changes a `userName`, so a new name would
    /// part the registry from the sign-in name, and a name given up would let someone else
    /// sign up as a look-alike of a username still in use.
    pub fn names_are_mutable(&self) -> Result<(), ApiError> {
        match self.settings.name_source {
            NameSource::PreferredUsername => Ok(()),
            NameSource::Username => Err(ApiError::NameImmutable),
        }
    }

    /// Gives up the caller's name: into quarantine, where only they can take it back; then the
    /// pool's `preferred_username` is removed, so the name shows nowhere and, where it is a
    /// sign-in alias, stops being the caller's alias. That last step is attempted on every call,
    /// also when the registry held no name (a retry after a failed removal, or an attribute set
    /// behind the registry's back); when it fails the release stands, tokens carry no name, and
    /// the same request retried removes it.
    pub async fn release(&self, caller: &Caller) -> Result<Released, ApiError> {
        self.names_are_mutable()?;
        let now = self.clock.now();
        self.adopt_first_version_names(caller, now).await?;
        let until = now.saturating_add(self.settings.quarantine_secs());
        let previous = within_budget(
            REGISTRY_BUDGET,
            self.registry.release(&caller.sub, Some(until), now),
        )
        .await?;
        let cleared =
            tokio::time::timeout(MIRROR_BUDGET, self.mirror.clear_name(caller.pool_user()))
                .await
                .unwrap_or_else(|_| Err(MirrorError::Failed("timed out".into())));
        if let Err(e) = cleared {
            // The error carries Cognito's code only, never a value.
            tracing::warn!(
                outcome = "mirror_failed",
                reason = %e,
                "the release stands; the attribute is removed on a retry"
            );
        }
        Ok(Released { previous })
    }

    /// A caller who still owns first-version names (by `userName`, see docs/registry.md#upgrade)
    /// and renames or releases before a sign-in upgraded them: those are adopted first
    /// ([`adopt_first_version_names`]), so the rename or release covers them too. The API holds
    /// no contact key, and needs none: first-version owners are stored in clear.
    async fn adopt_first_version_names(&self, caller: &Caller, now: i64) -> Result<(), ApiError> {
        let Some(user_name) = caller.username.as_deref() else {
            return Ok(());
        };
        let holder = Holder::unkeyed(user_name, self.settings.case_sensitive_user_names);
        let until = now.saturating_add(self.settings.quarantine_secs());
        within_budget(
            REGISTRY_BUDGET,
            adopt_first_version_names(
                &self.registry,
                &holder,
                &caller.sub,
                &self.policy,
                until,
                now,
            ),
        )
        .await?;
        Ok(())
    }
}

impl<M: AttributeMirror> Api<DynamoRegistry, M> {
    /// What the API function builds at init: the triggers' settings (`USERNAMES_TABLE` required,
    /// the policy), the API's own, one SDK configuration from Lambda's variables, the registry
    /// on it, and the mirror (`mirror` gets the settings and that configuration, so both clients
    /// share it); then, unless `USERNAMES_WARM_CONNECTION` is `false`, both connections opened
    /// at once (DynamoDB's as [`DynamoRegistry::warm_up`] does, the pool's by
    /// [`AttributeMirror::warm_up`]), so neither the first availability check nor the first
    /// rename pays a handshake.
    pub async fn dynamodb_from_env(
        env: &impl EnvSource,
        mirror: impl FnOnce(&ApiSettings, &aws_types::SdkConfig) -> M,
    ) -> Result<Self, ConfigError> {
        let settings = Settings::from_env(env)?;
        let api_settings = ApiSettings::from_env(env)?;
        let table = settings.required_table()?.to_string();
        let warm =
            crate::env::bool_from_env(env, crate::registry::dynamodb::ENV_WARM_CONNECTION, true)?;
        let config = crate::registry::sdk::lambda_sdk_config(
            env,
            &crate::registry::sdk::Timeouts::default(),
        )?;
        let registry =
            DynamoRegistry::new(crate::registry::sdk::dynamodb_client(&config, env), table);
        let mirror = mirror(&api_settings, &config);
        if warm {
            let (registry_opened, pool_opened) = tokio::join!(registry.warm_up(), mirror.warm_up());
            if let Err(e) = registry_opened {
                tracing::warn!(
                    error = %e,
                    "could not open the DynamoDB connection at init; the first request will"
                );
            }
            if let Err(e) = pool_opened {
                tracing::warn!(
                    error = %e,
                    "could not open the user pool connection at init; the first rename will"
                );
            }
        }
        Ok(Self::new(registry, mirror, settings.policy, api_settings))
    }
}

/// No mirror configured (`None`) mirrors nothing.
impl<M: AttributeMirror> AttributeMirror for Option<M> {
    async fn set_name(&self, user: &str, name: &str) -> Result<(), MirrorError> {
        match self {
            Some(mirror) => mirror.set_name(user, name).await,
            None => Ok(()),
        }
    }

    async fn clear_name(&self, user: &str) -> Result<(), MirrorError> {
        match self {
            Some(mirror) => mirror.clear_name(user).await,
            None => Ok(()),
        }
    }

    async fn warm_up(&self) -> Result<(), MirrorError> {
        match self {
            Some(mirror) => mirror.warm_up().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_users_access_or_id_token_names_a_caller() {
        let of = |claims: &[(&str, &str)]| {
            Caller::of_user_token(|name| {
                claims
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, value)| *value)
            })
        };
        let caller = |sub: &str, username: &str| {
            Ok(Caller {
                sub: sub.into(),
                username: Some(username.into()),
            })
        };
        let access = [("token_use", "access"), ("sub", "s1"), ("username", "ann")];
        assert_eq!(of(&access), caller("s1", "ann"));
        let id = [
            ("token_use", "id"),
            ("sub", "s2"),
            ("cognito:username", "bob"),
        ];
        assert_eq!(of(&id), caller("s2", "bob"));
        let refused: [&[(&str, &str)]; 6] = [
            // Client credentials: the sub is the app client, and no user is named.
            &[("token_use", "access"), ("sub", "client"), ("scope", "a/b")],
            &[("token_use", "access"), ("sub", "s1"), ("username", "")],
            &[
                ("token_use", "access"),
                ("sub", "s1"),
                ("cognito:username", "ann"),
            ],
            &[("token_use", "id"), ("sub", "s2"), ("username", "bob")],
            &[("token_use", "refresh"), ("sub", "s1"), ("username", "ann")],
            &[("sub", "s1"), ("username", "ann")],
        ];
        for claims in refused {
            assert_eq!(of(claims), Err(NotAUserToken), "{claims:?}");
        }
        assert_eq!(
            of(&[("token_use", "access"), ("sub", ""), ("username", "ann")]),
            Err(NotAUserToken)
        );
        assert_eq!(NotAUserToken.code(), "not_a_user_token");
    }

    #[test]
    fn waits_are_worded_in_the_largest_sensible_unit() {
        let english = |seconds| {
            ApiError::Cooldown {
                retry_after: seconds,
            }
            .to_string()
        };
        for (seconds, wording) in [
            (0, "in 1 second."),
            (45, "in 45 seconds."),
            (61, "in 2 minutes."),
            (3600, "in 1 hour."),
            (86_400, "in 24 hours."),
            (3 * 86_400, "in 3 days."),
        ] {
            assert!(english(seconds).ends_with(wording), "{}", english(seconds));
        }
        assert_eq!(wait(3 * 86_400), (3, "day"));
    }

    #[test]
    fn every_error_has_a_code_a_status_and_a_sentence() {
        let errors = [
            ApiError::BadRequest,
            ApiError::TooLarge,
            ApiError::Unauthorized,
            ApiError::NameTaken {
                suggestions: Vec::new(),
            },
            ApiError::NameImmutable,
            ApiError::Cooldown { retry_after: 90 },
            ApiError::Registry(RegistryError::Unavailable("connection refused".into())),
            ApiError::NotFound,
            ApiError::MethodNotAllowed { allow: "GET" },
        ];
        let codes: Vec<_> = errors.iter().map(|e| (e.code(), e.status())).collect();
        assert_eq!(
            codes,
            [
                ("bad_request", 400),
                ("body_too_large", 413),
                ("unauthorized", 401),
                ("name_taken", 409),
                ("name_immutable", 403),
                ("rename_cooldown", 429),
                ("registry_unavailable", 503),
                ("not_found", 404),
                ("method_not_allowed", 405),
            ]
        );
        for e in &errors {
            let message = e.to_string();
            assert!(message.ends_with('.'), "{message}");
            assert!(!message.contains("refused"), "{message}");
        }
    }
}
