//! The Cognito trigger handlers: plain async functions over a `Registry`, shared by the Lambda
//! functions, the CLI and the tests. OWNER: handlers helper (H). Token generation: helper (T).

pub mod post_confirmation;
pub mod pre_sign_up;
pub mod pre_token_generation;

use crate::config::Settings;
use crate::registry::{Clock, Registry};
use std::sync::Arc;

/// Everything a handler needs, built once at init and shared by every invocation.
pub struct Triggers<R: Registry> {
    pub registry: R,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
}
