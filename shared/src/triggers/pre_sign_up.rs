//! PreSignUp: policy, then reserve. OWNER: handlers helper (H). Provisional stub.
use crate::config::{ConfigError, EnvSource};

/// Settings of the sign-up triggers (provisional; H completes).
#[derive(Debug, Clone, Default)]
pub struct SignUpSettings {}

impl SignUpSettings {
    pub fn from_env(_env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {})
    }
}
