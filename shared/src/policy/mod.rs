//! The username policy: decides whether a raw name may be shown in public and derives the
//! uniqueness key under which the registry stores it.
//!
//! PROVISIONAL SKELETON: the policy agent replaces the body of `evaluate` and the violation list;
//! the public names below (`Policy`, `Username`, `NameKey`, `KEY_VERSION`, `PolicyViolation`
//! with `code()`/`message()`, `Policy::from_env`) are the contract other modules build on.

use crate::config::{ConfigError, EnvSource};
use thiserror::Error;

/// Version of the key derivation. Stored with every claim: Unicode data changes, and a claim made
/// under an older derivation must be recognisable as such.
pub const KEY_VERSION: u32 = 1;

/// The uniqueness key of a name: names with equal keys are the same name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

impl NameKey {
    /// Rebuilds a key read back from the registry.
    pub fn from_stored(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name that passed the policy: its display form and its uniqueness key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: NameKey,
}

impl Username {
    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &NameKey {
        &self.key
    }
}

/// Why a name was rejected. `Display` is the user-facing sentence.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyViolation {
    #[error("Enter a username.")]
    Empty,
    #[error("That username is too long.")]
    TooLong,
    #[error("That username is reserved.")]
    Reserved,
}

impl PolicyViolation {
    /// Stable snake_case code for logs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::Reserved => "reserved",
        }
    }

    /// The short sentence a user sees.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// The policy's configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    pub max_len: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self { max_len: 32 }
    }
}

impl Policy {
    /// Reads the policy's settings from the environment.
    pub fn from_env(_env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self::default())
    }

    /// Checks `raw` against every rule and derives its key.
    pub fn evaluate(&self, raw: &str) -> Result<Username, PolicyViolation> {
        if raw.is_empty() {
            return Err(PolicyViolation::Empty);
        }
        if raw.chars().count() > self.max_len {
            return Err(PolicyViolation::TooLong);
        }
        let key = raw.to_lowercase().replace(['.', '_', '-'], "");
        if key == "admin" {
            return Err(PolicyViolation::Reserved);
        }
        Ok(Username { display: raw.to_string(), key: NameKey(key) })
    }
}
