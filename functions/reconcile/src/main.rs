//! The scheduled reconcile Lambda function (optional in the template, started by EventBridge
//! Scheduler): retires the names of users deleted from the pool, stopping before its deadline.
//! It only wires configuration, JSON logs, the DynamoDB and Cognito clients (built once) and the
//! runtime; all logic lives in `shared::operations::scheduled`.

use lambda_runtime::service_fn;

// Lambda hands an environment one event at a time: one thread drives it, and a multi-thread
// runtime's workers would only add to init.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init_lambda();
    let job = shared::lambda::reconcile_from_env().await?;
    let job = &job;
    lambda_runtime::run(service_fn(move |event| {
        shared::lambda::reconcile(job, event)
    }))
    .await
}
