//! What the three Lambda functions share around `lambda_runtime`: building the handlers at init
//! and turning one invocation into the response or the error Lambda reports.

use crate::config::{ConfigError, ProcessEnv};
use crate::registry::{DynamoRegistry, Registry};
use crate::telemetry;
use crate::triggers::Triggers;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;

/// The handlers on the DynamoDB registry, from the process environment. A bad setting is logged
/// with the variable named and stops init, before any trigger is handled.
pub async fn triggers_from_env() -> Result<Triggers<DynamoRegistry>, ConfigError> {
    Triggers::dynamodb_from_env(&ProcessEnv)
        .await
        .inspect_err(|e| tracing::error!(var = e.var, "{e}"))
}

/// One invocation: the whole event back with `response` filled, or the rejection as
/// `{"errorType": code, "errorMessage": sentence}`.
pub async fn answer<R: Registry>(
    triggers: &Triggers<R>,
    event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic> {
    // Boxed: the handler's future is deep, and nesting it inside the runtime's own futures
    // would overflow the compiler's type-layout depth.
    Box::pin(telemetry::invoke(triggers, event.payload))
        .await
        .map_err(|e| {
            let body = e.lambda_error();
            Diagnostic {
                error_type: body.error_type,
                error_message: body.error_message,
            }
        })
}
