//! Every setting of the triggers, read once from environment variables at init; a bad value is a
//! `ConfigError` that stops the function before its first invocation.

pub mod lifecycle;
pub mod sign_up;
pub mod tokens;

pub use crate::env::{ConfigError, EnvSource, ProcessEnv};
pub use lifecycle::LifecycleSettings;
pub use sign_up::SignUpSettings;
pub use tokens::TokenSettings;

use crate::registry::ContactKey;

/// The registry's DynamoDB table. Required by the Lambda functions; the CLI uses its embedded
/// store when it is unset.
pub const ENV_TABLE: &str = "USERNAMES_TABLE";
/// Where a user's name comes from: `preferred_username` (default) or `username`.
pub const ENV_SOURCE: &str = "USERNAMES_SOURCE";
/// The language of sentences when an event or request names none of ours: a BCP 47 tag among
/// `crate::messages::Locale::ALL` (default `en`).
pub const ENV_DEFAULT_LOCALE: &str = "USERNAMES_DEFAULT_LOCALE";
/// Whether the pool tells `userName`s apart by case (`UsernameConfiguration.CaseSensitive`):
/// `false` (default, the template's pools) or `true`.
pub const ENV_CASE_SENSITIVE_USERNAMES: &str = "USERNAMES_CASE_SENSITIVE_USERNAMES";

/// Where the triggers read a user's display name from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameSource {
    /// The `preferred_username` attribute: pools that sign in with email or phone.
    #[default]
    PreferredUsername,
    /// The Cognito `userName` itself: pools without username attributes, where the policy and the
    /// registry add the checks and confusable-insensitive uniqueness Cognito lacks.
    Username,
}

impl NameSource {
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        match env.var(ENV_SOURCE).as_deref().map(str::trim) {
            None | Some("preferred_username") => Ok(Self::PreferredUsername),
            Some("username") => Ok(Self::Username),
            Some(other) => Err(ConfigError::new(
                ENV_SOURCE,
                format!("`{other}` is not `preferred_username` or `username`"),
            )),
        }
    }

    /// The name as the configuration spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreferredUsername => "preferred_username",
            Self::Username => "username",
        }
    }
}

/// Every setting of the triggers, read once at init.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `USERNAMES_TABLE`, if set; see [`Settings::required_table`].
    pub table: Option<String>,
    pub name_source: NameSource,
    /// `USERNAMES_CASE_SENSITIVE_USERNAMES`: in a case-sensitive pool `Alice` and `alice` are two
    /// users, so no comparison of holders folds case (see [`crate::registry::Holder`]).
    pub case_sensitive_user_names: bool,
    /// `USERNAMES_DEFAULT_LOCALE`: the language of a refusal when the person's is unknown.
    pub default_locale: crate::messages::Locale,
    pub policy: crate::policy::Policy,
    pub sign_up: SignUpSettings,
    pub tokens: TokenSettings,
    /// `USERNAMES_CONTACT_HASH_KEY`, if set; see [`Settings::required_contact_key`].
    pub contact_key: Option<ContactKey>,
    /// `USERNAMES_RESERVED_CONTAINS` and `USERNAMES_RULES_CACHE`: the operator's rules.
    pub rules: crate::registry::word_rules::RuleSettings,
}

impl Settings {
    /// Reads and validates every setting; the first bad value is the error.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {
            table: table_from_env(env)?,
            name_source: NameSource::from_env(env)?,
            case_sensitive_user_names: crate::env::bool_from_env(
                env,
                ENV_CASE_SENSITIVE_USERNAMES,
                false,
            )?,
            default_locale: default_locale_from_env(env)?,
            policy: crate::policy::Policy::from_env(env)?,
            sign_up: SignUpSettings::from_env(env)?,
            tokens: TokenSettings::from_env(env)?,
            contact_key: ContactKey::from_env(env)?,
            rules: crate::registry::word_rules::RuleSettings::from_env(env)?,
        })
    }

    /// The table name, for the Lambda functions, which have no store without it.
    pub fn required_table(&self) -> Result<&str, ConfigError> {
        self.table.as_deref().ok_or_else(|| {
            ConfigError::new(
                ENV_TABLE,
                "is required: the name of the registry's DynamoDB table",
            )
        })
    }
}

impl Settings {
    /// The key of the contact hashes, for the Lambda functions, which never fall back to a
    /// development key: a table written with a known key is a table of recoverable emails.
    pub fn required_contact_key(&self) -> Result<&ContactKey, ConfigError> {
        self.contact_key.as_ref().ok_or_else(|| {
            ConfigError::new(
                crate::registry::contact::ENV_CONTACT_HASH_KEY,
                "is required: a secret of at least 32 characters that keys the hashes of email \
                 addresses and phone numbers (the template generates one)",
            )
        })
    }

