//! The post-confirmation Lambda function: commits the reservation of a confirmed user.
//! It only wires configuration, JSON logs, the DynamoDB client (built once, with explicit
//! timeouts) and the runtime; all logic lives in `shared`.

use lambda_runtime::service_fn;

// Lambda hands an environment one event at a time: one thread drives it, and a multi-thread
// runtime's workers would only add to init.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init_lambda();
    let triggers = shared::lambda::triggers_from_env().await?;
    let triggers = &triggers;
    lambda_runtime::run(service_fn(move |event| {
        shared::lambda::answer(triggers, event)
    }))
    .await
}
