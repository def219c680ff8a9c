//! The HTTP API Lambda function behind API Gateway (payload 2.0): name availability, rename and
//! release. It only wires configuration, JSON logs, the DynamoDB and Cognito clients (built
//! once, from Lambda's variables) and the runtime; the adapter is in `lib.rs`, all logic in `shared::api`.

use lambda_http::service_fn;
use shared::api::{Api, CognitoMirror};
use shared::config::ProcessEnv;

// Lambda hands an environment one event at a time: one thread drives it, and a multi-thread
// runtime's workers would only add to init.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init_lambda();
    // One SDK configuration for both clients; the mirror only when a pool is configured.
    let api = Api::dynamodb_from_env(&ProcessEnv, |settings, config| {
        settings
            .user_pool_id
            .clone()
            .map(|pool| CognitoMirror::for_lambda(config, &ProcessEnv, pool))
    })
    .await
    .inspect_err(|e| tracing::error!(var = e.var, "{e}"))?;
    let api = &api;
    lambda_http::run(service_fn(move |request| async move {
        username_api::handle(api, request)
            .await
            .map(username_api::Built)
    }))
    .await
}
