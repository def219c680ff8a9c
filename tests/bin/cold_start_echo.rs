//! Cold-start floor for `scripts/bench-cold-start`: a bare `lambda_runtime` echo that does nothing
//! at init. The functions' init is reported as a ratio to this and to `cold-start-sdk-echo`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
