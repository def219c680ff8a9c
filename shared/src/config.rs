//! Configuration read once from environment variables at init; a bad value is a `ConfigError`
//! that stops the function before its first invocation.

use thiserror::Error;

/// A configuration value that cannot be used. The message names the variable and what it takes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub fn new(var: &'static str, reason: impl Into<String>) -> Self {
        Self { var, reason: reason.into() }
    }
}

/// Looks up one environment variable; tests pass a map instead of the process environment.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment. Empty values count as unset, as they do in SAM parameters.
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<S: std::hash::BuildHasher> EnvSource for std::collections::HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.trim().is_empty())
    }
}

/// Every setting of the triggers, read once at init.
#[derive(Debug, Clone)]
pub struct Settings {
    pub policy: crate::policy::Policy,
    pub sign_up: crate::triggers::pre_sign_up::SignUpSettings,
    pub tokens: crate::triggers::pre_token_generation::TokenSettings,
}

impl Settings {
    /// Reads and validates every setting; the first bad value is the error.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {
            policy: crate::policy::Policy::from_env(env)?,
            sign_up: crate::triggers::pre_sign_up::SignUpSettings::from_env(env)?,
            tokens: crate::triggers::pre_token_generation::TokenSettings::from_env(env)?,
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            policy: crate::policy::Policy::default(),
            sign_up: Default::default(),
            tokens: Default::default(),
        }
    }
}
