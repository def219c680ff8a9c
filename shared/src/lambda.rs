//! What the Lambda functions built on `lambda_runtime` share around it: building the handlers at
//! init and turning one invocation into the response or the error Lambda reports (the triggers,
//! and the scheduled reconcile).

use crate::config::{ConfigError, ProcessEnv};
use crate::operations::cognito::CognitoDirectory;
use crate::operations::scheduled::{stop_before, ScheduledReconcile};
use crate::operations::Directory;
use crate::registry::listing::OwnerListing;
use crate::registry::{DynamoRegistry, Registry, SystemClock};
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
        .map_err(|body| Diagnostic {
            error_type: body.error_type,
            error_message: body.error_message,
        })
}

/// The scheduled reconcile on the DynamoDB registry and the pool of `USERNAMES_USER_POOL_ID`. A bad
/// setting is logged with the variable named and stops init.
pub async fn reconcile_from_env(
) -> Result<ScheduledReconcile<DynamoRegistry, CognitoDirectory>, ConfigError> {
    ScheduledReconcile::from_env(&ProcessEnv)
        .await
        .inspect_err(|e| tracing::error!(var = e.var, "{e}"))
}

/// One scheduled run, stopping before the invocation's deadline: its summary, or the failure as
/// `{"errorType": code, "errorMessage": sentence}`.
pub async fn reconcile<R: Registry + OwnerListing, D: Directory>(
    job: &ScheduledReconcile<R, D>,
    event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic> {
    let deadline = stop_before(event.context.deadline);
    match job.run(&event.payload, &SystemClock, &deadline).await {
        // Our own plain struct always serialises.
        Ok(run) => Ok(serde_json::to_value(run).unwrap_or_default()),
        Err(e) => Err(Diagnostic {
            error_type: e.code().to_owned(),
            error_message: e.to_string(),
        }),
    }
}