    /// The key of the contact hashes, or the fixed development key of the CLI's embedded store.
    pub fn contact_key_or_development(&self) -> ContactKey {
        self.contact_key
            .clone()
            .unwrap_or_else(ContactKey::development)
    }
}

/// `USERNAMES_DEFAULT_LOCALE`: one of our languages; unset is English.
pub fn default_locale_from_env(
    env: &impl EnvSource,
) -> Result<crate::messages::Locale, ConfigError> {
    use crate::messages::Locale;
    let Some(raw) = env.var(ENV_DEFAULT_LOCALE) else {
        return Ok(Locale::En);
    };
    Locale::from_tag(&raw).ok_or_else(|| {
        let tags: Vec<&str> = Locale::ALL.iter().map(|l| l.tag()).collect();
        ConfigError::new(
            ENV_DEFAULT_LOCALE,
            format!("`{}` is not one of {}", raw.trim(), tags.join(", ")),
        )
    })
}

/// A DynamoDB table name (3 to 255 of `A-Z a-z 0-9 _ - .`) or a table ARN, which DynamoDB also
/// accepts as `TableName`. Checked here so a typo stops init instead of failing every sign-up.
fn table_from_env(env: &impl EnvSource) -> Result<Option<String>, ConfigError> {
    let Some(raw) = env.var(ENV_TABLE) else {
        return Ok(None);
    };
    let table = raw.trim();
    let is_arn = table.starts_with("arn:") && table.contains(":table/") && table.len() <= 1024;
    let is_name = (3..=255).contains(&table.len())
        && table
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if is_arn || is_name {
        Ok(Some(table.to_string()))
    } else {
        Err(ConfigError::new(
            ENV_TABLE,
            format!(
                "`{table}` is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .) or table ARN"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    #[test]
    fn defaults_need_no_environment() {
        let settings = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(settings.table, None);
        assert_eq!(settings.name_source, NameSource::PreferredUsername);
        assert_eq!(settings.required_table().unwrap_err().var, ENV_TABLE);
    }

    #[test]
    fn table_names_and_arns_are_accepted_anything_else_stops_init() {
        for good in [
            "usernames",
            "my_app-usernames.v2",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/usernames",
        ] {
            let settings = Settings::from_env(&env(&[(ENV_TABLE, good)])).unwrap();
            assert_eq!(settings.required_table().unwrap(), good);
        }
        for bad in ["ab", "my table", "usernames/x", "arn:aws:s3:::bucket"] {
            let err = Settings::from_env(&env(&[(ENV_TABLE, bad)])).unwrap_err();
            assert_eq!(err.var, ENV_TABLE, "{bad}");
        }
    }

    #[test]
    fn pools_fold_user_names_unless_told_they_are_case_sensitive() {
        assert!(
            !Settings::from_env(&env(&[]))
                .unwrap()
                .case_sensitive_user_names
        );
        let sensitive = env(&[(ENV_CASE_SENSITIVE_USERNAMES, "true")]);
        assert!(
            Settings::from_env(&sensitive)
                .unwrap()
                .case_sensitive_user_names
        );
        let bad = env(&[(ENV_CASE_SENSITIVE_USERNAMES, "sometimes")]);
        assert_eq!(
            Settings::from_env(&bad).unwrap_err().var,
            ENV_CASE_SENSITIVE_USERNAMES
        );
    }

    #[test]
    fn the_default_language_is_english_or_one_of_ours() {
        use crate::messages::Locale;
        assert_eq!(
            Settings::from_env(&env(&[])).unwrap().default_locale,
            Locale::En
        );
        let german = env(&[(ENV_DEFAULT_LOCALE, "de-CH")]);
        assert_eq!(
            Settings::from_env(&german).unwrap().default_locale,
            Locale::De
        );
        let err = Settings::from_env(&env(&[(ENV_DEFAULT_LOCALE, "nl")])).unwrap_err();
        assert_eq!(err.var, ENV_DEFAULT_LOCALE);
        assert!(err.to_string().contains("zh-Hans"), "{err}");
    }

    #[test]
    fn name_source_takes_two_values() {
        let read = |v: &str| NameSource::from_env(&env(&[(ENV_SOURCE, v)]));
        assert_eq!(
            read("preferred_username"),
            Ok(NameSource::PreferredUsername)
        );
        assert_eq!(read(" username "), Ok(NameSource::Username));
        assert_eq!(read("email").unwrap_err().var, ENV_SOURCE);
    }
}
