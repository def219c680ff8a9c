//! The pre-sign-up Lambda function: checks the username policy and reserves the name.
//! It only wires configuration, JSON logs, the DynamoDB client (built once, with explicit
//! timeouts) and the runtime; all logic lives in `shared`.

use lambda_runtime::service_fn;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init_lambda();
    let triggers = shared::lambda::triggers_from_env().await?;
    let triggers = &triggers;
    lambda_runtime::run(service_fn(move |event| {
        shared::lambda::answer(triggers, event)
    }))
    .await
}
