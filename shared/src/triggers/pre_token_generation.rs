//! PreTokenGeneration V1/V2/V3: only an owned name reaches the tokens. OWNER: token helper (T). Stub.
use crate::config::{ConfigError, EnvSource};

/// Settings of the token trigger (provisional; T completes).
#[derive(Debug, Clone, Default)]
pub struct TokenSettings {}

impl TokenSettings {
    pub fn from_env(_env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {})
    }
}
